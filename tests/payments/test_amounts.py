"""Amounts on the wire (§1): property-based, never through float."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.sadad.wire import WireError, amount_format, amount_parse

VALID = re.compile(r"\d{1,10}(\.\d{1,2})?", re.ASCII)

integer_part = st.text(alphabet="0123456789", min_size=1, max_size=10)
fraction_part = st.one_of(st.just(""), st.text(alphabet="0123456789", min_size=1, max_size=2)
                          .map(lambda f: "." + f))


@given(integer_part, fraction_part)
def test_every_valid_positive_amount_parses_to_its_exact_decimal(whole, fraction):
    text = whole + fraction
    # zero in any spelling is refused; every other valid string is its own exact value
    if Decimal(text) == 0:
        with pytest.raises(WireError):
            amount_parse(text)
        return
    value = amount_parse(text)
    assert value == Decimal(text)
    assert isinstance(value, Decimal)
    # and writes back as two places with the same value
    assert Decimal(amount_format(value)) == value
    assert amount_format(value) == f"{Decimal(text):.2f}"


@given(st.text(max_size=16))
def test_anything_not_matching_the_pattern_is_refused(text):
    if VALID.fullmatch(text) and Decimal(text) > 0:
        assert amount_parse(text) == Decimal(text)
    else:
        with pytest.raises(WireError):
            amount_parse(text)


@given(st.decimals(allow_nan=True, allow_infinity=True).map(str))
def test_decimal_spellings_outside_the_pattern_are_refused(text):
    if VALID.fullmatch(text) and Decimal(text) > 0:
        assert amount_parse(text) == Decimal(text)
    else:
        with pytest.raises(WireError):
            amount_parse(text)


@given(st.floats(min_value=0.01, max_value=1e9))
def test_float_renderings_are_not_trusted_beyond_the_pattern(number):
    # repr of a float may carry many places or an exponent: only pattern-valid text passes
    text = repr(number)
    if VALID.fullmatch(text):
        assert amount_parse(text) == Decimal(text)
    else:
        with pytest.raises(WireError):
            amount_parse(text)


def test_equal_spellings_are_equal():
    assert amount_parse("150") == amount_parse("150.0") == amount_parse("150.00")
    assert amount_parse("150.5") == amount_parse("150.50") == Decimal("150.50")


@pytest.mark.parametrize("text", ["-5", "1e3", "150.505", " 12 ", "١٥٠", "۱۵۰", "", "0",
                                  "00.00", "12345678901", "1_000", "150.5\n", "\n150.5",
                                  "１５０"])
def test_listed_bad_amounts_are_refused(text):
    with pytest.raises(WireError):
        amount_parse(text)
