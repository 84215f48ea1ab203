"""``symopt lecture --pdf``: the six-section handout from the command line."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext")
                                is None, reason="needs pdflatex and pdftotext (Debian: "
                                "texlive-latex-recommended, poppler-utils)")


def lecture(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symopt", "lecture", *args],
                          capture_output=True, text=True, timeout=900)


def test_pdf_handout_has_all_six_sections_and_is_never_overwritten(tmp_path):
    out = tmp_path / "handout"
    done = lecture("--pdf", "-o", str(out))
    assert done.returncode == 0, done.stderr
    pdf = out / "handout_week2.pdf"
    assert f"wrote {pdf}" in done.stdout
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    # the lecture's six parts (../shared/LECTURE.md), and the errata table
    for words in ("diagnos", "saddle", "batch", "momentum", "learning rate", "softmax",
                  "batch normali", "errat"):
        assert words in text.lower(), words
    # the same command again: the PDF exists and is not overwritten without --force
    again = lecture("--pdf", "-o", str(out))
    assert again.returncode == 2 and again.stderr.count("\n") == 1
    assert "--force" in again.stderr
    # --pdf and --format contradict each other: one line, exit 2
    both = lecture("--pdf", "--format", "md", "-o", str(tmp_path / "other"))
    assert both.returncode == 2 and "--format" in both.stderr
