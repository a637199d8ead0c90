"""Allows ``python -m callhelper``."""

import sys

from callhelper.cli import main

sys.exit(main())
