"""SADAD's side of bill uploads (spec §2), simulated: the upload arrives as signed XML, and
each bill is remembered the way a real SADAD would, with the same per-bill answer codes."""

from django.conf import settings
from django.db import transaction

from amanah import clock

from .. import wire
from ..signing import SignatureInvalid, SignatureStale, signature_verify
from .enums import SimulatedBillStatus
from .models import SimulatedSadadBill


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
