"""The suspense queue's resolution forms call the core services: allocate, refund with a second
person's approval, write off with a reason. Refusals show a message and change nothing."""


import pytest
from django.urls import reverse

from amanah.enums import StaffRole
from payments.enums import BillStatus, PaymentStatus, ResolutionKind, ResolutionStatus
from payments.models import Payment, SuspenseResolution

from .factories import UNKNOWN_ACCOUNT
from .pages_helpers import (  # noqa: F401 - the fixtures
    client_for,
    underpaid_fixture,
    world_fixture,
)

pytestmark = pytest.mark.django_db

IBAN = "SA0380000000608010167519"


def _url(payment):
    return reverse("payments:finance_suspense_item", args=[payment.pk])


def _state(payment):
    payment = Payment.objects.get(pk=payment.pk)
    return (payment.status, payment.bill_id, payment.events.count(),
            list(SuspenseResolution.objects.order_by("pk").values_list("kind", "status")))


def test_queue_lists_suspense_payments_of_the_desk(client, world, underpaid):
    cashier = world.staff("finance", StaffRole.CASHIER)
    response = client_for(client, cashier).get(reverse("payments:finance_suspense"))
    assert [p.pk for p in response.context["page"].object_list] == [underpaid.pk]
    assert "مبلغ أقل من المستحق" in response.content.decode()


def test_cashier_allocates_to_a_bill_of_the_same_amount(client, world, underpaid, queued):
    # given another open bill for exactly the suspense amount
    target = world.bill(amount="100.00")
    cashier = world.staff("finance", StaffRole.CASHIER)
    # when the cashier allocates the payment to it
    with queued() as tasks:
        response = client_for(client, cashier).post(_url(underpaid), {
            "action": "allocate", "allocate-billing_account": target.billing_account,
            "allocate-reason": "Citizen paid the wrong bill"})
    # then the payment pays that bill, with an audited resolution
    assert response.status_code == 302
    payment = Payment.objects.get(pk=underpaid.pk)
    assert (payment.status, payment.bill_id) == (PaymentStatus.APPLIED, target.pk)
    target.refresh_from_db()
    assert target.status == BillStatus.PAID
    resolution = SuspenseResolution.objects.get()
    assert (resolution.kind, resolution.status, resolution.requested_by_id) == (
        ResolutionKind.ALLOCATE, ResolutionStatus.DONE, cashier.pk)
    # the receipt of the bill it paid, and an SMS telling the payer where the money went
    assert [name for name, _ in tasks] == ["payments.receipt_ensure",
                                           "payments.payment_notify_payer"]


def test_allocating_to_a_bill_of_another_amount_is_refused_next_to_the_field(
        client, world, underpaid, queued):
    other = world.bill(amount="120.00")
    cashier = world.staff("finance", StaffRole.CASHIER)
    before = _state(underpaid)
    with queued() as tasks:
        response = client_for(client, cashier).post(_url(underpaid), {
            "action": "allocate", "allocate-billing_account": other.billing_account,
            "allocate-reason": "Citizen paid the wrong bill"})
    assert response.status_code == 400
    assert "لا يمكن تخصيص الدفعة لهذه الفاتورة" in response.content.decode()
    assert response.context["forms"]["allocate"].errors["billing_account"]
    assert _state(underpaid) == before
    assert tasks == []


def test_unknown_target_bill_is_refused(client, world, underpaid):
    cashier = world.staff("finance", StaffRole.CASHIER)
    before = _state(underpaid)
    response = client_for(client, cashier).post(_url(underpaid), {
        "action": "allocate", "allocate-billing_account": UNKNOWN_ACCOUNT,
        "allocate-reason": "Citizen paid the wrong bill"})
    assert response.status_code == 400
    assert response.context["forms"]["allocate"].errors["billing_account"]
    assert _state(underpaid) == before


def test_refund_needs_a_second_person(client, world, underpaid, queued):
    # given a refund requested by the finance head
    head = world.staff("finance", StaffRole.HEAD)
    requester = client_for(client, head)
    response = requester.post(_url(underpaid), {
        "action": "refund", "refund-iban": IBAN, "refund-reason": "Citizen asked for it"})
    assert response.status_code == 302
    resolution = SuspenseResolution.objects.get()
    assert resolution.status == ResolutionStatus.REQUESTED
    # then the requester is not offered the approval
    page = requester.get(_url(underpaid))
    assert page.context["may_decide"] is False
    assert 'id="form-approve"' not in page.content.decode()
    # and posting the approval anyway is refused with the four-eyes message, changing nothing
    before = _state(underpaid)
    with queued() as tasks:
        refused = requester.post(_url(underpaid), {"action": "approve"})
    assert refused.status_code == 400
    assert "لا يعتمد طلب الاسترداد من قدّمه" in refused.content.decode()
    assert _state(underpaid) == before
    assert tasks == []


def test_another_head_approves_the_refund(client, world, underpaid):
    # given a refund requested by one head
    first = world.staff("finance", StaffRole.HEAD)
    client_for(client, first).post(_url(underpaid), {
        "action": "refund", "refund-iban": IBAN, "refund-reason": "Citizen asked for it"})
    client.logout()
    # when a second head of the Amanah's finance approves it
    second = world.staff("finance", StaffRole.HEAD, world.amanah)
    response = client_for(client, second).post(_url(underpaid), {"action": "approve"})
    # then the payment is refunded and the decision names the second person
    assert response.status_code == 302
    assert Payment.objects.get(pk=underpaid.pk).status == PaymentStatus.REFUNDED
    resolution = SuspenseResolution.objects.get()
    assert (resolution.status, resolution.decided_by_id) == (ResolutionStatus.DONE, second.pk)


def test_bad_iban_is_refused_next_to_the_field(client, world, underpaid):
    head = world.staff("finance", StaffRole.HEAD)
    before = _state(underpaid)
    response = client_for(client, head).post(_url(underpaid), {
        "action": "refund", "refund-iban": "GB00", "refund-reason": "Citizen asked for it"})
    assert response.status_code == 400
    assert response.context["forms"]["refund"].errors["iban"]
    assert _state(underpaid) == before


def test_write_off_needs_a_reason_and_a_head(client, world, underpaid):
    head = world.staff("finance", StaffRole.HEAD)
    cashier = world.staff("finance", StaffRole.CASHIER)
    before = _state(underpaid)
    # a too-short reason is refused
    short = client_for(client, head).post(_url(underpaid), {"action": "write_off",
                                                           "write_off-reason": "no"})
    assert short.status_code == 400
    assert short.context["forms"]["write_off"].errors["reason"]
    # a cashier may not write off
    client.logout()
    denied = client_for(client, cashier).post(_url(underpaid), {
        "action": "write_off", "write_off-reason": "Bank fee remainder, untraceable"})
    assert denied.status_code == 400
    assert "هذا الإجراء لموظفي المالية المخولين فقط." in denied.content.decode()
    assert _state(underpaid) == before
    # the head writes it off with a reason
    client.logout()
    done = client_for(client, head).post(_url(underpaid), {
        "action": "write_off", "write_off-reason": "Bank fee remainder, untraceable"})
    assert done.status_code == 302
    assert Payment.objects.get(pk=underpaid.pk).status == PaymentStatus.WRITTEN_OFF


def test_desk_of_another_municipality_cannot_open_the_item(client, world, underpaid):
    cashier = world.staff("finance", StaffRole.CASHIER, world.other_branch)
    before = _state(underpaid)
    client = client_for(client, cashier)
    assert client.get(_url(underpaid)).status_code == 404
    assert client.post(_url(underpaid), {"action": "write_off",
                                         "write_off-reason": "Not mine at all"}).status_code == 404
    assert _state(underpaid) == before


def test_unknown_action_is_not_found(client, world, underpaid):
    head = world.staff("finance", StaffRole.HEAD)
    assert client_for(client, head).post(_url(underpaid), {"action": "steal"}).status_code == 404
