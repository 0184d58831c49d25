"""What the typed text is read as: decided once, in amanah, for every provider."""

import pytest

from amanah.search import QueryKind, name_pattern, search_query_parse
from tests.factories import national_id_for


@pytest.mark.parametrize("text,kind,field,value", [
    (national_id_for(5), QueryKind.NATIONAL_ID, "national_id", national_id_for(5)),
    (" ١٠٠٠٠٠٠٠٥" + national_id_for(5)[-1], QueryKind.NATIONAL_ID, "national_id",
     national_id_for(5)),
    (national_id_for(7, first_digit="2"), QueryKind.IQAMA, "national_id",
     national_id_for(7, first_digit="2")),
    ("7000001001", QueryKind.UNIFIED_NUMBER, "unified_number", "7000001001"),
    ("0551234567", QueryKind.MOBILE, "mobile", "+966551234567"),
    ("551234567", QueryKind.MOBILE, "mobile", "+966551234567"),
    ("966551234567", QueryKind.MOBILE, "mobile", "+966551234567"),
    ("+966551234567", QueryKind.MOBILE, "mobile", "+966551234567"),
    ("+966 55 123 4567", QueryKind.MOBILE, "mobile", "+966551234567"),
    ("055-123-4567", QueryKind.MOBILE, "mobile", "+966551234567"),
    ("khb-1448-000012", QueryKind.REFERENCE, "reference", "KHB-1448-000012"),
    ("10000000018", QueryKind.REFERENCE, "reference", "10000000018"),
    ("محمد العتيبي", QueryKind.NAME, "name", "محمد العتيبي"),
    ("  Sara   Ahmed ", QueryKind.NAME, "name", "Sara Ahmed"),
])
def test_the_text_is_read_as_what_it_looks_like(text, kind, field, value):
    query = search_query_parse(text)
    assert query.kind == kind
    assert getattr(query, field) == value
    assert query.is_searchable


def test_a_ten_digit_number_with_a_wrong_check_digit_is_only_a_reference():
    good = national_id_for(5)
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    query = search_query_parse(wrong)
    assert (query.kind, query.national_id, query.reference) == (QueryKind.REFERENCE, "", wrong)


@pytest.mark.parametrize("text,kind", [
    ("", QueryKind.EMPTY), ("   ", QueryKind.EMPTY), ("م", QueryKind.TOO_SHORT),
    ("a", QueryKind.TOO_SHORT), ("5", QueryKind.TOO_SHORT), ("-", QueryKind.TOO_SHORT),
])
def test_empty_and_too_short_texts_are_not_searched(text, kind):
    query = search_query_parse(text)
    assert query.kind == kind
    assert not query.is_searchable


def test_arabic_letter_variants_match_each_other():
    assert name_pattern("احمد") == "[اأإآ]حمد"
    assert name_pattern("فاطمه علي") == r"ف[اأإآ]طم[هة]\s+عل[يى]"
