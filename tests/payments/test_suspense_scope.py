"""Allocating a suspense payment checks the staff member's municipality before anything else
about the target bill: another municipality's bill gets exactly the answer a bill that does not
exist gets — same code, status, message and field, after the same database work — so the form
cannot be used to learn which bill numbers exist elsewhere, or their amounts and statuses."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amanah.enums import StaffRole
from amanah.errors import DomainError
from payments.enums import BillStatus
from payments.models import Bill
from payments.services import bill_cancel, suspense_allocate

from .factories import UNKNOWN_ACCOUNT
from .pages_helpers import (  # noqa: F401 - the fixtures
    client_for,
    underpaid_fixture,
    world_fixture,
)

pytestmark = pytest.mark.django_db

REASON = "Citizen paid the wrong bill"


def _other_municipalitys_bill(world, kind: str) -> Bill:
    """A bill of Qatif that a Khobar cashier must not learn anything about."""
    if kind == "payable_same_amount":
        return world.bill(amount="100.00", municipality=world.other_branch)
    if kind == "payable_other_amount":
        return world.bill(amount="120.00", municipality=world.other_branch)
    if kind == "paid":
        return world.paid_bill(amount="100.00", municipality=world.other_branch)[0]
    bill = world.bill(amount="100.00", municipality=world.other_branch)
    bill_cancel(bill_id=bill.pk, actor=None, reason="issued by mistake")
    return Bill.objects.get(pk=bill.pk)


def _refusal(call) -> tuple[tuple, int]:
    """What the caller is told, and how many queries it took to tell them."""
    with CaptureQueriesContext(connection) as queries, pytest.raises(DomainError) as refused:
        call()
    error = refused.value
    answer = (type(error), error.code, error.status, error.message_ar, error.message_en,
              error.field)
    return answer, len(queries)


OTHER_BILLS = ["payable_same_amount", "payable_other_amount", "paid", "cancelled"]


@pytest.mark.parametrize("kind", OTHER_BILLS)
def test_another_municipalitys_bill_gets_the_answer_of_a_bill_that_does_not_exist(
        world, underpaid, kind, db_snapshot, queued):
    # given a Khobar cashier, a Khobar suspense payment, and a Qatif bill
    cashier_id = world.staff("finance", StaffRole.CASHIER).pk
    other = _other_municipalitys_bill(world, kind)
    before = db_snapshot()

    def allocate(billing_account: str):
        # a fresh user each time, so that nothing cached on it makes one call cheaper
        actor = get_user_model().objects.get(pk=cashier_id)
        return lambda: suspense_allocate(payment_id=underpaid.pk, actor=actor, reason=REASON,
                                         billing_account=billing_account)

    # when the cashier allocates the payment to a number that exists nowhere
    with queued() as tasks:
        missing, missing_queries = _refusal(allocate(UNKNOWN_ACCOUNT))
        # and to the Qatif bill's number
        foreign, foreign_queries = _refusal(allocate(other.billing_account))
    # then both answers are the same "no such bill", word for word, after the same work
    assert missing[1:] == ("bill.not_found", 404, "الفاتورة غير موجودة.", "No such bill.",
                           "bill")
    assert foreign == missing
    assert foreign_queries == missing_queries
    # and nothing changed, nothing was queued
    assert db_snapshot() == before
    assert tasks == []


def test_by_id_too_another_municipalitys_bill_is_not_found(world, underpaid, db_snapshot):
    cashier = world.staff("finance", StaffRole.CASHIER)
    other = world.bill(amount="100.00", municipality=world.other_branch)
    missing_id = (Bill.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    before = db_snapshot()
    missing, _ = _refusal(lambda: suspense_allocate(payment_id=underpaid.pk, bill_id=missing_id,
                                                    actor=cashier, reason=REASON))
    foreign, _ = _refusal(lambda: suspense_allocate(payment_id=underpaid.pk, bill_id=other.pk,
                                                    actor=cashier, reason=REASON))
    assert foreign == missing
    assert missing[1:3] == ("bill.not_found", 404)
    assert db_snapshot() == before


def test_amanah_finance_staff_may_allocate_to_any_municipalitys_bill(world, underpaid):
    # given finance staff of the Amanah, which oversees its branches, and a Qatif bill
    amanah_cashier = world.staff("finance", StaffRole.CASHIER, world.amanah)
    target = world.bill(amount="100.00", municipality=world.other_branch)
    # when they allocate a Khobar payment to it
    suspense_allocate(payment_id=underpaid.pk, billing_account=target.billing_account,
                      actor=amanah_cashier, reason=REASON)
    # then the bill is paid by it
    target.refresh_from_db()
    assert target.status == BillStatus.PAID


def _post(client, cashier, underpaid, billing_account: str):
    client_for(client, get_user_model().objects.get(pk=cashier.pk))
    url = reverse("payments:finance_suspense_item", args=[underpaid.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"action": "allocate",
                                     "allocate-billing_account": billing_account,
                                     "allocate-reason": REASON})
    # The page's CSRF token is masked afresh on every render; it is no answer to anything.
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return response, page, len(queries)


@pytest.mark.parametrize("kind", OTHER_BILLS)
def test_the_suspense_page_answers_alike_for_another_municipalitys_bill_and_a_missing_one(
        client, world, underpaid, kind, db_snapshot, queued):
    cashier = world.staff("finance", StaffRole.CASHIER)
    other = _other_municipalitys_bill(world, kind)
    before = db_snapshot()
    with queued() as tasks:
        missing, missing_page, missing_queries = _post(client, cashier, underpaid,
                                                       UNKNOWN_ACCOUNT)
        foreign, foreign_page, foreign_queries = _post(client, cashier, underpaid,
                                                       other.billing_account)
    assert missing.status_code == foreign.status_code == 400
    errors = missing.context["forms"]["allocate"].errors
    assert errors == {"billing_account": ["الفاتورة غير موجودة."]}
    assert foreign.context["forms"]["allocate"].errors == errors
    # the pages differ only in the number typed back into the field
    assert missing_page.replace(UNKNOWN_ACCOUNT, "N") == \
        foreign_page.replace(other.billing_account, "N")
    assert foreign_queries == missing_queries
    assert db_snapshot() == before
    assert tasks == []
