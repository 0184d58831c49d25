"""A small simulated SADAD inside the portal (PAYMENTS_GATEWAY=simulator).

It keeps what a real SADAD would know — the bills uploaded to it (SimulatedSadadBill) and the
payments its banks took (SimulatedSadadPayment) — so the reconciliation file of a day can be
produced from its own records. Its bank pays by sending a signed §3 notification through the
portal's real notification code path.
"""

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from amanah import clock
from amanah.dates import business_date
from amanah.errors import Conflict, NotFound

from ..enums import SimulatedBillStatus
from ..models import SimulatedSadadBill, SimulatedSadadPayment
from . import wire
from .signing import SignatureInvalid, SignatureStale, signature_header, signature_verify


def simulated_sadad_receive_upload(*, body: bytes, signature: str) -> tuple[int, bytes]:
    """SADAD's side of §2: verify, parse, remember each bill, answer per-bill status codes."""
    try:
        signature_verify(signature, body, keys=[settings.SADAD_OUTBOUND_KEY],
                         now=int(clock.now().timestamp()))
    except (SignatureInvalid, SignatureStale):
        return 401, b""
    try:
        upload = wire.bill_upload_parse(body)
    except wire.WireError:
        return 400, b""
    statuses = []
    with transaction.atomic():
        for record in upload.records:
            code, why = _apply(record, rq_uid=upload.rq_uid)
            statuses.append(wire.UploadStatus(billing_account=record.billing_account,
                                              version=record.version, status_code=code,
                                              short_desc=why))
    return 200, wire.bill_upload_response_build(rq_uid=upload.rq_uid, statuses=statuses)


def _apply(record: wire.BillRecord, *, rq_uid: str) -> tuple[str, str]:
    known = (SimulatedSadadBill.objects.select_for_update()
             .filter(biller_id=record.biller_id, billing_account=record.billing_account).first())
    now = clock.now()
    fields = {
        "official_id": record.official_id, "official_id_type": record.official_id_type,
        "category": record.category, "service_type": record.service_type,
        "amount_due": record.amount_due, "due_date": record.due_date,
        "expiry_date": record.expiry_date, "reference": record.reference[:64],
        "version": record.version, "last_rq_uid": rq_uid, "updated_at": now,
    }
    if record.status_code == "BillNew":
        if known is not None:
            return "1", ""
        SimulatedSadadBill.objects.create(biller_id=record.biller_id,
                                          billing_account=record.billing_account,
                                          status=SimulatedBillStatus.OPEN, **fields)
        return "0", ""
    if known is None:
        return "2", "unknown bill"
    if record.version < known.version or (record.version == known.version
                                          and known.last_rq_uid == rq_uid):
        return "1", ""
    if record.status_code == "BillUpdated":
        for name, value in fields.items():
            setattr(known, name, value)
        known.save()
        return "0", ""
    if record.status_code == "BillExpired":
        if known.status == SimulatedBillStatus.EXPIRED:
            return "1", ""
        known.status = SimulatedBillStatus.EXPIRED
        known.version = record.version
        known.last_rq_uid = rq_uid
        known.updated_at = now
        known.save()
        return "0", ""
    return "2", f"unknown BillStatusCode {record.status_code}"


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
    """Send the notification through the portal's own handler, signed like SADAD signs."""
    from ..services.notifications import notification_handle

    rq_uid, body = simulated_notification_body(payments, rq_uid=rq_uid)
    signature = signature_header(settings.SADAD_INBOUND_KEYS[0],
                                 int(clock.now().timestamp()), body)
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
