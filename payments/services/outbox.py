"""The transactional outbox of bill uploads to SADAD (spec §2).

A row is written in the same transaction as the bill change; a task sends it right after the
commit and a periodic sweeper sends whatever is still pending. A retry reuses the row's RqUID,
so SADAD can recognise a message it already processed.
"""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.db import transaction

from amanah import clock

from ..dispatch import task_on_commit
from ..enums import OutboxKind, OutboxStatus
from ..locks import outbox_qs_for_update
from ..models import Bill, SadadOutbox
from ..records import BillRecord
from ..sadad.gateway import GatewayUnavailable, gateway_get

logger = logging.getLogger("payments.outbox")
alerts = logging.getLogger("payments.alerts")

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


def outbox_backoff(attempts: int) -> dt.timedelta:
    """60 s after the first failure, doubling, at most an hour."""
    return dt.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** attempts, BACKOFF_MAX_SECONDS))


def outbox_enqueue(*, bill: Bill, kind: str) -> SadadOutbox:
    """Called by the bill services inside their transaction; sent after commit."""
    now = clock.now()
    row = SadadOutbox.objects.create(rq_uid=uuid.uuid4(), kind=kind, bill=bill,
                                     version=bill.version, next_attempt_at=now, created_at=now)
    task_on_commit("payments.outbox_send", outbox_id=row.pk)
    return row


def bill_record_for(row: SadadOutbox) -> BillRecord:
    bill = row.bill
    return BillRecord(
        status_code=row.kind, official_id=bill.payer_official_id,
        official_id_type=bill.payer_official_id_type, category=bill.category,
        service_type=bill.eservice.code, billing_account=bill.billing_account,
        biller_id=settings.SADAD_BILLER_ID, amount_due=bill.amount, due_date=bill.due_date,
        expiry_date=bill.expiry_date, reference=f"{bill.payable_kind}:{bill.payable_ref}"[:64],
        version=row.version)


def outbox_send(*, outbox_id: int, gateway=None) -> SadadOutbox | None:
    """Send one pending upload if it is due and no earlier upload of its bill is pending.

    Returns the row (updated) or None when there was nothing to do. Safe to run twice.
    """
    from .bills import bill_cancel_confirm, bill_mark_registered, bill_mark_rejected

    gateway = gateway or gateway_get()
    with transaction.atomic():
        # skip_locked: another worker sending this row right now owns it.
        row = (outbox_qs_for_update(skip_locked=True)
               .select_related("bill__eservice", "bill__payer_person",
                               "bill__payer_establishment")
               .filter(pk=outbox_id, status=OutboxStatus.PENDING).first())
        if row is None:
            return None
        now = clock.now()
        if row.next_attempt_at > now:
            return None
        # Uploads of one bill go in order: a BillUpdated never overtakes its BillNew.
        if SadadOutbox.objects.filter(bill_id=row.bill_id, status=OutboxStatus.PENDING,
                                      pk__lt=row.pk).exists():
            return None
        row.attempts += 1
        try:
            statuses = gateway.upload(rq_uid=str(row.rq_uid), records=[bill_record_for(row)],
                                      client_dt=now)
        except GatewayUnavailable as exc:
            row.last_error = str(exc)[:500]
            row.next_attempt_at = now + outbox_backoff(row.attempts)
            row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning("upload %s of bill %s failed (attempt %s): %s", row.rq_uid,
                           row.bill_id, row.attempts, exc)
            return row
        status = next((s for s in statuses if s.billing_account == row.bill.billing_account),
                      None)
        if status is None or status.status_code not in ("0", "1", "2"):
            row.last_error = "SADAD's answer did not carry this bill's status"
            row.next_attempt_at = now + outbox_backoff(row.attempts)
            row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            return row
        row.sadad_status_code = status.status_code
        row.sent_at = now
        if status.status_code in ("0", "1"):
            row.status = OutboxStatus.ACCEPTED
            row.last_error = ""
            if row.kind == OutboxKind.BILL_EXPIRED:
                bill_cancel_confirm(bill_id=row.bill_id, version=row.version)
            else:
                bill_mark_registered(bill_id=row.bill_id, version=row.version)
        else:
            row.status = OutboxStatus.REJECTED
            row.last_error = status.short_desc[:500]
            bill_mark_rejected(bill_id=row.bill_id, version=row.version, kind=row.kind,
                               reason=status.short_desc)
            alerts.error("SADAD rejected %s of bill %s v%s: %s", row.kind,
                         row.bill.billing_account, row.version, status.short_desc)
        row.save(update_fields=["attempts", "status", "last_error", "sent_at",
                                "sadad_status_code"])
        following = (SadadOutbox.objects.filter(bill_id=row.bill_id,
                                                status=OutboxStatus.PENDING, pk__gt=row.pk)
                     .order_by("pk").values_list("pk", flat=True).first())
        if following is not None:
            task_on_commit("payments.outbox_send", outbox_id=following)
        return row


def outbox_due_ids(*, limit: int = 500) -> list[int]:
    return list(SadadOutbox.objects.filter(status=OutboxStatus.PENDING,
                                           next_attempt_at__lte=clock.now())
                .order_by("pk").values_list("pk", flat=True)[:limit])


def outbox_flush(*, gateway=None, limit: int = 500) -> dict[str, int]:
    """Send every due upload now, in order (the sweeper and `sadad_outbox_flush`)."""
    counts = {"accepted": 0, "rejected": 0, "failed": 0, "skipped": 0}
    gateway = gateway or gateway_get()
    for outbox_id in outbox_due_ids(limit=limit):
        row = outbox_send(outbox_id=outbox_id, gateway=gateway)
        if row is None:
            counts["skipped"] += 1
        elif row.status == OutboxStatus.ACCEPTED:
            counts["accepted"] += 1
        elif row.status == OutboxStatus.REJECTED:
            counts["rejected"] += 1
        else:
            counts["failed"] += 1
    return counts
