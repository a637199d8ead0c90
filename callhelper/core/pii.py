"""Personal data that must not reach the disk: payment card numbers.

Digits are found in *runs*: groups of decimal digits of any script (ASCII, full-width,
Arabic-Indic, Devanagari, …) joined by gaps of one to three separators — any space, tab
or line break, any dash or hyphen (minus sign, full-width hyphen, the long vowel mark an
input method types for a hyphen), ``. / _ ,`` and their full-width forms, parentheses —
and any number of invisible characters (zero-width space, soft hyphen, …).

A card number is 13 to 19 consecutive digits of a run that pass the Luhn check and are
written as cards are written:

- one whole group (``4111111111111111``), or
- several whole groups, each of 4 to 6 digits but the last, which may have 3 to 6
  (``4111 1111 1111 1111``, ``3782 822463 10005``), so a code, a date or a digit written
  beside the card is no part of it;
- any digits inside one group of 20 to 23 digits: a card with its code or another digit
  typed against it.

A group of 13 to 19 digits that fails the Luhn check is an order number, not a card with a
digit stuck to it, and is left alone; so are phone numbers, dates, amounts and postal codes,
whose groups are too short, and groups of more than 23 digits. (Two phone numbers written
one right after the other, with only a space or a line break between them, may together
look like a card: rarely, and then they are masked.) Card numbers that overlap
are masked as one. All digits of a masked number but the last four become ``*``;
separators stay, so the text keeps its shape.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from callhelper.core.text import storable_text

MASK = "*"
#: Groups longer than this are long reference numbers; a card is not looked for inside.
LONGEST_GROUP_WITH_CARD = 23
_CARD_LENGTHS = range(13, 20)
#: How long a group may be between the groups of a card written in groups.
_CARD_GROUP = range(4, 7)
#: The shortest last group of a card written in groups (``4111 1111 1111 1111 123``).
_LAST_GROUP = 3
_KEPT = 4
_DASHES = ("\\-\u058a\u05be\u1806\u2010-\u2015\u2212\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u301c"
           "\u3030\u30a0\u30fc\ufe31\ufe32\ufe58\ufe63\uff0d\uff70")
_MARKS = "._,/()\uff0e\uff3f\uff0c\uff0f\uff08\uff09"
_SEPARATOR = rf"[\s{_DASHES}{_MARKS}]"
_INVISIBLE = "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
_GAP = rf"{_INVISIBLE}*(?:{_SEPARATOR}{_INVISIBLE}*){{0,3}}"
_RUN = re.compile(rf"\d+(?:(?=\D){_GAP}\d+)*")


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
        positions = [i for i, char in enumerate(run) if char.isdecimal()]
        if len(positions) < min(_CARD_LENGTHS):
            return run
        spans = _merged(_card_windows(run, positions))
        if not spans:
            return run
        count += len(spans)
        chars = list(run)
        for start, end in spans:
            for index in positions[start:end - _KEPT]:
                chars[index] = MASK
        return "".join(chars)

    return _RUN.sub(replace, text), count


def masked_words(text: str) -> str:
    """What a person typed into a field, as it may be stored: storable (core/text.py), card
    numbers masked."""
    return mask_card_numbers(storable_text(text)[0])[0]


def masked_phone(text: str, region: str) -> str:
    """A phone number as typed (storable); anything else typed into a phone number's field
    has its card numbers masked. A phone number keeps its digits even when they look like a
    card's: +8613800138000 passes the Luhn check."""
    stored = storable_text(text)[0]
    masked = mask_card_numbers(stored)[0]
    if masked == stored:
        return stored
    try:
        number = phonenumbers.parse(unicodedata.normalize("NFKC", stored), region)
    except phonenumbers.NumberParseException:
        return masked
    return stored if phonenumbers.is_valid_number(number) else masked


def _card_windows(run: str, positions: list[int]) -> list[tuple[int, int]]:
    """The card numbers of a run, as [start, end) ranges of its digits."""
    digits = "".join(str(unicodedata.decimal(run[i])) for i in positions)
    groups = _groups(positions)
    windows = []
    for first, (start, _) in enumerate(groups):
        for last in range(first, len(groups)):
            end = groups[last][1]
            size = end - groups[last][0]
            if end - start > max(_CARD_LENGTHS) or (
                    last > first and not _LAST_GROUP <= size <= max(_CARD_GROUP)):
                break
            if end - start in _CARD_LENGTHS:
                windows.append((start, end))
            if size not in _CARD_GROUP:
                break
    windows += [window for start, end in groups
                if max(_CARD_LENGTHS) < end - start <= LONGEST_GROUP_WITH_CARD
                for window in _inside(start, end)]
    return [(start, end) for start, end in windows if luhn_valid(digits[start:end])]


def _groups(positions: list[int]) -> list[tuple[int, int]]:
    """The run's groups of adjacent digits, as [start, end) ranges of its digits."""
    groups, start = [], 0
    for index in range(1, len(positions) + 1):
        if index == len(positions) or positions[index] != positions[index - 1] + 1:
            groups.append((start, index))
            start = index
    return groups


def _inside(start: int, end: int) -> list[tuple[int, int]]:
    return [(first, first + length) for length in _CARD_LENGTHS
            for first in range(start, end - length + 1)]


def _merged(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping card numbers as one span of digits."""
    spans: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans
