"""The built-in simulated SADAD: what it knows about bills, and its bank paying them."""

from decimal import Decimal

import pytest

from amanah.errors import DomainError
from payments.enums import BillStatus
from payments.models import Bill, Payment
from payments.sadad import wire
from payments.sadad.simulator.models import SimulatedSadadBill, SimulatedSadadPayment
from payments.services import bill_cancel, outbox_flush

from .factories import bill_make

pytestmark = pytest.mark.django_db


def test_simulated_bank_pays_a_bill_through_the_real_notification_path():
    from payments.sadad.simulator.bank import simulated_bank_pay

    # given a bill registered with the simulated SADAD
    bill = bill_make(amount="150.00")
    # when its bank pays it
    paid = simulated_bank_pay(billing_account=bill.billing_account, channel="MOBILE")
    # then SADAD remembers the payment, the portal recorded it, and the bill is paid
    assert (paid.notified_status, paid.notified_result) == (200, "ACCEPTED")
    assert (paid.amount, paid.channel, paid.billing_account) == (
        Decimal("150.00"), "MOBILE", bill.billing_account)
    assert paid.sptn.startswith("SP")
    payment = Payment.objects.get(sptn=paid.sptn)
    assert (payment.amount, payment.bnkptn, payment.channel) == (Decimal("150.00"), paid.bnkptn,
                                                                 "MOBILE")
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    assert SimulatedSadadBill.objects.get(billing_account=bill.billing_account).status == "paid"


def test_simulated_bank_refuses_bills_sadad_does_not_know_or_closed():
    from payments.sadad.simulator.bank import simulated_bank_pay

    unknown = bill_make(amount="10.00", registered=False)
    with pytest.raises(DomainError) as not_known:
        simulated_bank_pay(billing_account=unknown.billing_account)
    cancelled = bill_make(amount="10.00")
    bill_cancel(bill_id=cancelled.pk, reason="issued twice")
    outbox_flush()
    with pytest.raises(DomainError) as closed:
        simulated_bank_pay(billing_account=cancelled.billing_account)
    assert (not_known.value.code, closed.value.code) == ("simulator.unknown_bill",
                                                         "simulator.bill_closed")
    assert SimulatedSadadPayment.objects.count() == 0
    assert Payment.objects.count() == 0


def test_simulated_sadad_answers_per_bill_codes():
    from payments.sadad.signing import signature_header
    from payments.sadad.simulator.uploads import simulated_sadad_receive_upload

    bill = bill_make(amount="10.00")
    known = SimulatedSadadBill.objects.get(billing_account=bill.billing_account)
    record = wire.BillRecord(
        status_code="BillNew", official_id="1000000008", official_id_type="NAT", category="FEE",
        service_type="misc_fee", billing_account=bill.billing_account, biller_id="090",
        amount_due=Decimal("10.00"), due_date=known.due_date, expiry_date=known.expiry_date,
        reference="x", version=1)
    unknown = record.__class__(**{**record.__dict__, "status_code": "BillUpdated",
                                  "billing_account": "123", "version": 2})
    body = wire.bill_upload_build(rq_uid=wire.new_rq_uid(), records=[record, unknown],
                                  client_dt=known.updated_at, sender="090")
    from amanah import clock

    status, answer = simulated_sadad_receive_upload(
        body=body, signature=signature_header("test-outbound-key",
                                              int(clock.now().timestamp()), body))
    assert status == 200
    _, statuses = wire.bill_upload_response_parse(answer)
    assert [(s.billing_account, s.status_code) for s in statuses] == [
        (bill.billing_account, "1"), ("123", "2")]
    # and a wrongly signed upload is refused
    assert simulated_sadad_receive_upload(body=body, signature="t=1,v1=" + "0" * 64)[0] == 401
