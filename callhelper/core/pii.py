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

import functools
import re
import unicodedata
from itertools import accumulate

from callhelper.core.text import storable_text

MASK = "*"
#: Groups longer than this are long reference numbers; a card is not looked for inside.
LONGEST_GROUP_WITH_CARD = 23
_CARD_LENGTHS = range(13, 20)
_LONGEST_CARD = _CARD_LENGTHS[-1]
#: How long the groups of a card written in groups are: the last may be shorter.
_CARD_GROUP = range(4, 7)
_LAST_GROUP = range(3, 7)
_KEPT = 4
_DASHES = ("\\-\u058a\u05be\u1806\u2010-\u2015\u2212\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u301c"
           "\u3030\u30a0\u30fc\ufe31\ufe32\ufe58\ufe63\uff0d\uff70")
_MARKS = "._,/()\uff0e\uff3f\uff0c\uff0f\uff08\uff09"
_SEPARATOR = rf"[\s{_DASHES}{_MARKS}]"
_INVISIBLE = "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
_GAP = rf"{_INVISIBLE}*(?:{_SEPARATOR}{_INVISIBLE}*){{0,3}}"
_RUN = re.compile(rf"\d+(?:(?=\D){_GAP}\d+)*")
_DIGITS = re.compile(r"\d+")
_DOUBLED = str.maketrans("0123456789", "0246813579")


def luhn_valid(digits: str) -> bool:
    return _LuhnSums(digits).valid(0, len(digits))


def mask_card_numbers(text: str) -> tuple[str, int]:
    """Return the text with card numbers masked, and how many were masked."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        run = match.group(0)
        if sum(map(str.isdecimal, run)) < _CARD_LENGTHS[0]:
            return run
        spans = _merged(_card_windows(run))
        if not spans:
            return run
        count += len(spans)
        chars = list(run)
        for start, end in spans:
            digits = [index for index in range(start, end) if run[index].isdecimal()]
            for index in digits[:-_KEPT]:
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
    card's: +8613800138002 passes the Luhn check."""
    stored = storable_text(text)[0]
    masked = mask_card_numbers(stored)[0]
    if masked == stored:
        return stored
    import phonenumbers  # only here: its tables take longer to load than the window to show

    try:
        number = phonenumbers.parse(unicodedata.normalize("NFKC", stored), region)
    except phonenumbers.NumberParseException:
        return masked
    return stored if phonenumbers.is_valid_number(number) else masked


def _card_windows(run: str) -> list[tuple[int, int]]:
    """The card numbers of a run, as [start, end) ranges of its characters."""
    groups = [match.span() for match in _DIGITS.finditer(run)]
    sizes = [end - start for start, end in groups]
    firsts = list(accumulate(sizes, initial=0))  # each group's first digit, counted in the run
    luhn: _LuhnSums | None = None
    windows = []
    for first, size in enumerate(sizes):
        if size < _CARD_GROUP[0] or size > LONGEST_GROUP_WITH_CARD:
            continue
        luhn = luhn or _LuhnSums("".join(run[start:end] for start, end in groups))
        if size > _LONGEST_CARD:
            start = groups[first][0]
            windows += [(start + a, start + b)
                        for a, b in _inside(luhn, firsts[first], firsts[first] + size)]
            continue
        for last in range(first, len(sizes)):
            length = firsts[last + 1] - firsts[first]
            if length > _LONGEST_CARD or (last > first and sizes[last] not in _LAST_GROUP):
                break
            if length in _CARD_LENGTHS and luhn.valid(firsts[first], firsts[last + 1]):
                windows.append((groups[first][0], groups[last][1]))
            if sizes[last] not in _CARD_GROUP:
                break
    return windows


class _LuhnSums:
    """The Luhn check of any stretch of a run's digits, at the cost of two look-ups."""

    def __init__(self, digits: str):
        if not digits.isascii():
            digits = "".join(str(unicodedata.decimal(char)) for char in digits)
        doubled = digits.translate(_DOUBLED)
        self._sums = []
        for parity in (0, 1):  # the digits at even, then at odd indices doubled
            weighted = list(digits)
            weighted[parity::2] = doubled[parity::2]
            self._sums.append([0, *accumulate(map(int, weighted))])

    def valid(self, start: int, end: int) -> bool:
        """Whether digits [start, end) pass: the last is not doubled, the one before it is."""
        sums = self._sums[end % 2]
        return (sums[end] - sums[start]) % 10 == 0


def _inside(luhn: _LuhnSums, start: int, end: int) -> list[tuple[int, int]]:
    """The stretch the cards inside a group of 20–23 digits cover, relative to the group
    (any two of them overlap): from the first card's start to the last one's end."""
    leftmost, rightmost = _windows_inside(end - start)
    first = next((a for a, b in leftmost if luhn.valid(start + a, start + b)), None)
    if first is None:
        return []
    last = next(b for a, b in rightmost if luhn.valid(start + a, start + b))
    return [(first, last)]


@functools.cache
def _windows_inside(size: int) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Every stretch of 13–19 digits of a group of ``size``: leftmost first, and the one
    that ends last first."""
    windows = [(a, a + length) for a in range(size) for length in _CARD_LENGTHS
               if a + length <= size]
    return tuple(windows), tuple(sorted(windows, key=lambda window: -window[1]))


def _merged(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping card numbers as one span."""
    spans: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans
