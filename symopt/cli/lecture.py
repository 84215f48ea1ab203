"""``symopt lecture``: the lecture handout, written into a folder."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from .common import EXIT_OK
from .files import write_output

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add ``symopt lecture``."""
    cmd = subparsers.add_parser(
        "lecture", help="the lecture's mathematics as a handout, errata corrected",
        description="Regenerate the lecture's mathematics (quadratic approximation with the "
                    "Hessian, the worked example y = w1 w2 x, optimizer rules, softmax), with "
                    "the notes' errata corrected, into a folder.  With --pdf: the handout for "
                    "all six sections (diagnosis, critical points, batch size and momentum, "
                    "learning rates, classification, batch normalization) with its errata "
                    "table and figures, compiled to PDF (pdflatex; XeLaTeX for Chinese).")
    cmd.add_argument("--format", choices=("tex", "md", "both"), default=None,
                     help="what to write (default: both for en, md for zh)")
    cmd.add_argument("--language", choices=("en", "zh"), default="en",
                     help="language of the text")
    cmd.add_argument("--pdf", action="store_true",
                     help="write the six-section handout as LaTeX and a compiled PDF, with "
                          "its figures (needs matplotlib for the figures)")
    cmd.add_argument("-o", "--output", default="out", help="output folder (default out/)")
    cmd.add_argument("--force", action="store_true", help="overwrite files already in the folder")
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the handout into a scratch folder, then copy each file without overwriting."""
    from ..report.lecture import write_lecture

    folder = Path(args.output)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"cannot write into {folder}: it is a file; -o names a folder")
    if not folder.parent.is_dir():
        raise ValueError(f"cannot write into {folder}: the folder {folder.parent} does not "
                         "exist; create it first")
    if args.pdf and args.format is not None:
        raise ValueError("--pdf writes the handout's LaTeX and PDF; leave out --format")
    fmt = args.format or ("both" if args.language == "en" else "md")
    formats = ("tex", "md") if fmt == "both" else (fmt,)
    with tempfile.TemporaryDirectory(prefix="symopt-lecture-") as scratch:
        if args.pdf:
            made = _handout(scratch, args.language)
        else:
            made = [Path(p) for p in write_lecture(scratch, formats, args.language)]
        targets = [folder / p.relative_to(scratch) for p in made]
        # a file already there with the same bytes (a figure shared by both languages) is
        # left as it is; any other existing file needs --force
        same = {t for s, t in zip(made, targets) if t.is_file() and t.read_bytes() == s.read_bytes()}
        if not args.force:
            existing = [t for t in targets if t.exists() and t not in same]
            if existing:
                raise ValueError(f"{existing[0]} exists; pass --force to overwrite it")
        folder.mkdir(exist_ok=True)
        for source, target in zip(made, targets):
            if target in same:
                print(f"unchanged {target}")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            print(f"wrote {write_output(str(target), source.read_bytes(), args.force)}")
    return EXIT_OK


def _handout(scratch: str, language: str) -> list[Path]:
    """The six-section handout, its figures (when matplotlib is there) and its PDF."""
    from ..report.handout import write_handout

    try:
        from ..plot import handout_figures
        figures = handout_figures(scratch, language=language)
    except ImportError:  # no matplotlib: the handout says where its figures would be
        figures = None
    files = write_handout(scratch, language, pdf=True, figures=figures)
    if files.overfull:
        raise RuntimeError(f"{len(files.overfull)} lines of the handout run into the margin")
    made = [files.tex] + ([files.pdf] if files.pdf else []) + [Path(p) for p in
                                                             (figures or {}).values()]
    return made
