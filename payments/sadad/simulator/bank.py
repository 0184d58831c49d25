"""The simulated bank: a citizen pays a bill, SADAD remembers the payment
(SimulatedSadadPayment, from which the day's reconciliation file is made) and notifies the
portal with a signed §3 message through the adapter's real notification path."""

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from amanah import clock
from amanah.dates import business_date
from amanah.errors import Conflict, NotFound

from .. import wire
from ..inbound import notification_handle
from ..keys import simulator_key
from ..signing import signature_header
from .enums import SimulatedBillStatus
from .models import SimulatedSadadBill, SimulatedSadadPayment


def sptn_new(moment: dt.datetime) -> str:
    return f"SP{business_date(moment):%Y%m%d}{secrets.randbelow(10**10):010d}"


def simulated_notification_body(payments: list[SimulatedSadadPayment], *,
                                rq_uid: str | None = None) -> tuple[str, bytes]:
    """The §3 message SADAD would send for these payments: (RqUID, body)."""
    rq_uid = rq_uid or wire.new_rq_uid()
    records = [simulated_payment_record(p) for p in payments]
    body = wire.payment_notification_build(rq_uid=rq_uid, records=records,
                                           client_dt=clock.now(), receiver=settings.SADAD_BILLER_ID)
    return rq_uid, body


def simulated_payment_record(payment: SimulatedSadadPayment) -> wire.PaymentRecord:
    return wire.PaymentRecord(
        sptn=payment.sptn, bnkptn=payment.bnkptn, status_code="PmtNew",
        effective_at=payment.processed_at, amount=payment.amount,
        processed_at=payment.processed_at, billing_account=payment.billing_account,
        biller_id=payment.biller_id, bank_id=payment.bank_id, channel=payment.channel,
        method=payment.method)


def simulated_notification_deliver(payments: list[SimulatedSadadPayment], *,
                                   rq_uid: str | None = None) -> tuple[int, bytes]:
    """Send the notification through the portal's own handler, signed as §1 says but with the
    simulator's own key: the portal takes it only in demo mode."""
    rq_uid, body = simulated_notification_body(payments, rq_uid=rq_uid)
    signature = signature_header(simulator_key(), int(clock.now().timestamp()), body)
    answer = notification_handle(body=body, signature=signature, remote="simulator")
    results = {}
    if answer.status == 200:
        _, _, pairs = wire.payment_notification_response_parse(answer.body)
        results = dict(pairs)
    for payment in payments:
        SimulatedSadadPayment.objects.filter(pk=payment.pk).update(
            notified_rq_uid=rq_uid, notified_status=answer.status,
            notified_result=results.get(payment.sptn, ""))
    return answer.status, answer.body


def simulated_bank_pay(*, billing_account: str, amount: Decimal | None = None,
                       bank_id: str = "RJHISARI", channel: str = "INTERNET",
                       method: str = "ACTDEB", sptn: str | None = None, deliver: bool = True,
                       allow_any_state: bool = False) -> SimulatedSadadPayment:
    """A citizen pays a bill at the simulated bank; SADAD then notifies the portal.

    Like a real SADAD it takes money only for bills it knows and that are open, unless
    `allow_any_state` (the simulator command uses it to play faults).
    """
    biller_id = settings.SADAD_BILLER_ID
    with transaction.atomic():
        known = (SimulatedSadadBill.objects.select_for_update()
                 .filter(biller_id=biller_id, billing_account=billing_account).first())
        if known is None and not allow_any_state:
            raise NotFound("simulator.unknown_bill", "سداد لا يعرف هذه الفاتورة بعد.",
                           "SADAD does not know this bill yet.")
        if known is not None and known.status != SimulatedBillStatus.OPEN \
                and not allow_any_state:
            raise Conflict("simulator.bill_closed", "لا يقبل سداد الدفع لهذه الفاتورة.",
                           "SADAD does not accept payments for this bill.")
        if amount is None:
            if known is None:
                raise NotFound("simulator.amount_required", "حدد المبلغ.", "Give an amount.")
            amount = known.amount_due
        now = clock.now()
        payment = SimulatedSadadPayment.objects.create(
            sptn=sptn or sptn_new(now), bnkptn=f"BK{secrets.randbelow(10**10):010d}",
            biller_id=biller_id, billing_account=billing_account, amount=amount,
            bank_id=bank_id, channel=channel, method=method, processed_at=now,
            business_date=business_date(now))
        if known is not None and known.status == SimulatedBillStatus.OPEN \
                and amount == known.amount_due:
            known.status = SimulatedBillStatus.PAID
            known.save(update_fields=["status"])
    if deliver:
        simulated_notification_deliver([payment])
        payment.refresh_from_db()
    return payment
