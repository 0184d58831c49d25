"""The violations read API: the catalogue, the caller's notices and one notice; who may call
each operation (the access matrix) and that the list costs the same for 10 and 1,000."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.dates import RIYADH
from payments.models import Bill

from ..factories import (
    fine_issued_make,
    notices_bulk_make,
    photo_make,
    submitted_inspection_make,
    violations_world,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/violations"
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=RIYADH)
WHO = ["citizen", "delegate", "outsider", "inspector", "other_inspector", "legal", "anonymous"]
MATRIX = {
    "items": [200, 200, 200, 200, 200, 200, 403],
    "checklists": [200, 200, 200, 200, 200, 200, 403],
    "mine": [200, 200, 200, 200, 200, 200, 403],
    "fine": [404, 200, 404, 404, 404, 404, 403],
    "warning": [200, 404, 404, 404, 404, 404, 403],
    "pending": [404, 404, 404, 404, 404, 404, 403],
}


@pytest.fixture
def world(clock):
    clock.set(NOW)
    world = violations_world()
    world.fine = fine_issued_make(world, no=("FINE", "SERIOUS"))
    photo_make(world, world.fine.inspection)
    photo_make(world, world.fine.inspection, visible=False, content=b"hidden")
    _, (world.warning,) = submitted_inspection_make(world, offender="person", no=("WARN",))
    _, (world.pending,) = submitted_inspection_make(world, no=("FINE",))
    return world


def _user(world, who):
    return {"citizen": world.citizen.user, "delegate": world.delegate.user,
            "outsider": world.outsider.user, "inspector": world.inspector,
            "other_inspector": world.other_inspector, "legal": world.legal_reviewer,
            "anonymous": None}[who]


def _url(world, operation):
    return {"items": f"{API}/catalogue/items/", "checklists": f"{API}/catalogue/checklists/",
            "mine": f"{API}/mine/", "fine": f"{API}/mine/{world.fine.number}/",
            "warning": f"{API}/mine/{world.warning.number}/",
            "pending": f"{API}/mine/{world.pending.number}/"}[operation]


def _cells():
    for operation, statuses in MATRIX.items():
        for who, status in zip(WHO, statuses, strict=True):
            yield pytest.param(operation, who, status, id=f"{operation}-{who}")


@pytest.mark.parametrize(("operation", "who", "expected"), list(_cells()))
def test_violations_api_access(client, world, operation, who, expected):
    user = _user(world, who)
    if user is not None:
        client.force_login(user)
    response = client.get(_url(world, operation))
    assert response.status_code == expected
    body = response.content.decode()
    if expected == 404:
        assert response.json()["code"] == "violations.not_found"
    # no one learns of a notice that is not theirs
    theirs = {"citizen": [world.warning.number], "delegate": [world.fine.number]}.get(who, [])
    others = [n for n in (world.fine.number, world.warning.number, world.pending.number)
              if n not in theirs]
    assert [n for n in others if n in body] == []


def test_the_caller_reads_their_notices_with_what_is_due(client, world):
    client.force_login(world.delegate.user)
    body = client.get(f"{API}/mine/").json()
    bill = Bill.objects.get(payable_ref=world.fine.number)
    assert body["count"] == 1 and body["count_is_capped"] is False
    assert body["results"] == [{
        "number": world.fine.number, "kind": "fine", "status": "issued",
        "municipality": "M911", "recorded_at": body["results"][0]["recorded_at"],
        "establishment_unified_number": world.establishment.unified_number,
        "correction_due": None, "total": "5500.00", "amount_due": "5500.00",
        "billing_account": bill.billing_account, "objection_until": "2026-12-16"}]


def test_one_notice_has_its_lines_computation_bill_and_only_visible_photos(client, world):
    client.force_login(world.delegate.user)
    body = client.get(f"{API}/mine/{world.fine.number}/").json()
    bill = Bill.objects.get(payable_ref=world.fine.number)
    assert [(x["item_code"], x["status"], x["amount"], x["objection_due"])
            for x in body["lines"]] == [("FINE", "payable", "500.00", "2026-12-16"),
                                        ("SERIOUS", "payable", "5000.00", "2026-12-11")]
    assert body["lines"][0]["computation"]["share"] == "50.00"
    assert body["lines"][0]["question_en"] == "Is the place free of: Goods displayed on the " \
                                              "pavement?"
    assert body["bills"] == [{"biller_code": "090", "billing_account": bill.billing_account,
                              "amount": "5500.00", "amount_paid": "0.00",
                              "due_date": "2026-12-31", "status": "unpaid"}]
    assert body["objections"] == [] and body["photos"] == 1
    assert "inspector" not in body


def test_the_catalogue_lists_items_in_force_with_ranges_and_shares(client, world):
    client.force_login(world.outsider.user)
    body = client.get(f"{API}/catalogue/items/", {"on": "2026-12-01"}).json()
    assert body["on"] == "2026-12-01"
    assert {s["size"]: s["percent"] for s in body["shares"]} == {
        "large": "100.00", "medium": "75.00", "small": "50.00", "micro": "25.00",
        "individual": "50.00"}
    serious = next(i for i in body["items"] if i["code"] == "SERIOUS")
    assert serious["fines"][1] == {"municipality_class": 2, "fine_min": "5000.00",
                                   "fine_max": "10000.00"}
    assert (serious["penalty_kind"], serious["penalty_days"], serious["objection_days"]) == (
        "closure", 3, 10)
    # before the catalogue began, nothing was in force
    assert client.get(f"{API}/catalogue/items/", {"on": "2019-01-01"}).json()["items"] == []
    # a day that is not a date is refused next to its field
    refused = client.get(f"{API}/catalogue/items/", {"on": "not-a-day"})
    assert refused.status_code == 400 and refused.json()["code"] == "validation_error"


def test_the_checklists_list_their_questions(client, world):
    client.force_login(world.outsider.user)
    body = client.get(f"{API}/catalogue/checklists/").json()
    assert [(c["code"], [q["item_code"] for q in c["questions"]]) for c in body] == [
        ("general", ["WARN", "FINE", "SERIOUS"])]


def test_my_violations_api_costs_the_same_for_10_and_1000(client, world):
    notices_bulk_make(world, world.fine, 9)
    client.force_login(world.delegate.user)
    client.get(f"{API}/mine/")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}/mine/").status_code == 200
        return len(queries)

    few = count()
    notices_bulk_make(world, world.fine, 990)
    assert count() == few
    assert client.get(f"{API}/mine/").json()["count"] == 1000
    assert Decimal(client.get(f"{API}/mine/").json()["results"][0]["amount_due"]) == Decimal(
        "5500.00")
