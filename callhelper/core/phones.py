"""Phone numbers as callers write them, reduced to one key per line.

The same line arrives as 03-1234-5678, ０３（１２３４）５６７８, +81 3 1234 5678 or
tel:+81-3-1234-5678; all of them get the key ``+81312345678`` (E.164, with ``;ext=N`` for
an extension), so one caller is one caller. A number that does not parse keeps what was
typed (trimmed) as its key, and is still found by exactly that text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

DEFAULT_REGION = "JP"
MIN_DIGITS = 3
_SCHEMES = re.compile(r"^\s*(tel|callto|sip)\s*:\s*", re.IGNORECASE)
_EXTENSION_WORDS = re.compile(r"\s*(内線|ないせん|ext\.?|x)\s*(?=\d)", re.IGNORECASE)


@dataclass(frozen=True)
class PhoneNumber:
    typed: str
    key: str
    display: str
    parsed: bool


def normalize_phone(text: str, region: str = DEFAULT_REGION) -> PhoneNumber:
    """The number's key and display form. Text with fewer than three digits (非通知,
    anonymous, withheld) is no number at all: its key is empty, so such callers are never
    taken for one another."""
    typed = text.strip()
    if sum(char.isdigit() for char in typed) < MIN_DIGITS:
        return PhoneNumber(typed, "", typed, False)
    candidate = unicodedata.normalize("NFKC", typed)
    if candidate.lower().startswith(("callto:", "sip:")):
        candidate = _SCHEMES.sub("", candidate)
    candidate = _EXTENSION_WORDS.sub(" ext. ", candidate)
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return PhoneNumber(typed, typed, typed, False)
    if not phonenumbers.is_possible_number(number):
        return PhoneNumber(typed, typed, typed, False)
    key = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.extension:
        key += f";ext={number.extension}"
    same_country = phonenumbers.region_code_for_number(number) == region.upper()
    display = phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.NATIONAL if same_country
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return PhoneNumber(typed, key, display, True)


def phone_key(text: str, region: str = DEFAULT_REGION) -> str:
    return normalize_phone(text, region).key
