"""The transactional outbox of bill uploads to SADAD (spec §2).

A row is written in the same transaction as the bill change (`outbox_queue.outbox_enqueue`); a
task sends it right after the commit and a periodic sweeper sends whatever is still pending,
through the biller gateway port (`payments.gateway`), and the answer is applied to the bill. A
retry reuses the row's RqUID, so SADAD can recognise a message it already processed.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from amanah import clock
from amanah.dispatch import task_on_commit
from amanah.statuses import StatusTransitions, row_lock_ensure

from ..enums import OutboxEventKind, OutboxKind, OutboxStatus
from ..gateway import BillerGateway, GatewayUnavailable, gateway_get
from ..locks import locked_first, outbox_qs_for_update
from ..models import OutboxEvent, SadadOutbox
from ..records import BillRecord
from .bills import bill_cancel_confirm, bill_mark_registered, bill_mark_rejected

logger = logging.getLogger("payments.outbox")
alerts = logging.getLogger("payments.alerts")

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


def outbox_backoff(attempts: int) -> dt.timedelta:
    """60 s after the first failure, doubling, at most an hour."""
    return dt.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** attempts, BACKOFF_MAX_SECONDS))


# A send takes at most the gateway's timeout; a claim a little longer than that keeps a second
# worker off the row meanwhile, and lapses by itself if the sending worker was killed.
CLAIM_SECONDS = 120

# Where an upload's status may go: SADAD's answer settles it once.
OUTBOX_TRANSITIONS = StatusTransitions("outbox", OutboxStatus, {
    OutboxStatus.PENDING: {OutboxStatus.ACCEPTED, OutboxStatus.REJECTED},
})


def _outbox_event(row: SadadOutbox, kind: str, *, from_status: str | None = None,
                  reason: str = "", payload: dict | None = None) -> OutboxEvent:
    return OutboxEvent.objects.create(
        outbox=row, kind=kind, from_status=from_status or row.status, to_status=row.status,
        reason=reason[:500], payload=payload or {}, at=clock.now())


def outbox_status_change(*, row: SadadOutbox, to_status: str, sadad_status_code: str,
                         reason: str = "") -> OutboxEvent:
    """The one writer of `SadadOutbox.status`: SADAD answered the upload. Under the row's
    lock, only along OUTBOX_TRANSITIONS, with its event."""
    row_lock_ensure(row, outbox_qs_for_update())
    OUTBOX_TRANSITIONS.check(row.status, to_status)
    from_status = row.status
    row.status = to_status
    row.sadad_status_code = sadad_status_code
    row.sent_at = clock.now()
    row.claimed_until = None
    row.last_error = reason[:500]
    row.save(update_fields=["status", "sadad_status_code", "sent_at", "claimed_until",
                            "last_error"])
    kind = OutboxEventKind.ACCEPTED if to_status == OutboxStatus.ACCEPTED \
        else OutboxEventKind.REJECTED
    return _outbox_event(row, kind, from_status=from_status, reason=reason,
                         payload={"sadad_status_code": sadad_status_code})


def bill_record_for(row: SadadOutbox) -> BillRecord:
    bill = row.bill
    return BillRecord(
        status_code=row.kind, official_id=bill.payer_official_id,
        official_id_type=bill.payer_official_id_type, category=bill.category,
        service_type=bill.eservice.code, billing_account=bill.billing_account,
        biller_id=settings.SADAD_BILLER_ID, amount_due=bill.amount, due_date=bill.due_date,
        expiry_date=bill.expiry_date, reference=f"{bill.payable_kind}:{bill.payable_ref}"[:64],
        version=row.version)


def _outbox_claim(outbox_id: int) -> SadadOutbox | None:
    """Take a due upload for sending and count the attempt, committed before anything is sent:
    a send killed half-way is still counted, and nobody else sends the row meanwhile."""
    with transaction.atomic():
        # skip_locked: another worker claiming this row right now owns it.
        row = locked_first(outbox_qs_for_update(skip_locked=True)
                           .select_related("bill__eservice", "bill__payer_person",
                                           "bill__payer_establishment")
                           .filter(pk=outbox_id, status=OutboxStatus.PENDING))
        if row is None:
            return None
        now = clock.now()
        if row.next_attempt_at > now or (row.claimed_until is not None
                                         and row.claimed_until > now):
            return None
        # Uploads of one bill go in order: a BillUpdated never overtakes its BillNew.
        if SadadOutbox.objects.filter(bill_id=row.bill_id, status=OutboxStatus.PENDING,
                                      pk__lt=row.pk).exists():
            return None
        row.attempts += 1
        row.claimed_until = now + dt.timedelta(seconds=CLAIM_SECONDS)
        row.save(update_fields=["attempts", "claimed_until"])
        _outbox_event(row, OutboxEventKind.ATTEMPT, payload={"attempt": row.attempts})
    return row


def _outbox_retry_later(row: SadadOutbox, error: str) -> None:
    row.last_error = error[:500]
    row.next_attempt_at = clock.now() + outbox_backoff(row.attempts)
    row.claimed_until = None
    row.save(update_fields=["last_error", "next_attempt_at", "claimed_until"])
    _outbox_event(row, OutboxEventKind.FAILED, reason=error,
                  payload={"attempt": row.attempts,
                           "next_attempt_at": row.next_attempt_at.isoformat()})


def outbox_send(*, outbox_id: int,
                gateway: BillerGateway | None = None) -> SadadOutbox | None:
    """Send one pending upload if it is due and no earlier upload of its bill is pending.

    Returns the row (updated) or None when there was nothing to do. Safe to run twice: the
    claim keeps a second run off a row being sent, and a retry reuses the row's RqUID.
    """
    gateway = gateway or gateway_get()
    claimed = _outbox_claim(outbox_id)
    if claimed is None:
        return None
    error, status = "", None
    try:
        # No transaction or lock is held while SADAD is asked: the claim keeps others away.
        statuses = gateway.upload(rq_uid=str(claimed.rq_uid), records=[bill_record_for(claimed)],
                                  client_dt=clock.now())
    except GatewayUnavailable as exc:
        error = str(exc)
    else:
        status = next((s for s in statuses
                       if s.billing_account == claimed.bill.billing_account), None)
        if status is None or status.status_code not in ("0", "1", "2"):
            error, status = "SADAD's answer did not carry this bill's status", None
    with transaction.atomic():
        row = locked_first(outbox_qs_for_update().select_related("bill")
                           .filter(pk=claimed.pk, status=OutboxStatus.PENDING))
        if row is None:
            return SadadOutbox.objects.get(pk=claimed.pk)
        if status is None:
            _outbox_retry_later(row, error)
            logger.warning("upload %s of bill %s failed (attempt %s): %s", row.rq_uid,
                           row.bill_id, row.attempts, error)
            return row
        if status.status_code in ("0", "1"):
            outbox_status_change(row=row, to_status=OutboxStatus.ACCEPTED,
                                 sadad_status_code=status.status_code)
            if row.kind == OutboxKind.BILL_EXPIRED:
                bill_cancel_confirm(bill_id=row.bill_id, version=row.version)
            else:
                bill_mark_registered(bill_id=row.bill_id, version=row.version)
        else:
            outbox_status_change(row=row, to_status=OutboxStatus.REJECTED,
                                 sadad_status_code=status.status_code,
                                 reason=status.short_desc)
            bill_mark_rejected(bill_id=row.bill_id, version=row.version, kind=row.kind,
                               reason=status.short_desc)
            alerts.error("SADAD rejected %s of bill %s v%s: %s", row.kind,
                         row.bill.billing_account, row.version, status.short_desc)
        following = (SadadOutbox.objects.filter(bill_id=row.bill_id,
                                                status=OutboxStatus.PENDING, pk__gt=row.pk)
                     .order_by("pk").values_list("pk", flat=True).first())
        if following is not None:
            task_on_commit("payments.outbox_send", outbox_id=following)
        return row


def outbox_due_ids(*, limit: int = 500) -> list[int]:
    now = clock.now()
    return list(SadadOutbox.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
                .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
                .order_by("pk").values_list("pk", flat=True)[:limit])


def outbox_flush(*, gateway: BillerGateway | None = None, limit: int = 500) -> dict[str, int]:
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
