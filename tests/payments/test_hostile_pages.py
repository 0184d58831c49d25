"""The seven 500s of issue 8: a NUL byte in a bill number, a receipt number or token or a search
box, and an impossible date in the collections dashboard. Each now answers 400 — the portal's
page for pages, the API's error body for the API — and nothing is written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from amanah.enums import StaffRole
from payments.models import Payment
from payments.services import payment_record

from .pages_helpers import client_for, counts, world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

UNSAFE = "request.unsafe_characters"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def paid(world):
    return world.paid_bill(amount="150.00")


def _with_nul(value: str) -> str:
    """The value with a NUL in its middle, percent-encoded as a browser or script would."""
    middle = len(value) // 2
    return f"{value[:middle]}%00{value[middle:]}"


def _is_bad_request_page(response) -> bool:
    return (response.status_code == 400
            and response["Content-Type"].startswith("text/html"))


def test_nul_in_a_bill_number_is_a_400_page_for_its_payer(client, world, paid):
    # given the payer of a paid bill, signed in
    bill, _ = paid
    client = client_for(client, world.citizen.user)
    # when the bill's page is asked for with a NUL inside its number
    response = client.get(f"/ar/payments/bills/{_with_nul(bill.billing_account)}/")
    # then the answer is the 400 page, not a 500
    assert _is_bad_request_page(response)


def test_nul_in_a_receipt_number_is_a_400_page(client, world, paid):
    _, receipt = paid
    client = client_for(client, world.citizen.user)
    response = client.get(f"/ar/payments/receipts/{_with_nul(receipt.number)}/pdf/")
    assert _is_bad_request_page(response)


def test_nul_in_a_receipt_token_is_a_400_page_for_anyone(client, paid):
    # given a receipt's verification token, with a NUL in it but of a token's length
    _, receipt = paid
    # when anyone opens the verification page with it
    response = client.get(f"/ar/payments/receipts/verify/{_with_nul(receipt.verify_token)}")
    # then the answer is the 400 page
    assert _is_bad_request_page(response)


@pytest.mark.parametrize("page", ["finance_bills", "finance_payments"])
def test_nul_in_the_finance_search_box_is_a_400_page(client, world, paid, page):
    cashier = world.staff("finance", StaffRole.CASHIER)
    response = client_for(client, cashier).get(reverse(f"payments:{page}"), {"q": "100\x00"})
    assert _is_bad_request_page(response)


def test_nul_in_the_bill_inquiry_api_is_the_api_error(client, world, paid):
    # given a bill and its payer's ID
    bill, _ = paid
    # when the public API is asked for it with a NUL inside the bill number
    response = client.get(f"/api/v1/bills/{_with_nul(bill.billing_account)}",
                          {"official_id": world.citizen.national_id})
    # then the API answers its error body with a stable code, in both languages
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == UNSAFE
    assert set(body) == {"code", "detail", "detail_ar", "detail_en"}
    assert body["detail"] == body["detail_ar"]
    assert "control characters" in body["detail_en"]


def test_nul_in_the_bill_inquiry_query_names_the_field(client, world, paid):
    bill, _ = paid
    response = client.get(f"/api/v1/bills/{bill.billing_account}",
                          {"official_id": f"{world.citizen.national_id}\x00"},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["code"] == UNSAFE
    assert response.json()["field"] == "official_id"


def test_simulated_payment_of_a_nul_bill_number_is_refused_and_pays_nothing(client, world,
                                                                          queued):
    # given an unpaid bill of the citizen, and nothing paid yet
    bill = world.bill(amount="150.00")
    before = counts()
    client = client_for(client, world.citizen.user)
    # when the simulated bank's button is posted with a NUL inside the bill number
    with queued() as tasks:
        response = client.post(f"/ar/payments/bills/{_with_nul(bill.billing_account)}"
                               "/pay-simulated/")
    # then it is the 400 page, and no bill, payment or receipt changed, nothing was queued
    assert _is_bad_request_page(response)
    assert counts() == before
    assert tasks == []
    assert Payment.objects.filter(bill=bill).count() == 0


def test_a_refused_allocation_changes_nothing(client, world, clock, queued):
    # given a payment in suspense and a finance head of its municipality
    bill = world.bill(amount="150.00")
    payment = payment_record(sptn="SP-SHORT", amount=Decimal("100.00"),
                             billing_account=bill.billing_account, bank_id="RJHISARI",
                             channel="ATM", method="CASH", processed_at=clock.now()).payment
    head = world.staff("finance", StaffRole.HEAD)
    before = (Payment.objects.get(pk=payment.pk).status, payment.events.count(), counts())
    # when the allocation form is posted with a NUL in its reason
    with queued() as tasks:
        response = client_for(client, head).post(
            reverse("payments:finance_suspense_item", args=[payment.pk]),
            {"action": "allocate", "allocate-billing_account": bill.billing_account,
             "allocate-reason": "see\x00attached"})
    # then it is refused with the 400 page and the payment is where it was
    assert _is_bad_request_page(response)
    assert (Payment.objects.get(pk=payment.pk).status, payment.events.count(), counts()) == before
    assert tasks == []


# --- The collections dashboard's window ------------------------------------------------------


@pytest.fixture
def head(world):
    return world.staff("finance", StaffRole.HEAD, world.amanah)


@pytest.mark.parametrize(("field", "value"), [
    ("to", "9999-12-31"),        # no day after it: OverflowError while counting the days
    ("from", "9999-12-31"),
    ("to", "2100-01-01"),        # past the Hijri calendar's table: OverflowError when shown
    ("from", "1900-01-01"),
    ("to", "2026-02-30"),        # no such day
    ("from", "0000-01-01"),      # no year 0
    ("to", "yesterday"),
])
def test_an_impossible_date_is_refused_next_to_its_field(client, head, clock, field, value):
    # given a finance head on a known day
    clock.set(dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC))
    # when the dashboard is asked for a window with an impossible end
    response = client_for(client, head).get(reverse("payments:finance_dashboard"),
                                            {field: value})
    # then the page answers 400 with the error next to that field, and shows the default window
    assert response.status_code == 400
    assert list(response.context["range_form"].errors) == [field]
    summary = response.context["summary"]
    assert (summary.date_from, summary.date_to) == (dt.date(2026, 11, 17), dt.date(2026, 11, 30))
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert f'name="{field}"' in html


def test_the_error_is_in_the_page_language(client, head, clock):
    clock.set(dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC))
    client = client_for(client, head)
    arabic = client.get("/ar/payments/finance/", {"to": "9999-12-31"})
    english = client.get("/en/payments/finance/", {"to": "9999-12-31"})
    assert "Enter a date between 1 August 1924 and 16 November 2077." in \
        english.content.decode()
    assert "أدخل تاريخًا بين" in arabic.content.decode()


def test_the_last_and_first_dates_the_calendar_can_show_are_accepted(client, head, clock):
    clock.set(dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC))
    client = client_for(client, head)
    last = client.get(reverse("payments:finance_dashboard"),
                      {"from": "2077-11-10", "to": "2077-11-16"})
    first = client.get(reverse("payments:finance_dashboard"),
                       {"from": "1924-08-01", "to": "1924-08-02"})
    assert (last.status_code, first.status_code) == (200, 200)
    assert last.context["summary"].date_to == dt.date(2077, 11, 16)
    assert first.context["summary"].date_from == dt.date(1924, 8, 1)
