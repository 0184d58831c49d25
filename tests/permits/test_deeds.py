"""The deed registry: the local stand-in answers what a deed says; the setting picks the class."""

import datetime as dt
from decimal import Decimal

import pytest

from permits.deeds import (
    DeedRecord,
    LocalDeedRegistry,
    deed_number_normalise,
    deed_registry,
)
from tests.permits.factories import deed_make

pytestmark = pytest.mark.django_db


def test_the_local_registry_answers_what_the_deed_says():
    # given a deed in the local registry
    deed_make(owner_id="1000000008", municipality_code="M900", number="310112345678",
              area="612.50", zone="res-b", is_active=False)
    # when it is looked up by its number
    record = LocalDeedRegistry().deed_lookup(deed_number="310112345678")
    # then every fact of the deed comes back, as a frozen record
    assert record == DeedRecord(
        number="310112345678", date=dt.date(2019, 3, 14), owner_id="1000000008",
        owner_name="مالك تجريبي", municipality_code="M900", district_code="north",
        plan_number="2145", parcel_number="5678", area_m2=Decimal("612.50"), zone="res-b",
        is_active=False)
    with pytest.raises(AttributeError):
        record.owner_id = "1000000016"


def test_an_unknown_deed_is_none():
    deed_make(owner_id="1000000008", municipality_code="M900", number="310112345678")
    assert LocalDeedRegistry().deed_lookup(deed_number="310112345679") is None


class _OneDeedRegistry:
    """Another registry, as production's would be: any class with deed_lookup."""

    def deed_lookup(self, *, deed_number: str):
        return None if deed_number != "1" else "the other registry's answer"


def test_the_setting_names_the_registry(settings):
    assert isinstance(deed_registry(), LocalDeedRegistry)
    settings.PERMITS_DEED_REGISTRY = "tests.permits.test_deeds._OneDeedRegistry"
    registry = deed_registry()
    assert isinstance(registry, _OneDeedRegistry)
    assert registry.deed_lookup(deed_number="1") == "the other registry's answer"


@pytest.mark.parametrize(("typed", "number"), [
    ("310112345678", "310112345678"),
    (" ٣١٠١١٢٣٤٥٦٧٨ ", "310112345678"),
    ("3101-1234 5678", "310112345678"),
    ("31011234567A", None),
    ("", None),
    ("1" * 21, None),
])
def test_deed_numbers_are_read_as_digits(typed, number):
    assert deed_number_normalise(typed) == number
