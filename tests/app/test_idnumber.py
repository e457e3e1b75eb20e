"""GB 11643 resident ID numbers: check digit, birth date, old 15-digit numbers, masking."""

from datetime import date

import pytest

from app.membership.idnumber import IdNumberError, check_char, mask_id_number, normalize_id_number

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("number", ["11010519491231002X", "460100199003071237", "440524198001010013"])
def test_valid_numbers(number):
    assert normalize_id_number(number, today=TODAY) == number


def test_lowercase_x_and_spaces_are_normalised():
    assert normalize_id_number(" 11010519491231002x ", today=TODAY) == "11010519491231002X"


@pytest.mark.parametrize("number, code", [
    ("110105194912310021", "check_digit"),          # wrong check digit
    ("110105491231002", "old_format"),              # 15-digit first-generation number
    ("11010519491231002", "format"),                # 17 characters
    ("1101051949123100XX", "format"),
    ("990105194912310021", "region"),               # no such province
    ("110105194902300020", "birth_date"),           # 30 February
    ("110105203001010011", "birth_date"),           # born in the future
    ("110105180001010011", "birth_date"),           # older than 120 years
])
def test_invalid_numbers_say_why(number, code):
    with pytest.raises(IdNumberError) as info:
        normalize_id_number(number, today=TODAY)
    assert info.value.code == code
    assert str(info.value.message)


def test_check_char_matches_the_standard_example():
    # The standard's worked example: 11010519491231002 → X
    assert check_char("11010519491231002") == "X"


def test_mask_shows_last_four_only():
    assert mask_id_number("002X") == "**************002X"
