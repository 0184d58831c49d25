"""The demo "pay with the simulated bank" button: a signed SADAD notification through the real
inbound path, recorded once; refused outside demo mode and for bills that are not payable."""

import pytest
from django.urls import reverse

from payments.enums import BillStatus, PaymentSource, PaymentStatus
from payments.models import InboundMessage, Payment, Receipt
from payments.sadad.simulator.models import SimulatedSadadPayment

from .pages_helpers import client_for, world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _pay(client, bill):
    return client.post(reverse("sadad_simulator:bill_pay", args=[bill.billing_account]))


def test_demo_pay_records_one_payment_through_the_notification_path(client, world, queued):
    # given an unpaid bill accepted by SADAD, and its payer signed in
    bill = world.bill(amount="150.00")
    client = client_for(client, world.citizen.user)
    # when the payer presses the simulated bank's button
    with queued() as tasks:
        response = _pay(client, bill)
    # then the bill is paid by one payment that came as a signed PmtNotifyRq
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:bill_detail", args=[bill.billing_account])
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID
    payment = Payment.objects.get()
    assert (payment.bill_id, payment.status, payment.amount, payment.source) == (
        bill.pk, PaymentStatus.APPLIED, bill.amount, PaymentSource.NOTIFICATION)
    message = InboundMessage.objects.get()
    assert (message.rq_uid, message.response_status) == (payment.source_reference, 200)
    assert SimulatedSadadPayment.objects.get().notified_result == "ACCEPTED"
    receipt = Receipt.objects.get()
    # and the receipt's PDF is queued for after the commit
    assert tasks == [("payments.receipt_ensure", {"receipt_id": receipt.pk})]


def test_pressing_again_pays_nothing_more(client, world, queued):
    # given a bill already paid with the button
    bill = world.bill(amount="150.00")
    client = client_for(client, world.citizen.user)
    _pay(client, bill)
    # when the button is pressed again (a double click, a stale page)
    with queued() as tasks:
        response = client.post(reverse("sadad_simulator:bill_pay",
                                       args=[bill.billing_account]), follow=True)
    # then nothing more was paid or queued, and the citizen is told
    assert Payment.objects.count() == 1
    assert SimulatedSadadPayment.objects.count() == 1
    assert Receipt.objects.count() == 1
    assert tasks == []
    assert "لا يمكن دفع هذه الفاتورة الآن." in response.content.decode()


def test_refused_outside_demo_mode(client, world, settings, queued):
    # given a production-like portal (no demo mode) and an unpaid bill
    settings.DEMO_MODE = False
    bill = world.bill(amount="150.00")
    client = client_for(client, world.citizen.user)
    # when the pay action is posted anyway
    with queued() as tasks:
        response = _pay(client, bill)
    # then it does not exist, and nothing was paid or queued
    assert response.status_code == 404
    bill.refresh_from_db()
    assert bill.status == BillStatus.UNPAID
    assert Payment.objects.count() == SimulatedSadadPayment.objects.count() == 0
    assert InboundMessage.objects.count() == 0
    assert tasks == []
    # and the bill page offers no such button
    detail = client.get(reverse("payments:bill_detail", args=[bill.billing_account]))
    assert "ادفع عبر البنك التجريبي" not in detail.content.decode()


def test_button_shown_only_for_payable_bills_in_demo_mode(client, world):
    payable = world.bill(amount="150.00")
    pending = world.bill(amount="150.00", registered=False)
    client = client_for(client, world.citizen.user)
    assert "ادفع عبر البنك التجريبي" in client.get(
        reverse("payments:bill_detail", args=[payable.billing_account])).content.decode()
    page = client.get(reverse("payments:bill_detail", args=[pending.billing_account]))
    html = page.content.decode()
    assert "ادفع عبر البنك التجريبي" not in html
    assert "قيد التسجيل في سداد" in html
    # a bill still being registered shows no bill number to pay with
    assert 'id="acct-' not in html


def test_bill_waiting_for_sadad_cannot_be_paid_with_the_button(client, world, queued):
    bill = world.bill(amount="150.00", registered=False)
    with queued() as tasks:
        response = _pay(client_for(client, world.citizen.user), bill)
    assert response.status_code == 302
    assert Payment.objects.count() == SimulatedSadadPayment.objects.count() == 0
    assert tasks == []


@pytest.mark.parametrize("who", ["anonymous", "other_citizen", "finance_staff"])
def test_only_the_payer_may_press_it(client, world, who, queued):
    # given an unpaid bill
    bill = world.bill(amount="150.00")
    # when someone else posts the pay action
    with queued() as tasks:
        response = _pay(client_for(client, world.who(who)), bill)
    # then it is refused and nothing was paid
    assert response.status_code == (302 if who == "anonymous" else 404)
    if who == "anonymous":
        assert response["Location"].startswith("/ar/account/sign-in/")
    bill.refresh_from_db()
    assert bill.status == BillStatus.UNPAID
    assert Payment.objects.count() == 0
    assert tasks == []


def test_get_is_not_allowed(client, world):
    bill = world.bill(amount="150.00")
    response = client_for(client, world.citizen.user).get(
        reverse("sadad_simulator:bill_pay", args=[bill.billing_account]))
    assert response.status_code == 405
    assert Payment.objects.count() == 0
