"""`python -m symopt`: the same command line as `symopt`."""

import sys

from .cli import main

sys.exit(main())
