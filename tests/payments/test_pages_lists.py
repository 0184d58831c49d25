"""Lists are paginated and ask the database a fixed number of times, however long they are."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from amanah.enums import StaffRole
from payments.services import payment_record

from .factories import UNKNOWN_ACCOUNT
from .pages_helpers import client_for, world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _more(world, n: int) -> None:
    for _ in range(n):
        world.paid_bill(amount="150.00")
        world.bill(amount="75.00", registered=False)
        payment_record(sptn=f"SP{uuid.uuid4().int % 10**16:016d}", amount=Decimal("5.00"),
                       billing_account=UNKNOWN_ACCOUNT, bank_id="RJHISARI", channel="ATM",
                       method="CASH", processed_at=world.citizen.mobile_confirmed_at)


@pytest.mark.parametrize("page", ["finance_bills", "finance_payments", "finance_suspense"])
def test_finance_lists_use_a_fixed_number_of_queries(client, world, page):
    cashier = world.staff("finance", StaffRole.CASHIER)
    client = client_for(client, cashier)
    url = reverse(f"payments:{page}")
    client.get(url)
    _more(world, 1)
    few = _queries(client, url)
    _more(world, 4)
    assert _queries(client, url) == few


@pytest.mark.parametrize("page", ["my_bills", "my_receipts"])
def test_citizen_lists_use_a_fixed_number_of_queries(client, world, page):
    client = client_for(client, world.citizen.user)
    url = reverse(f"payments:{page}")
    client.get(url)
    _more(world, 1)
    few = _queries(client, url)
    _more(world, 4)
    assert _queries(client, url) == few


def test_lists_are_paginated(client, world):
    cashier = world.staff("finance", StaffRole.CASHIER)
    for _ in range(27):
        world.bill(amount="10.00", registered=False)
    client = client_for(client, cashier)
    first = client.get(reverse("payments:finance_bills")).context["page"]
    second = client.get(reverse("payments:finance_bills"), {"page": 2}).context["page"]
    assert (len(first.object_list), len(second.object_list)) == (25, 2)
    assert client.get(reverse("payments:finance_bills"), {"page": "x"}).status_code == 200
    # the next-page link keeps the filter
    filtered = client.get(reverse("payments:finance_bills"), {"status": "pending_registration"})
    assert 'href="?status=pending_registration&amp;q=&amp;page=2"' in filtered.content.decode()


def test_bill_list_filters_by_status_and_number(client, world):
    cashier = world.staff("finance", StaffRole.CASHIER)
    paid, _ = world.paid_bill(amount="150.00")
    pending = world.bill(amount="20.00", registered=False)
    client = client_for(client, cashier)
    by_status = client.get(reverse("payments:finance_bills"), {"status": "paid"})
    assert [b.pk for b in by_status.context["page"].object_list] == [paid.pk]
    by_number = client.get(reverse("payments:finance_bills"), {"q": pending.billing_account})
    assert [b.pk for b in by_number.context["page"].object_list] == [pending.pk]
    bogus = client.get(reverse("payments:finance_bills"), {"status": "nonsense"})
    assert len(bogus.context["page"].object_list) == 2


def test_a_bill_list_longer_than_the_count_cap_says_more_than(client, world, monkeypatch):
    # given a count cap of 3 and 5 bills
    monkeypatch.setattr("amanah.pagination.COUNT_CAP", 3)
    for _ in range(5):
        world.bill(amount="10.00", registered=False)
    client = client_for(client, world.staff("finance", StaffRole.CASHIER))
    # when finance staff list the bills, in English and in Arabic
    with translation.override("en"):
        english = client.get(reverse("payments:finance_bills"))
    with translation.override("ar"):
        arabic = client.get(reverse("payments:finance_bills"))
    # then the list says there are more than 3, and shows the first 3
    assert "More than 3 bills: the newest are shown first." in english.content.decode()
    assert "أكثر من 3 فاتورة، الأحدث أولًا." in arabic.content.decode()
    assert len(english.context["page"].object_list) == 3
