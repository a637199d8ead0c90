"""Card numbers are masked before they are stored, however they are written; other numbers
are left alone."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callhelper.core.pii import MASK, luhn_valid, mask_card_numbers, masked_phone


@pytest.mark.parametrize("text, expected", [
    ("4111111111111111", "************1111"),
    ("番号は 4111 1111 1111 1111 です", "番号は **** **** **** 1111 です"),
    ("5500-0000-0000-0004", "****-****-****-0004"),
    ("４１１１１１１１１１１１１１１１", "************１１１１"),
    ("4111  1111\t1111\n1111", "****  ****\t****\n1111"),
    ("4111.1111/1111_1111", "****.****/****_1111"),
    ("4111,1111,1111,1111", "****,****,****,1111"),
    ("4111\u00a01111\u00a01111\u00a01111", "****\u00a0****\u00a0****\u00a01111"),
    ("4111\u200b1111\u200b1111\u200b1111", "****\u200b****\u200b****\u200b1111"),
    ("4111–1111—1111−1111", "****–****—****−1111"),
    ("4111－1111\u30001111ー1111", "****－****\u3000****ー1111"),
    ("(4111) 1111-1111-1111", "(****) ****-****-1111"),
    ("٤١١١١١١١١١١١١١١١", "************١١١١"),
    ("४१११ ११११ ११११ ११११", "**** **** **** ११११"),
    ("3782 822463 10005", "**** ****** *0005"),
    ("4111 1111 1111 1111 123", "**** **** **** 1111 123"),
    ("4111111111111111 12/28 123", "************1111 12/28 123"),
    ("1 4111 1111 1111 1111", "1 **** **** **** 1111"),
    ("1234 4111111111111111", "1234 ************1111"),
    ("41111111111111111234", "****************1234"),
])
def test_card_numbers_keep_only_the_last_four_digits(text, expected):
    masked, count = mask_card_numbers(text)
    assert masked == expected
    assert count == 1


def test_each_card_of_a_list_is_counted():
    masked, count = mask_card_numbers("4111111111111111, 5500 0000 0000 0004")
    assert masked == "************1111, **** **** **** 0004"
    assert count == 2


@pytest.mark.parametrize("text", [
    "03-1234-5678",
    "注文番号 4111111111111112",
    "注文番号 4111-1111-1111-1112 の件",
    "090 1234 5678 に折り返してください",
    "+81 90-1234-5678",
    "+86 138 0013 8000",
    "2026/12/04 2026/12/05",
    "2026-12-04 10:30",
    "¥12,000 と 1,234,567円",
    "〒100-0001",
    "250-1234567-1234567",
    "123456-20261204-1234567890",
    "追跡番号 123456789012345678901234567890",
    "12345",
])
def test_other_digit_runs_are_left_alone(text):
    assert mask_card_numbers(text) == (text, 0)


@pytest.mark.parametrize("typed, stored", [
    ("+8613800138002", "+8613800138002"),
    ("03-1234-5678", "03-1234-5678"),
    ("4111 1111 1111 1111", "**** **** **** 1111"),
])
def test_a_phone_number_keeps_its_digits_but_a_card_in_its_field_is_masked(typed, stored):
    assert luhn_valid("8613800138002")
    assert masked_phone(typed, "JP") == stored


def test_luhn():
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


# ------------------------------------------------------------------ properties

#: The decimal digits of scripts a paste may carry, by the script's zero.
ZEROS = ["0", "０", "\u0660", "\u06f0", "\u0966", "\u09e6", "\u0e50", "\u1040", "\U0001d7ce"]
SEPARATORS = [" ", "  ", "\t", "\n", "\r\n", "-", " - ", ".", "/", "_", ",", ", ", "\u00a0",
              "\u3000", "\u2010", "\u2011", "\u2013", "\u2014", "\u2212", "\uff0d", "ー",
              "\uff0e", "\uff0f", ") ", "\u200b", "-\u200b", "\u00ad", "\ufeff "]
WORDS = st.sampled_from(["", "カード番号は", "card no. ", "番号 ", "「", "(", "は", "です",
                         "で支払った", " CVV", "。", "!", "\n"])


@st.composite
def written(draw, digits: str) -> str:
    """``digits`` as a person or a paste writes them: each digit in any script."""
    return "".join(chr(ord(draw(st.sampled_from(ZEROS))) + int(d)) for d in digits)


@st.composite
def card_numbers(draw) -> str:
    """A Luhn-valid number of 13 to 19 digits."""
    body = draw(st.text("0123456789", min_size=12, max_size=18))
    check = next(d for d in "0123456789" if luhn_valid(body + d))
    return body + check


@st.composite
def grouped(draw, digits: str) -> list[str]:
    """The digits in groups as cards are written: none, or each of 4–6 but the last, which
    may be of 3."""
    if draw(st.booleans()):
        return [digits]
    groups = []
    while len(digits) > 6:
        size = draw(st.integers(4, min(6, len(digits) - 3)))
        groups.append(digits[:size])
        digits = digits[size:]
    return groups + [digits]


@st.composite
def cards_in_text(draw) -> tuple[str, range]:
    """Text with a card number in it, and where the card's characters are."""
    card = draw(card_numbers())
    groups = [draw(written(group)) for group in draw(grouped(card))]
    gaps = [draw(st.sampled_from(SEPARATORS)) for _ in groups[1:]]
    number = groups[0] + "".join(gap + group for gap, group in zip(gaps, groups[1:]))
    before = draw(WORDS)
    after = draw(WORDS)
    if draw(st.booleans()):  # digits beside the card: a code, a date, a stray digit
        before += draw(written(draw(st.text("0123456789", min_size=1, max_size=6))))
        before += draw(st.sampled_from(SEPARATORS))
    if draw(st.booleans()):
        after = (draw(st.sampled_from(SEPARATORS))
                 + draw(written(draw(st.text("0123456789", min_size=1, max_size=6)))) + after)
    if len(groups) == 1 and draw(st.booleans()):  # typed against it: a group of 20–23
        stuck = draw(st.integers(20, 23)) - len(card)
        prefix = draw(st.integers(0, stuck))
        before += draw(written(draw(st.text("0123456789", min_size=prefix, max_size=prefix))))
        after = draw(written(draw(st.text("0123456789", min_size=stuck - prefix,
                                          max_size=stuck - prefix)))) + after
    text = before + number + after
    return text, range(len(before), len(before) + len(number))


@given(cards_in_text())
def test_no_card_number_survives_masking(case):
    text, card = case
    masked, count = mask_card_numbers(text)
    assert count >= 1
    assert len(masked) == len(text)
    visible = [masked[i] for i in card if masked[i] != MASK and text[i].isdecimal()]
    assert len(visible) <= 4, (text, masked)


@st.composite
def phone_numbers(draw) -> str:
    """A Japanese number as callers and agents write it: landline, mobile, free dial,
    national or +81, in hyphens, spaces, brackets, any digits."""
    area, local = draw(st.sampled_from([(1, 4), (2, 3), (3, 2), (4, 1), (2, 4), (3, 3)]))
    digits = draw(st.text("0123456789", min_size=area + local + 4, max_size=area + local + 4))
    head, middle, tail = digits[:area], digits[area:area + local], digits[area + local:]
    separator = draw(st.sampled_from(["-", " ", "ー", "－", "\u2010", ""]))
    if draw(st.booleans()):
        number = f"+81 {head}{separator}{middle}{separator}{tail}"
    elif draw(st.booleans()):
        number = f"0{head}({middle}){tail}"
    else:
        number = f"0{head}{separator}{middle}{separator}{tail}"
    return "".join(draw(written(c)) if c.isdigit() else c for c in number)


DATES = st.dates().map(lambda d: d.strftime(
    "%Y/%m/%d")) | st.datetimes().map(lambda t: t.strftime("%Y-%m-%d %H:%M"))
AMOUNTS = st.integers(0, 10**12).map(lambda n: f"¥{n:,}") | st.integers(0, 10**12).map(
    lambda n: f"{n:,}円")
POSTAL_CODES = st.integers(0, 9999999).map(lambda n: f"〒{n:07d}"[:4] + "-" + f"{n:07d}"[3:])


PHONE, OTHER = "phone", "other"
NUMBERS = st.one_of(phone_numbers().map(lambda n: (PHONE, n)),
                    st.one_of(DATES, AMOUNTS, POSTAL_CODES).map(lambda n: (OTHER, n)))


@given(st.lists(st.tuples(NUMBERS, st.sampled_from(["に", "、", "。", " の ", "まで", "\n", " "])),
                min_size=1, max_size=4))
def test_phone_numbers_dates_and_amounts_are_left_alone(pieces):
    """Also one right after another, after a space or on the next line; but not two phone
    numbers so: those may together look like a card (docs/data-safety.md)."""
    text = ""
    for ((kind, number), word), ((following, _), _) in zip(pieces, pieces[1:] + [((OTHER, ""), "")]):
        if kind == following == PHONE and word.isspace():
            word = "、"
        text += number + word
    assert mask_card_numbers(text) == (text, 0)
