"""Sphinx configuration for the symopt documentation (MyST Markdown + autodoc)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # document the checkout, not an older installed copy

import symopt

project = "symopt"
author = "symopt authors"
copyright = "symopt authors"
release = symopt.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.imgmath",
]

# Math is rendered at build time by the installed LaTeX (latex + dvipng; Debian:
# texlive-latex-base, texlive-latex-recommended, dvipng), so the pages need no network and
# no JavaScript. Images carry their baseline so inline math sits on the text line.
imgmath_image_format = "png"
imgmath_use_preview = True
imgmath_dvipng_args = ["-gamma", "1.5", "-D", "130", "-bg", "Transparent"]
imgmath_font_size = 13
imgmath_latex_preamble = "\\usepackage{amsmath}\n\\usepackage{amssymb}\n\\usepackage{bm}\n"

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# MyST: $...$ / $$...$$ math (docs/optimizers.md holds the update rules as $$ blocks,
# some with \begin{aligned}) and anchors for in-page links such as (#exact-rules).
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# autodoc / napoleon: the docstrings are numpydoc style.
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "description"
autodoc_class_signature = "mixed"
autodoc_preserve_defaults = True

nitpicky = False

# No warning categories are suppressed: every warning is fixed at its source.
suppress_warnings: list[str] = []

html_theme = "alabaster"
html_title = f"symopt {release}"
html_static_path = ["_static"] if (Path(__file__).parent / "_static").is_dir() else []
# long code lines scroll inside their block instead of being cut off
html_css_files = ["symopt.css"]
