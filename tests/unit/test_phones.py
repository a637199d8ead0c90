"""One line, however it is written, is one caller."""

import pytest

from callhelper.core.phones import normalize_phone, phone_key


@pytest.mark.parametrize("written", [
    "03-1234-5678", "0312345678", "03 1234 5678", "(03) 1234-5678", "03(1234)5678",
    "０３－１２３４－５６７８", "０３（１２３４）５６７８", "+81 3-1234-5678", "+81312345678",
    "tel:+81-3-1234-5678", "tel:03-1234-5678;phone-context=+81", "callto:+81312345678",
    " 03-1234-5678 ",
])
def test_common_japanese_forms_of_one_line_share_a_key(written):
    number = normalize_phone(written)
    assert number.parsed
    assert number.key == "+81312345678"
    assert number.display == "03-1234-5678"


def test_mobiles_and_free_dial():
    assert phone_key("090-1234-5678") == "+819012345678"
    assert normalize_phone("0120-123-456").display == "0120-123-456"


@pytest.mark.parametrize("written", ["03-1234-5678 内線12", "03-1234-5678 ext. 12",
                                     "０３－１２３４－５６７８ 内線 １２"])
def test_extensions_are_part_of_the_key(written):
    assert phone_key(written) == "+81312345678;ext=12"


def test_a_foreign_number_shows_its_country():
    number = normalize_phone("+1 650 253 0000")
    assert number.key == "+16502530000"
    assert number.display.startswith("+1 ")


def test_the_region_is_configurable():
    assert phone_key("(650) 253-0000", region="US") == "+16502530000"


@pytest.mark.parametrize("written", ["#1234", "123-45", "9999"])
def test_numbers_that_do_not_parse_are_kept_as_typed(written):
    number = normalize_phone(f" {written} ")
    assert not number.parsed
    assert number.key == number.display == written


@pytest.mark.parametrize("written", ["", "   ", "非通知", "anonymous", "0", "公衆電話 12"])
def test_withheld_numbers_have_no_key(written):
    assert normalize_phone(written).key == ""
