"""Every failure of the command line is one line on stderr with exit code 2 (bad input, usage,
I/O) or 3 (a time budget ran out); a closed pipe ends quietly; files are never overwritten
without --force and "wrote PATH" names the path actually written."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from symopt.cli import main

HIMMELBLAU = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"
ROOT = Path(__file__).resolve().parents[1]


def one_line_error(capsys, argv, code=2):
    assert main(argv) == code
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("symopt: ") and "Traceback" not in err
    return out, err


def shell(argv, stdout):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "symopt", *argv], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=300, env=env)


# -- output paths ------------------------------------------------------------------------------
def test_derive_to_a_folder_a_missing_folder_or_an_existing_file_is_refused(tmp_path, capsys):
    _, err = one_line_error(capsys, ["derive", "x**2", "-o", str(tmp_path)])
    assert "is a folder" in err
    _, err = one_line_error(capsys, ["derive", "x**2", "-o", str(tmp_path / "no" / "d.md")])
    assert "does not exist" in err
    existing = tmp_path / "d.md"
    existing.write_text("mine")
    _, err = one_line_error(capsys, ["derive", "x**2", "-o", str(existing)])
    assert "--force" in err and existing.read_text() == "mine"
    assert main(["derive", "x**2", "-o", str(existing), "--force"]) == 0
    assert capsys.readouterr().out == f"wrote {existing}\n"
    assert existing.read_text() != "mine"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_one_line(capsys):
    _, err = one_line_error(capsys, ["derive", "x**2", "-o", "/dev/full"])
    assert "No space left" in err
    with open("/dev/full", "w") as full:
        result = shell(["derive", "x**2"], stdout=full)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "No space left" in result.stderr


def test_plot_says_the_path_it_wrote_and_refuses_folders(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    _, err = one_line_error(capsys, ["plot", "x**2 + y**2", "-o", str(tmp_path)])
    assert "is a folder" in err
    assert main(["plot", "x**2 + y**2", "-o", str(tmp_path / "pic")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"wrote {tmp_path / 'pic.png'}:")
    assert (tmp_path / "pic.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "pic").exists()
    _, err = one_line_error(capsys, ["plot", "x**2 + y**2", "-o", str(tmp_path / "pic.png")])
    assert "--force" in err


def test_lecture_into_a_file_is_refused(tmp_path, capsys):
    existing = tmp_path / "notes.txt"
    existing.write_text("mine")
    _, err = one_line_error(capsys, ["lecture", "-o", str(existing)])
    assert "is a file" in err and existing.read_text() == "mine"


# -- options too large -------------------------------------------------------------------------
@pytest.mark.parametrize("argv, fragment", [
    (["plot", "x**2", "--dpi", "20000"], "at most 1200"),
    (["analyze", "x**2", "--timeout", "nan"], "finite"),
    (["analyze", "x**2", "--timeout=-inf"], "finite"),
    (["analyze", "x**2", "--timeout", "0"], "positive"),
    (["escape", "x**2", "--at", "0", "--steps", "99999999999"], "too large"),
    (["escape", "x**2", "--at", "0", "--steps", "0"], "at least 1"),
    (["escape", "x**2", "--at", "0", "--lr", "nan"], "finite"),
])
def test_huge_or_invalid_options_are_one_line(argv, fragment, capsys):
    _, err = one_line_error(capsys, argv)
    assert fragment in err


@pytest.mark.parametrize("timeout", ["1e308", "inf"])
def test_a_budget_of_any_size_is_accepted(timeout, capsys):
    assert main(["analyze", "x**2 - y**2", "--timeout", timeout, "--json"]) == 0
    assert '"kind": "saddle"' in capsys.readouterr().out


# -- encodings of input files ------------------------------------------------------------------
@pytest.mark.parametrize("content, fragment", [
    (b"\xef\xbb\xbf", "is empty"),  # a BOM and nothing else
    (b"model,size,train_loss\n\xff\xfe,1,2\n", "not UTF-8"),
    (b"model,size,train_loss\na\x00,1,2\n", "NUL"),
    (b"model,size,train_loss\n" + b"a" * 140_000 + b",1,2\n", "field larger"),
])
def test_diagnose_bad_files_are_one_line(tmp_path, capsys, content, fragment):
    path = tmp_path / "runs.csv"
    path.write_bytes(content)
    _, err = one_line_error(capsys, ["diagnose", str(path)])
    assert fragment in err


def test_a_bom_before_a_good_csv_is_read(tmp_path, capsys):
    path = tmp_path / "runs.csv"
    path.write_bytes(b"\xef\xbb\xbfmodel,size,train_loss,val_loss\nsmall,10,0.5,0.6\n")
    assert main(["diagnose", str(path), "--json"]) == 0


# -- budgets -----------------------------------------------------------------------------------
def test_analyze_out_of_time_prints_what_it_found_marked_incomplete_and_exits_3(capsys):
    # Himmelblau's nine points need a Groebner basis: far more than 0.01 s
    assert main(["analyze", HIMMELBLAU, "--timeout", "0.01"]) == 3
    out = capsys.readouterr().out
    assert "INCOMPLETE" in out and "complete (proven)" not in out


def test_derive_out_of_time_is_one_line_and_exit_3(capsys):
    _, err = one_line_error(capsys, ["derive", HIMMELBLAU, "--timeout", "0.01"], code=3)
    assert "--timeout" in err


# -- pipes and usage ---------------------------------------------------------------------------
def test_a_closed_pipe_ends_quietly():
    command = (f"{sys.executable} -m symopt analyze '(1 - w1*w2)**2' --json | head -c 1; "
               "echo; exit ${PIPESTATUS[0]}")
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stdout == "{\n"
    assert "Traceback" not in result.stderr and "Error" not in result.stderr
    assert result.returncode == 0


def test_no_command_is_usage_and_exit_2(capsys):
    assert main([]) == 2
    assert main(["--version"]) == 0


def test_plot_out_of_time_still_writes_marks_incomplete_and_exits_3(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "h.png"
    assert main(["plot", HIMMELBLAU, "--timeout", "0.01", "-o", str(path)]) == 3
    out = capsys.readouterr().out
    assert out.startswith(f"wrote {path}:") and "INCOMPLETE" in out
    assert path.read_bytes()[:4] == b"\x89PNG"
