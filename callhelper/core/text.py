"""Text as it can be stored: what a note may hold, and the one change made to it.

A note is stored exactly as typed — control characters, NUL, emoji, right-to-left scripts
included — with one exception: a lone UTF-16 surrogate (half of a character whose other
half is missing, as a broken paste or a program's bad JSON may carry) cannot be written
as UTF-8, so it becomes U+FFFD, the replacement character �. Two halves that belong
together become the character they encode. Card numbers are masked as well (pii.py).
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
#: The longest note the window stores (a paste of a few megabytes of text).
MAX_NOTE_LENGTH = 2_000_000
_SURROGATE = re.compile("[\ud800-\udfff]")


def storable_text(text: str) -> tuple[str, int]:
    """``text`` as it can be stored, and how many characters were replaced by U+FFFD."""
    if _SURROGATE.search(text) is None:
        return text, 0
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return joined, joined.count(REPLACEMENT) - text.count(REPLACEMENT)
