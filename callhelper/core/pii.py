"""Personal data that must not reach the disk: payment card numbers.

A card number is a run of 13 to 19 digits (ASCII or full-width), optionally
split by single spaces or hyphens, that passes the Luhn check. All its digits
but the last four become ``*``; separators stay, so the text keeps its shape.
Other digit runs (phone numbers, order numbers) are left alone.
"""

from __future__ import annotations

import re
import unicodedata

MASK = "*"
_DIGIT = r"[0-9０-９]"
_SEPARATOR = r"[ \-‐－　]"
_CANDIDATE = re.compile(rf"(?<![0-9０-９]){_DIGIT}(?:{_SEPARATOR}?{_DIGIT}){{12,18}}(?![0-9０-９])")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def mask_card_numbers(text: str) -> tuple[str, int]:
    """Return the text with card numbers masked, and how many were masked."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        run = match.group(0)
        digits = "".join(str(unicodedata.digit(c)) for c in run if c.isdigit())
        if not 13 <= len(digits) <= 19 or not luhn_valid(digits):
            return run
        count += 1
        keep = 4
        out = []
        for char in reversed(run):
            if char.isdigit():
                out.append(char if keep > 0 else MASK)
                keep -= 1
            else:
                out.append(char)
        return "".join(reversed(out))

    return _CANDIDATE.sub(replace, text), count
