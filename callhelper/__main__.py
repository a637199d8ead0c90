"""Allows ``python -m callhelper``."""

import sys

from callhelper.launcher import main

sys.exit(main())
