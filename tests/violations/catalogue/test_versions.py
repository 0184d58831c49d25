"""Changing the catalogue without changing history: a seeded version a notice used is kept by a
re-seed, and a new version starts only from an open version, today or later."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah import clock
from amanah.dates import business_date
from amanah.errors import DomainError
from violations import catalogue
from violations.catalogue import ITEM_FIELDS, item_version_create, violation_catalogue_seed
from violations.models import ItemFine, ViolationItem, ViolationLine

from ..factories import fine_issued_make, violations_world

pytestmark = pytest.mark.django_db

FINES = {n: (Decimal("100"), Decimal("200")) for n in range(1, 6)}


def _values(item: ViolationItem, **changes) -> dict:
    return {**{name: getattr(item, name) for name in ITEM_FIELDS}, **changes}


def test_a_reseed_keeps_a_seeded_version_a_notice_used(monkeypatch):
    # given a seeded item that a notice's line was computed from
    violation_catalogue_seed()
    item = ViolationItem.objects.get(code="HL-010")
    fine = fine_issued_make(violations_world())
    ViolationLine.objects.filter(violation=fine).update(item=item)
    before = ViolationItem.objects.filter(pk=item.pk).values().get()
    bands = list(ItemFine.objects.filter(item=item).values())
    # when the seed's data for it changes and the seed runs again
    changed = [dict(data, name_en="Smoking indoors", class1=(Decimal("1"), Decimal("2")))
               if data["code"] == "HL-010" else data for data in catalogue.ITEMS]
    monkeypatch.setattr(catalogue, "ITEMS", changed)
    tallies = violation_catalogue_seed()
    # then the version and its ranges are as the notice knew them
    assert tallies["items"]["in use, kept"] == 1
    assert ViolationItem.objects.filter(pk=item.pk).values().get() == before
    assert list(ItemFine.objects.filter(item=item).values()) == bands


def test_a_new_version_starts_only_from_an_open_version_today_or_later():
    # given a seeded item
    violation_catalogue_seed()
    item = ViolationItem.objects.get(code="SA-007")
    today = business_date(clock.now())
    # when a new version is asked from yesterday
    with pytest.raises(DomainError) as refused:
        item_version_create(item_id=item.pk, effective_from=today - dt.timedelta(days=1),
                            values=_values(item), fines=FINES)
    # then it is refused, naming the field, and nothing changed
    assert (refused.value.code, refused.value.field) == ("violations.version_date_early",
                                                        "effective_from")
    assert ViolationItem.objects.filter(code="SA-007").count() == 1
    # when a version from today is made, and then another from the old (now ended) version
    new = item_version_create(item_id=item.pk, effective_from=today, values=_values(item),
                              fines=FINES)
    with pytest.raises(DomainError) as refused:
        item_version_create(item_id=item.pk, effective_from=today + dt.timedelta(days=5),
                            values=_values(item), fines=FINES)
    # then the first is made and the second refused: only the open version can be followed
    assert refused.value.code == "violations.version_not_open"
    assert list(ViolationItem.objects.filter(code="SA-007").order_by("effective_from")
                .values_list("effective_to", flat=True)) == [today, None]
    assert new.fines.count() == 5


def test_a_new_version_with_a_serious_item_warned_is_refused_and_writes_nothing():
    violation_catalogue_seed()
    item = ViolationItem.objects.get(code="HL-001")
    today = business_date(clock.now())
    with pytest.raises(DomainError) as refused:
        item_version_create(item_id=item.pk, effective_from=today + dt.timedelta(days=1),
                            values=_values(item, correction_days=7), fines=FINES)
    assert (refused.value.code, refused.value.field) == ("violations.serious_not_warned",
                                                        "correction_days")
    item.refresh_from_db()
    assert item.effective_to is None
    assert ViolationItem.objects.filter(code="HL-001").count() == 1
