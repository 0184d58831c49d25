"""The seeded catalogue: its shape (groups, items, a third warned first, penalties, checklists
by activity and permit type) and that seeding again writes nothing."""

from decimal import Decimal

import pytest

from violations.catalogue import CATALOGUE_FROM, ITEMS, violation_catalogue_seed
from violations.enums import PenaltyKind
from violations.models import (
    Checklist,
    ChecklistQuestion,
    ItemFine,
    SizeShare,
    ViolationGroup,
    ViolationItem,
)

pytestmark = pytest.mark.django_db


def test_the_seed_writes_a_realistic_catalogue():
    # when the catalogue is seeded
    violation_catalogue_seed()
    # then five groups, fifty items, each with a range for classes 1–5, class 1 the highest
    assert sorted(ViolationGroup.objects.values_list("code", flat=True)) == [
        "building", "commercial", "health", "public-space", "signage"]
    items = ViolationItem.objects.all()
    assert items.count() == 50 and {i.effective_from for i in items} == {CATALOGUE_FROM}
    assert ItemFine.objects.count() == 250
    for item in items:
        ranges = list(ItemFine.objects.filter(item=item).order_by("municipality_class")
                      .values_list("fine_max", flat=True))
        assert ranges == sorted(ranges, reverse=True) and len(ranges) == 5
    # about a third are warned first, never a serious one
    warned = items.filter(correction_days__isnull=False)
    assert warned.count() == 17 and not warned.filter(is_serious=True).exists()
    # penalties of every kind are used, and objection periods are 15 days unless said
    assert set(items.exclude(penalty_kind="").values_list("penalty_kind", flat=True)) == set(
        PenaltyKind.values)
    assert items.filter(objection_days=15).count() == 43
    # shares by size
    assert dict(SizeShare.objects.values_list("size", "percent")) == {
        "large": Decimal("100.00"), "medium": Decimal("75.00"), "small": Decimal("50.00"),
        "micro": Decimal("25.00"), "individual": Decimal("50.00")}
    # checklists: a general one, per permit type with a site, per licence activity
    lists = {c.code: c for c in Checklist.objects.all()}
    assert lists["general-municipal"].is_general
    assert {c.permit_type_code for c in lists.values()} >= {
        "building_permit", "excavation_permit", "signage_permit", "commercial_license"}
    assert {c.activity_code for c in lists.values()} >= {"471101", "561001", "960201"}
    # and every question names a seeded item
    codes = set(items.values_list("code", flat=True))
    assert set(ChecklistQuestion.objects.values_list("item_code", flat=True)) <= codes


def test_the_licence_activity_codes_of_the_checklists_exist_in_the_licence_catalogue():
    # given the licence catalogue's activity codes
    from permits.licences.catalogue import ACTIVITY_CODES
    from violations.catalogue import CHECKLISTS
    # then every checklist for an activity names one of them
    named = {target["activity_code"] for _, _, target, _ in CHECKLISTS.values()
             if "activity_code" in target}
    assert named and named <= set(ACTIVITY_CODES)


def test_seeding_twice_writes_nothing_the_second_time():
    # given a seeded catalogue
    violation_catalogue_seed()
    history = ViolationItem.history.count()
    # when it is seeded again
    tallies = violation_catalogue_seed()
    # then every row is unchanged and no history row is written
    assert {name: set(tally) for name, tally in tallies.items()} == {
        name: {"unchanged"} for name in tallies}
    assert ViolationItem.history.count() == history


def test_a_changed_seed_updates_an_unused_item_and_keeps_its_history():
    # given a seeded item an admin renamed (nothing uses it yet)
    violation_catalogue_seed()
    item = ViolationItem.objects.get(code="HL-010")
    item.name_en = "Renamed"
    item.save()
    # when the seed runs again
    violation_catalogue_seed()
    # then the seed's name is back and both changes are in the history
    item.refresh_from_db()
    assert item.name_en == "Smoking inside a food establishment"
    assert item.history.count() == 3


def test_items_codes_are_unique_and_checklists_ask_each_item_once():
    from violations.catalogue import CHECKLISTS
    assert len({data["code"] for data in ITEMS}) == len(ITEMS)
    for _, _, _, item_codes in CHECKLISTS.values():
        assert len(set(item_codes)) == len(item_codes)
