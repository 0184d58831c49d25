"""The violations admin: the catalogue's screens open in both languages and keep history; an
item a notice used is not changed in place but gets a new version from a date (the notice keeps
its computation); bad values are refused next to the field in the admin's language;
inspections, notices and objections are read-only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from amanah import clock
from amanah.dates import business_date
from amanah.models import User
from violations.catalogue import violation_catalogue_seed
from violations.models import (
    Checklist,
    Inspection,
    ItemFine,
    Objection,
    SizeShare,
    Violation,
    ViolationGroup,
    ViolationItem,
    ViolationLine,
)

from ..factories import fine_issued_make, violations_world

pytestmark = pytest.mark.django_db

CONFIGURATION = [ViolationGroup, ViolationItem, SizeShare, Checklist]
READ_ONLY = [Inspection, Violation]


@pytest.fixture(scope="module")
def rows(django_db_setup, django_db_blocker):
    """The seeded catalogue, and a world with an issued fine computed from item FINE."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = violations_world()
            violation_catalogue_seed()
            fine = fine_issued_make(world)
            yield {"world": world, "fine": fine}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def admin_client(client, rows):
    client.force_login(User.objects.create_superuser("epa.admin.violations", "v@example.sa",
                                                     "Admin-Pass-2026"))
    return client


def _url(model, view, *args, lang="ar"):
    with translation.override(lang):
        return reverse(f"admin:violations_{model._meta.model_name}_{view}", args=args)


def _item_form(item: ViolationItem, **changes) -> dict:
    data = {"code": item.code, "group": item.group_id, "name_ar": item.name_ar,
            "name_en": item.name_en, "effective_from": item.effective_from.isoformat(),
            "effective_to": "", "is_serious": "on" if item.is_serious else "",
            "correction_days": item.correction_days or "",
            "repeat_multipliers": '["1", "2"]', "repeat_cap_factor": "2",
            "repeat_lookback_days": "365", "objectionable": "on", "objection_days": "15",
            "penalty_kind": "", "penalty_days": "", "penalty_lifts_on": "",
            "fines-TOTAL_FORMS": "0", "fines-INITIAL_FORMS": "0",
            "fines-MIN_NUM_FORMS": "0", "fines-MAX_NUM_FORMS": "5"}
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def _version_form(item: ViolationItem, effective_from: dt.date, **changes) -> dict:
    data = {"effective_from": effective_from.isoformat(), "name_ar": item.name_ar,
            "name_en": item.name_en, "repeat_multipliers": '["1", "2"]',
            "repeat_cap_factor": "1.5", "repeat_lookback_days": "365", "objectionable": "on",
            "objection_days": "15", "penalty_kind": "licence_suspension",
            "penalty_lifts_on": "paid"}
    for n in range(1, 6):
        data[f"fine_min_{n}"], data[f"fine_max_{n}"] = "600", "1200"
    data.update(changes)
    return data


@pytest.mark.parametrize("model", CONFIGURATION + READ_ONLY, ids=lambda m: m.__name__)
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_violations_screen_opens(admin_client, model, lang):
    # given a row of the model
    obj = model.objects.order_by("pk").first()
    # when the administrator opens its list and its page, in either language
    changelist = admin_client.get(_url(model, "changelist", lang=lang))
    change = admin_client.get(_url(model, "change", obj.pk, lang=lang))
    # then both open, in that language
    assert (changelist.status_code, change.status_code) == (200, 200)
    assert f'<html lang="{lang}"' in change.content.decode()


@pytest.mark.parametrize("model", CONFIGURATION, ids=lambda m: m.__name__)
def test_configuration_can_be_added_and_keeps_its_history(admin_client, model):
    obj = model.objects.order_by("pk").first()
    assert admin_client.get(_url(model, "add")).status_code == 200
    assert admin_client.get(_url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_objections_list_opens_read_only(admin_client, lang):
    assert admin_client.get(_url(Objection, "changelist", lang=lang)).status_code == 200
    assert admin_client.get(_url(Objection, "add", lang=lang)).status_code == 403


def test_an_item_page_shows_its_fine_ranges_inline(admin_client):
    item = ViolationItem.objects.get(code="HL-001")
    html = admin_client.get(_url(ViolationItem, "change", item.pk)).content.decode()
    assert "fines-TOTAL_FORMS" in html and 'value="10000.00"' in html
    assert _url(ViolationItem, "new_version", item.pk) in html


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m.__name__)
def test_inspections_and_notices_cannot_be_changed_here(admin_client, model):
    # given a row only the services may change
    obj = model.objects.order_by("pk").first()
    before = model.objects.filter(pk=obj.pk).values().get()
    # when the administrator posts to its page, or asks to add or delete one
    posted = admin_client.post(_url(model, "change", obj.pk), {"status": "cancelled"})
    added = admin_client.get(_url(model, "add"))
    deleted = admin_client.post(_url(model, "delete", obj.pk), {"post": "yes"})
    # then each is refused and the row is as it was
    assert (posted.status_code, added.status_code, deleted.status_code) == (403, 403, 403)
    assert model.objects.filter(pk=obj.pk).values().get() == before


def test_a_notices_page_does_not_show_its_verify_token(admin_client, rows):
    fine = rows["fine"]
    Violation.objects.filter(pk=fine.pk).update(verify_token="T" * 43)
    page = admin_client.get(_url(Violation, "change", fine.pk)).content.decode()
    assert "T" * 43 not in page


def test_an_item_a_notice_used_is_not_changed_in_place(admin_client, rows):
    # given item FINE, which the issued fine's line was computed from
    item = ViolationItem.objects.get(code="FINE")
    before = ViolationItem.objects.filter(pk=item.pk).values().get()
    # when the administrator posts a new name to its page, or asks to delete it
    posted = admin_client.post(_url(ViolationItem, "change", item.pk),
                               _item_form(item, name_en="Changed"))
    deleted = admin_client.post(_url(ViolationItem, "delete", item.pk), {"post": "yes"})
    # then both are refused, the row is as it was, and the page offers a new version
    assert (posted.status_code, deleted.status_code) == (403, 403)
    assert ViolationItem.objects.filter(pk=item.pk).values().get() == before
    page = admin_client.get(_url(ViolationItem, "change", item.pk)).content.decode()
    assert _url(ViolationItem, "new_version", item.pk) in page


def test_a_new_version_from_a_date_ends_the_old_one_and_the_notice_keeps_its_computation(
        admin_client, rows):
    # given the issued fine's line, computed from item FINE (class 2: 500–1,000, small 50 %)
    line = ViolationLine.objects.get(violation=rows["fine"])
    old_item = line.item
    computation, amount = line.computation, line.amount
    starts = business_date(clock.now()) + dt.timedelta(days=10)
    # when the administrator makes a new version from 10 days on with other ranges
    response = admin_client.post(_url(ViolationItem, "new_version", old_item.pk),
                                 _version_form(old_item, starts, name_en="Goods on the pavement"))
    # then the old version ends that day and the new one starts it, with its own ranges
    assert response.status_code == 302
    old_item.refresh_from_db()
    new_item = ViolationItem.objects.get(code="FINE", effective_from=starts)
    assert old_item.effective_to == starts and new_item.effective_to is None
    assert new_item.name_en == "Goods on the pavement"
    assert new_item.repeat_cap_factor == Decimal("1.50")
    assert list(ItemFine.objects.filter(item=new_item).values_list("fine_min", "fine_max")
                .order_by("municipality_class")) == [(Decimal("600.00"), Decimal("1200.00"))] * 5
    assert response["Location"] == _url(ViolationItem, "change", new_item.pk)
    # and the notice's line still points at the old version with the same computation
    line.refresh_from_db()
    assert (line.item_id, line.computation, line.amount) == (old_item.pk, computation, amount)
    assert computation["max"] == "1000.00"
    # and the old version's own ranges are untouched
    assert ItemFine.objects.get(item=old_item, municipality_class=2).fine_max == Decimal(
        "1000.00")


@pytest.mark.parametrize(("lang", "message"), [
    ("ar", "الحد الأدنى للغرامة أكبر من حدها الأعلى."),
    ("en", "The minimum fine is more than the maximum.")])
def test_a_new_version_with_min_over_max_is_refused_next_to_the_field(admin_client, lang,
                                                                      message):
    # given item SERIOUS (used by no notice)
    item = ViolationItem.objects.get(code="SERIOUS")
    count = ViolationItem.objects.filter(code="SERIOUS").count()
    starts = business_date(clock.now()) + dt.timedelta(days=3)
    # when a new version is posted whose class 3 minimum is over its maximum
    response = admin_client.post(
        _url(ViolationItem, "new_version", item.pk, lang=lang),
        _version_form(item, starts, is_serious="on", fine_min_3="5000", fine_max_3="100"))
    # then it is refused next to that field, in the admin's language, and nothing is written
    assert response.status_code == 400
    assert response.context["form"].errors["fine_max_3"] == [message]
    assert ViolationItem.objects.filter(code="SERIOUS").count() == count
    item.refresh_from_db()
    assert item.effective_to is None


@pytest.mark.parametrize(("lang", "message"), [
    ("ar", "البند الجسيم لا يُنذر عنه: اترك مدة التصحيح فارغة."),
    ("en", "A serious item is never warned: leave the correction period empty.")])
def test_a_serious_item_with_a_correction_period_is_refused(admin_client, lang, message):
    # given a new item, serious, with a correction period
    group = ViolationGroup.objects.get(code="health")
    data = _item_form(ViolationItem(code="HL-099", group=group, name_ar="بند", name_en="Item",
                                    effective_from=dt.date(2026, 1, 1)),
                      is_serious="on", correction_days="7")
    # when the administrator adds it
    response = admin_client.post(_url(ViolationItem, "add", lang=lang), data)
    # then it is refused next to the correction period, and no item is written
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["correction_days"] == [message]
    assert not ViolationItem.objects.filter(code="HL-099").exists()


def test_an_overlapping_period_is_refused(admin_client):
    # given HL-010 in force from the seed's date with no end
    item = ViolationItem.objects.get(code="HL-010")
    # when another version of HL-010 is added from a later date
    data = _item_form(item, effective_from="2026-06-01")
    response = admin_client.post(_url(ViolationItem, "add", lang="en"), data)
    # then it is refused next to its start date, naming the version it overlaps
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["effective_from"] == [
        "The period overlaps the version of HL-010 in force from 2025-01-01."]
    assert ViolationItem.objects.filter(code="HL-010").count() == 1


def test_a_fine_range_with_min_over_max_is_refused_inline(admin_client):
    # given an unused seeded item's page
    item = ViolationItem.objects.get(code="CA-007")
    fines = list(item.fines.order_by("municipality_class"))
    data = _item_form(item, **{"repeat_multipliers": '["1", "1.5", "2"]',
                               "fines-TOTAL_FORMS": "5", "fines-INITIAL_FORMS": "5"})
    for i, band in enumerate(fines):
        data.update({f"fines-{i}-id": band.pk, f"fines-{i}-item": item.pk,
                     f"fines-{i}-municipality_class": band.municipality_class,
                     f"fines-{i}-fine_min": band.fine_min, f"fines-{i}-fine_max": band.fine_max})
    data["fines-0-fine_min"] = "5000"
    # when the administrator saves class 1 with a minimum over its maximum
    response = admin_client.post(_url(ViolationItem, "change", item.pk, lang="en"), data)
    # then it is refused next to the maximum and the range is unchanged
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.forms[0].errors[
        "fine_max"] == ["The minimum fine is more than the maximum."]
    assert ItemFine.objects.get(pk=fines[0].pk).fine_min == Decimal("200.00")


def test_a_change_to_an_unused_item_is_in_its_history(admin_client):
    # given an unused item an administrator renames through its page
    item = ViolationItem.objects.get(code="PS-008")
    response = admin_client.post(_url(ViolationItem, "change", item.pk),
                                 _item_form(item, name_en="Graffiti on public walls",
                                            repeat_multipliers='["1", "1.5", "2"]'))
    assert response.status_code == 302
    # then its history page lists both versions
    history = admin_client.get(_url(ViolationItem, "history", item.pk))
    assert [h.name_en for h in history.context["page_obj"]] == [
        "Graffiti on public walls", "Writing or drawing on walls and public facilities"]
