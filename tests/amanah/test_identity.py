import pytest

from amanah.enums import IdType
from amanah.errors import DomainError
from amanah.identity import (
    luhn_check_digit,
    mobile_normalise,
    national_id_normalise,
    official_id_type,
    unified_number_normalise,
)
from amanah.models import Person
from tests.factories import national_id_for

VALID_NATIONAL_ID = national_id_for(1234567)          # 1 + 8 digits + check digit
VALID_IQAMA = national_id_for(7654321, first_digit="2")


def _flip_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def _arabic_indic(number: str) -> str:
    return number.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def test_factory_ids_are_what_the_luhn_helper_says():
    # given the payloads / then their last digit is the Luhn check digit
    assert VALID_NATIONAL_ID[-1] == luhn_check_digit(VALID_NATIONAL_ID[:-1])
    assert VALID_IQAMA.startswith("2")


@pytest.mark.parametrize(("raw", "expected"), [
    (VALID_NATIONAL_ID, VALID_NATIONAL_ID),
    (VALID_IQAMA, VALID_IQAMA),
    (f"  {VALID_NATIONAL_ID} ", VALID_NATIONAL_ID),
    (_arabic_indic(VALID_NATIONAL_ID), VALID_NATIONAL_ID),
    (VALID_IQAMA.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")), VALID_IQAMA),
], ids=["national-id", "iqama", "spaces", "arabic-indic", "eastern-arabic-indic"])
def test_valid_national_id_and_iqama_are_normalised(raw, expected):
    # when / then
    assert national_id_normalise(raw) == expected


@pytest.mark.parametrize(("raw", "code"), [
    (_flip_check_digit(VALID_NATIONAL_ID), "identity.bad_check_digit"),
    (_flip_check_digit(VALID_IQAMA), "identity.bad_check_digit"),
    (_arabic_indic(_flip_check_digit(VALID_NATIONAL_ID)), "identity.bad_check_digit"),
    (VALID_NATIONAL_ID[:-1], "identity.bad_length"),
    (VALID_NATIONAL_ID + "0", "identity.bad_length"),
    ("", "identity.bad_length"),
    ("10123456a4", "identity.bad_length"),
    ("3" + VALID_NATIONAL_ID[1:], "identity.bad_prefix"),
    ("0" + VALID_NATIONAL_ID[1:], "identity.bad_prefix"),
], ids=["bad-check-digit", "iqama-bad-check-digit", "arabic-indic-bad-check-digit",
        "nine-digits", "eleven-digits", "empty", "letter", "prefix-3", "prefix-0"])
def test_invalid_national_id_is_refused_with_a_stable_code(raw, code):
    # when
    with pytest.raises(DomainError) as refused:
        national_id_normalise(raw)
    # then
    assert refused.value.code == code
    assert refused.value.field == "national_id"
    assert refused.value.message_ar and refused.value.message_en


@pytest.mark.parametrize(("raw", "expected"), [
    ("7001234567", "7001234567"),
    ("٧٠٠١٢٣٤٥٦٧", "7001234567"),
])
def test_valid_unified_number(raw, expected):
    assert unified_number_normalise(raw) == expected


@pytest.mark.parametrize(("raw", "code"), [
    ("700123456", "identity.unified_bad_length"),
    ("70012345678", "identity.unified_bad_length"),
    ("1001234567", "identity.unified_bad_prefix"),
    ("٨٠٠١٢٣٤٥٦٧", "identity.unified_bad_prefix"),
])
def test_invalid_unified_number(raw, code):
    with pytest.raises(DomainError) as refused:
        unified_number_normalise(raw)
    assert refused.value.code == code


@pytest.mark.parametrize(("raw", "expected"), [
    ("0551234567", "+966551234567"),
    ("551234567", "+966551234567"),
    ("966551234567", "+966551234567"),
    ("+966551234567", "+966551234567"),
    ("00966551234567", "+966551234567"),
    ("055 123 4567", "+966551234567"),
    ("٠٥٥١٢٣٤٥٦٧", "+966551234567"),
])
def test_valid_mobile_is_normalised_to_e164(raw, expected):
    assert mobile_normalise(raw) == expected


@pytest.mark.parametrize("raw", [
    "0131234567",        # landline prefix, not 05
    "05512345",          # too short
    "05512345678",       # too long
    "+971551234567",     # another country
    "",
    "٠١٣١٢٣٤٥٦٧",        # Arabic-Indic landline
])
def test_invalid_mobile_is_refused(raw):
    with pytest.raises(DomainError) as refused:
        mobile_normalise(raw)
    assert refused.value.code == "identity.bad_mobile"
    assert refused.value.field == "mobile"


@pytest.mark.parametrize(("number", "expected"), [
    (VALID_NATIONAL_ID, IdType.NATIONAL_ID),
    (VALID_IQAMA, IdType.IQAMA),
    ("7001234567", IdType.UNIFIED_NUMBER),
    ("٧٠٠١٢٣٤٥٦٧", IdType.UNIFIED_NUMBER),
    (_arabic_indic(VALID_IQAMA), IdType.IQAMA),
    (" " + VALID_NATIONAL_ID, IdType.NATIONAL_ID),
    ("3001234567", None),
    ("8001234567", None),
    ("0551234567", None),
    ("", None),
], ids=["national-id", "iqama", "unified", "arabic-indic-unified", "arabic-indic-iqama",
        "leading-space", "prefix-3", "prefix-8", "mobile", "empty"])
def test_official_id_type_is_read_from_the_first_digit(number, expected):
    # when / then
    assert official_id_type(number) == expected


def test_official_id_type_gives_sadads_codes():
    # given one number of each kind / then the type is SADAD's OfficialIdType code
    assert [str(official_id_type(n)) for n in (VALID_NATIONAL_ID, VALID_IQAMA, "7001234567")] \
        == ["NAT", "IQA", "UNN"]


def test_official_id_type_does_not_check_the_format():
    # given a number with the right first digit but a wrong check digit and length
    # then only its kind is said; the normalise functions are the ones that refuse it
    assert official_id_type("1") == IdType.NATIONAL_ID
    assert official_id_type(_flip_check_digit(VALID_IQAMA)) == IdType.IQAMA


@pytest.mark.parametrize(("number", "expected"), [
    (VALID_NATIONAL_ID, IdType.NATIONAL_ID),
    (VALID_IQAMA, IdType.IQAMA),
], ids=["citizen", "resident"])
def test_a_persons_id_type_follows_the_same_rule(number, expected):
    # given a person (unsaved: the rule needs no database) / then
    assert Person(national_id=number).id_type == expected
