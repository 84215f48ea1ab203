"""The documentation site: it builds with warnings as errors, and its pages stay true.

The build needs Sphinx and MyST-Parser (the ``docs`` and ``test`` extras). Without them
the build test is skipped, except when the CI environment variable is set: CI installs
the test extra, so a missing package there is a failure, not a reason to skip.
"""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BUILD_TIMEOUT = 900  # seconds; a guard against a hung build, not a speed target


def _require_sphinx() -> None:
    missing = [name for name in ("sphinx", "myst_parser")
               if importlib.util.find_spec(name) is None]
    if not missing:
        return
    message = (f"{' and '.join(missing)} not importable; "
               "install with: pip install -e \".[docs]\"")
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so the documentation build must run)")
    pytest.skip(message)


def test_site_builds_without_warnings(tmp_path: Path) -> None:
    _require_sphinx()
    out = tmp_path / "html"
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-j", "1", "-q",
               "-b", "html", str(DOCS), str(out)]
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                                timeout=BUILD_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the documentation build took longer than {BUILD_TIMEOUT} s")
    assert result.returncode == 0, (
        f"sphinx exited with {result.returncode}\n{result.stdout}\n{result.stderr}")
    assert (out / "index.html").is_file()
    api = out / "api" / "symopt.html"
    assert api.is_file()
    page = api.read_text(encoding="utf-8")
    for name in ("Loss", "critical_points", "classify_point", "CriticalSet", "CriticalPoint",
                 "CriticalFamily", "Kind", "compile", "NumericLoss", "check_gradient",
                 "check_finite_differences", "run", "Trajectory", "escape", "basins",
                 "EscapeReport", "parse_expression", "ParseError"):
        assert f'id="symopt.{name}"' in page, f"symopt.{name} is missing from the API page"
    # the update rules of docs/optimizers.md are rendered as mathematics at build time:
    # images made by the installed LaTeX, so the pages work offline
    rules = (out / "optimizers.html").read_text(encoding="utf-8")
    assert "$$" not in rules and '<img src="_images/math/' in rules
    images = re.findall(r'<img src="(_images/math/[0-9a-f]+\.png)"', rules)
    assert images and all((out / image).is_file() for image in images)
    for html in out.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r'<script[^>]+src="(https?:)?//', text), \
            f"{html.name} loads a script from the network"
        assert "\\(" not in text.replace("\\\\(", ""), f"{html.name} shows raw \\( math"
    # the API entry of Loss.from_model lists its real parameters only
    entry = page[page.index('id="symopt.Loss.from_model"'):]
    entry = entry[:entry.index("</dd>")]
    names = re.findall(r"<strong>([^<]+)</strong>", entry)
    assert {"are", "arrays."}.isdisjoint(names)
    assert {"model", "data", "target", "loss", "reduction", "params"} <= set(names)
    # long code lines scroll instead of being cut off
    css = (out / "_static" / "symopt.css").read_text(encoding="utf-8")
    assert "overflow-x: auto" in css and "symopt.css" in (out / "index.html").read_text()


def _fenced_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_getting_started_has_the_readme_quick_start_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = _fenced_blocks(quick_start, "bash")
    assert len(commands) == 2
    page = (DOCS / "getting_started.md").read_text(encoding="utf-8")
    for command in commands:
        assert f"```bash\n{command}```" in page


def test_gallery_lists_every_example_script() -> None:
    gallery = (DOCS / "gallery.md").read_text(encoding="utf-8")
    for script in sorted((ROOT / "examples").glob("*.py")):
        if script.name.startswith("_"):  # shared helpers of the scripts, not examples
            continue
        assert f"`{script.name}`" in gallery, f"docs/gallery.md does not list {script.name}"
    for figure in re.findall(r"_static/[\w.-]+", gallery):
        assert (DOCS / figure).is_file(), f"docs/gallery.md shows a missing figure {figure}"


GUIDE_PAGES = sorted(f"guide/{p.name}" for p in (DOCS / "guide").glob("*.md"))


@pytest.mark.parametrize("page", ["getting_started.md", *GUIDE_PAGES])
def test_page_examples_run(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # examples read files by their path from the repository root
    result = doctest.testfile(str(DOCS / page), module_relative=False,
                              optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
