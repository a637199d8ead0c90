"""Card numbers are masked before they are stored; other numbers are left alone."""

import pytest

from callhelper.core.pii import luhn_valid, mask_card_numbers


@pytest.mark.parametrize("text, expected", [
    ("4111111111111111", "************1111"),
    ("番号は 4111 1111 1111 1111 です", "番号は **** **** **** 1111 です"),
    ("5500-0000-0000-0004", "****-****-****-0004"),
    ("４１１１１１１１１１１１１１１１", "************１１１１"),
])
def test_card_numbers_keep_only_the_last_four_digits(text, expected):
    masked, count = mask_card_numbers(text)
    assert masked == expected
    assert count == 1


@pytest.mark.parametrize("text", [
    "03-1234-5678",
    "注文番号 4111111111111112",
    "090 1234 5678 に折り返してください",
    "12345",
])
def test_other_digit_runs_are_left_alone(text):
    assert mask_card_numbers(text) == (text, 0)


def test_luhn():
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
