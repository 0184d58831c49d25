"""POST /sadad/payment-notifications: every row of the §3 outcome table."""

from decimal import Decimal

import pytest

from amanah import clock
from amanah.models import Notification
from payments.enums import (
    BillStatus,
    PaymentOutcome,
    PaymentStatus,
    SuspenseReason,
)
from payments.models import Bill, InboundMessage, Payment, Receipt
from payments.sadad import wire
from payments.services import bill_cancel, bill_expire_due, bill_issue
from tests.factories import MunicipalityFactory, PersonFactory

from .factories import UNKNOWN_ACCOUNT, bill_make, misc_fee_service, notification, pmt, post

pytestmark = pytest.mark.django_db


def results_of(response) -> list[tuple[str, str]]:
    rq_uid, code, results = wire.payment_notification_response_parse(response.content)
    assert code == "0"
    return results


def test_exact_payment_is_accepted_pays_the_bill_and_queues_the_receipt(client, paid_calls,
                                                                      queued):
    # given a bill SADAD accepted, for 150.00
    bill = bill_make(amount="150.00", payable_kind="test_kind")
    assert bill.status == BillStatus.UNPAID
    body = notification([pmt(sptn="SP1", amount="150.00", billing_account=bill.billing_account)],
                        rq_uid="7c0d5e1a-3c1e-4a8e-9d7e-1f2a3b4c5d6e")
    # when SADAD notifies the payment
    with queued() as tasks:
        response = post(client, body)
    # then the answer is ACCEPTED, the bill is paid, the thing billed is told, a receipt is due
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response.content == (
        b"<SADAD><BillerSvcRs><RqUID>7c0d5e1a-3c1e-4a8e-9d7e-1f2a3b4c5d6e</RqUID>"
        b"<Status><StatusCode>0</StatusCode></Status><PmtNotifyRs><PmtRecStatus>"
        b"<PmtId>SP1</PmtId><Result>ACCEPTED</Result></PmtRecStatus></PmtNotifyRs>"
        b"</BillerSvcRs></SADAD>")
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID
    assert bill.amount_paid == Decimal("150.00")
    payment = Payment.objects.get(sptn="SP1")
    assert payment.status == PaymentStatus.APPLIED
    assert payment.bill_id == bill.pk
    assert payment.bnkptn == "RJ88812345"
    assert payment.bank_id == "RJHISARI"
    assert paid_calls == [(bill.pk, "SP1")]
    receipt = Receipt.objects.get(payment=payment)
    assert tasks == [("payments.receipt_ensure", {"receipt_id": receipt.pk})]


def test_amount_written_without_decimals_equals_the_due_amount(client):
    # given a bill for 150.50
    bill = bill_make(amount="150.50")
    # when SADAD writes the amount as 150.5
    response = post(client, notification([pmt(sptn="SP1", amount="150.5",
                                              billing_account=bill.billing_account)]))
    # then it is the same amount
    assert results_of(response) == [("SP1", "ACCEPTED")]


def test_same_sptn_under_another_rquid_is_duplicate_and_changes_nothing(client, db_snapshot,
                                                                       queued):
    # given a payment already recorded
    bill = bill_make(amount="150.00")
    post(client, notification([pmt(sptn="SP1", billing_account=bill.billing_account)]))
    before = db_snapshot()
    # when SADAD retries it under a new RqUID
    with queued() as tasks:
        response = post(client, notification([pmt(sptn="SP1",
                                                   billing_account=bill.billing_account)]))
    # then the answer is DUPLICATE and only the new message's answer is stored
    assert results_of(response) == [("SP1", "DUPLICATE")]
    after = db_snapshot()
    assert after["inbound"] == before["inbound"] + 1
    after["inbound"] = before["inbound"]
    assert after == before
    assert tasks == []


@pytest.mark.parametrize(("paid", "reason"), [("149.99", SuspenseReason.UNDERPAID),
                                              ("150.01", SuspenseReason.OVERPAID)])
def test_wrong_amount_goes_to_suspense_and_the_bill_is_unchanged(client, paid, reason, queued,
                                                                 paid_calls):
    # given a bill for 150.00
    bill = bill_make(amount="150.00", payable_kind="test_kind")
    # when the bank reports another amount
    with queued() as tasks:
        response = post(client, notification([pmt(sptn="SP1", amount=paid,
                                                  billing_account=bill.billing_account)]))
    # then the money is kept in suspense, attached to the bill, which stays unpaid
    assert results_of(response) == [("SP1", "SUSPENSE")]
    payment = Payment.objects.get(sptn="SP1")
    assert (payment.status, payment.suspense_reason, payment.amount) == (
        PaymentStatus.SUSPENSE, reason, Decimal(paid))
    assert payment.bill_id == bill.pk
    bill.refresh_from_db()
    assert (bill.status, bill.amount_paid) == (BillStatus.UNPAID, Decimal("0.00"))
    assert Receipt.objects.count() == 0
    assert paid_calls == []
    # and nothing is queued but the messages telling the payer their money is held
    assert tasks == []
    assert set(Notification.objects.filter(key=f"payment.suspense:{payment.pk}")
               .values_list("event", "channel")) == {("payment.suspense", "sms"),
                                                     ("payment.suspense", "email")}


def test_second_payment_for_a_paid_bill_goes_to_suspense(client):
    # given a bill already paid by one SADAD payment
    bill = bill_make(amount="150.00")
    post(client, notification([pmt(sptn="SP1", billing_account=bill.billing_account)]))
    # when SADAD reports a second, different payment for it
    response = post(client, notification([pmt(sptn="SP2", billing_account=bill.billing_account)]))
    # then the money is kept, in suspense, and the bill is untouched
    assert results_of(response) == [("SP2", "SUSPENSE")]
    assert Payment.objects.get(sptn="SP2").suspense_reason == SuspenseReason.ALREADY_PAID
    bill.refresh_from_db()
    assert (bill.status, bill.amount_paid) == (BillStatus.PAID, Decimal("150.00"))
    assert Payment.objects.get(sptn="SP1").status == PaymentStatus.APPLIED


def test_payment_for_an_expired_bill_goes_to_suspense(client, clock):
    # given a bill that expired
    clock.set(clock.now())
    bill = bill_make(amount="150.00")
    clock.advance(days=(bill.expiry_date - clock.now().date()).days + 2)
    assert bill_expire_due() == 1
    # when SADAD still reports a payment for it
    response = post(client, notification([pmt(sptn="SP1", billing_account=bill.billing_account)]))
    # then it is held as "bill not payable"
    assert results_of(response) == [("SP1", "SUSPENSE")]
    assert Payment.objects.get(sptn="SP1").suspense_reason == SuspenseReason.NOT_PAYABLE
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.EXPIRED


def test_payment_for_a_cancelled_bill_goes_to_suspense(client):
    # given a bill whose cancellation SADAD accepted
    from payments.services import outbox_flush

    bill = bill_make(amount="150.00")
    bill_cancel(bill_id=bill.pk, reason="issued by mistake")
    outbox_flush()
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.CANCELLED
    # when a payment for it arrives anyway
    response = post(client, notification([pmt(sptn="SP1", billing_account=bill.billing_account)]))
    # then it is held as "bill not payable"
    assert results_of(response) == [("SP1", "SUSPENSE")]
    assert Payment.objects.get(sptn="SP1").suspense_reason == SuspenseReason.NOT_PAYABLE
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.CANCELLED


def test_unknown_billing_account_goes_to_suspense_then_matches_when_the_bill_appears(
        client, paid_calls):
    # given no bill with BillingAcct UNKNOWN_ACCOUNT exists
    account = UNKNOWN_ACCOUNT
    assert not Bill.objects.filter(billing_account=account).exists()
    # when SADAD reports a payment for it
    response = post(client, notification([pmt(sptn="SP1", amount="80.00",
                                              billing_account=account)]))
    # then the money is recorded in suspense as "unknown bill"
    assert results_of(response) == [("SP1", "SUSPENSE")]
    payment = Payment.objects.get(sptn="SP1")
    assert (payment.status, payment.suspense_reason, payment.bill_id) == (
        PaymentStatus.SUSPENSE, SuspenseReason.UNKNOWN_BILL, None)
    # and when a bill with that BillingAcct is issued later
    bill = bill_issue(payable_kind="test_kind", payable_ref="LATE-1",
                      municipality=MunicipalityFactory(), eservice=misc_fee_service(),
                      payer_person=PersonFactory(), amount="80.00", billing_account=account)
    # then the payment is matched to it automatically and pays it
    payment.refresh_from_db()
    bill.refresh_from_db()
    assert (payment.status, payment.suspense_reason, payment.bill_id) == (
        PaymentStatus.APPLIED, "", bill.pk)
    assert (bill.status, bill.amount_paid) == (BillStatus.PAID, Decimal("80.00"))
    assert paid_calls == [(bill.pk, "SP1")]
    assert list(payment.events.values_list("kind", flat=True)) == ["recorded", "matched"]


def test_unknown_bill_payment_with_another_amount_stays_in_suspense_when_matched(client):
    # given an unknown-bill payment of 50.00
    account = UNKNOWN_ACCOUNT
    post(client, notification([pmt(sptn="SP1", amount="50.00", billing_account=account)]))
    # when the bill appears for 80.00
    bill = bill_make(amount="80.00", billing_account=account, registered=False)
    # then the payment is attached to it but stays in suspense as underpaid
    payment = Payment.objects.get(sptn="SP1")
    assert (payment.status, payment.suspense_reason, payment.bill_id) == (
        PaymentStatus.SUSPENSE, SuspenseReason.UNDERPAID, bill.pk)
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PENDING_REGISTRATION


def test_several_records_get_one_result_each_in_message_order(client):
    # given two bills
    first = bill_make(amount="10.00")
    second = bill_make(amount="20.00")
    # when one message carries a payment for each, an underpayment and an unknown bill
    response = post(client, notification([
        pmt(sptn="SP-B", amount="20.00", billing_account=second.billing_account),
        pmt(sptn="SP-A", amount="10.00", billing_account=first.billing_account),
        pmt(sptn="SP-C", amount="5.00", billing_account=first.billing_account),
        pmt(sptn="SP-D", amount="5.00", billing_account=UNKNOWN_ACCOUNT),
    ]))
    # then each record is answered in the order it came
    assert results_of(response) == [("SP-B", "ACCEPTED"), ("SP-A", "ACCEPTED"),
                                    ("SP-C", "SUSPENSE"), ("SP-D", "SUSPENSE")]
    assert Payment.objects.count() == 4


def test_same_sptn_twice_in_one_message_is_recorded_once(client):
    # given a bill
    bill = bill_make(amount="10.00")
    # when one message carries the same SPTN twice
    record = pmt(sptn="SP1", amount="10.00", billing_account=bill.billing_account)
    response = post(client, notification([record, record]))
    # then the second copy is a duplicate
    assert results_of(response) == [("SP1", "ACCEPTED"), ("SP1", "DUPLICATE")]
    assert Payment.objects.count() == 1


def test_same_rquid_and_same_body_gets_the_stored_answer_byte_for_byte(client, db_snapshot,
                                                                      queued):
    # given a notification answered once
    bill = bill_make(amount="10.00")
    body = notification([pmt(sptn="SP1", amount="10.00", billing_account=bill.billing_account)])
    first = post(client, body)
    before = db_snapshot()
    # when SADAD sends the very same message again, later (fresh signature)
    clock.freeze(clock.now())
    with queued() as tasks:
        second = post(client, body)
    clock.freeze(None)
    # then it gets the very same answer and nothing changes
    assert second.status_code == 200
    assert second.content == first.content
    assert InboundMessage.objects.get().response_body.tobytes() == first.content
    assert db_snapshot() == before
    assert tasks == []


def test_payment_for_a_bill_still_awaiting_sadad_acceptance_is_accepted(client):
    # given a bill whose BillNew answer has not arrived yet
    bill = bill_make(amount="10.00", registered=False)
    assert bill.status == BillStatus.PENDING_REGISTRATION
    # when SADAD (which evidently knows it) reports its payment
    response = post(client, notification([pmt(sptn="SP1", amount="10.00",
                                              billing_account=bill.billing_account)]))
    # then the money pays it
    assert results_of(response) == [("SP1", PaymentOutcome.ACCEPTED.value)]
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
