"""Regenerate the week-2 lecture's worked mathematics, corrected, as LaTeX and Markdown.

    python examples/lecture_week2.py [OUTPUT_FOLDER]      (default: out/)

Writes lecture_week2.tex (compile with pdflatex), lecture_week2.md (English) and
lecture_week2.zh.md (Chinese, the lecture's own language).
"""

from __future__ import annotations

import sys

from symopt.report.lecture import write_lecture


def main(argv: list[str]) -> int:
    folder = argv[0] if argv else "out"
    paths = write_lecture(folder, ("tex", "md"), "en") + write_lecture(folder, ("md",), "zh")
    for path in paths:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
