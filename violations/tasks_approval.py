"""The approval part's tasks (ids in, fetch, call a service; twice is harmless) and their
sweepers, registered as periodic tasks by `violations.apps`."""

import datetime as dt

from celery import shared_task

SWEEP_AFTER = dt.timedelta(minutes=5)
SWEEP_BATCH = 200


@shared_task(name="violations.fine_submitted")
def fine_submitted(violation_id: int) -> None:
    from .services.approval import approval_case_open

    approval_case_open(violation_id=violation_id)


@shared_task(name="violations.approval_case_sweep")
def approval_case_sweep() -> int:
    from .services.approval import approval_case_sweep as sweep

    return sweep(older_than=SWEEP_AFTER, limit=SWEEP_BATCH)


@shared_task(name="violations.approval_decided")
def approval_decided(case_id: int, event_id: int | None = None) -> None:
    from .services.approval import approval_decided as decided

    decided(case_id=case_id, event_id=event_id)


@shared_task(name="violations.approval_decided_sweep")
def approval_decided_sweep() -> int:
    from .services.approval import approval_decided_sweep as sweep

    return sweep(older_than=SWEEP_AFTER, limit=SWEEP_BATCH)


@shared_task(name="violations.notice_send")
def notice_send(violation_id: int) -> None:
    from .notice import notice_send as send

    send(violation_id=violation_id)


@shared_task(name="violations.notice_sweep")
def notice_sweep() -> int:
    """Approved fines whose PDF or SMS task was lost."""
    from django.db.models import Q

    from amanah import clock

    from .enums import NoticeKind
    from .models import Violation
    from .notice import notice_send as send

    ids = list(Violation.objects.filter(kind=NoticeKind.FINE, approved_at__isnull=False,
                                        approved_at__lt=clock.now() - SWEEP_AFTER)
               .filter(Q(notice_pdf="") | Q(notice_sent_at__isnull=True))
               .order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    for violation_id in ids:
        send(violation_id=violation_id)
    return len(ids)


@shared_task(name="violations.warning_send")
def warning_send(violation_id: int) -> int:
    from .notice import warning_send as send

    return send(violation_id=violation_id)


@shared_task(name="violations.warning_sweep")
def warning_sweep() -> int:
    """Warnings whose SMS task was lost (no WARNING_SENT event yet)."""
    from amanah import clock

    from .enums import ViolationEventKind, ViolationStatus
    from .models import Violation
    from .notice import warning_send as send

    ids = list(Violation.objects.filter(status=ViolationStatus.WARNED,
                                        recorded_at__lt=clock.now() - SWEEP_AFTER)
               .exclude(events__kind=ViolationEventKind.WARNING_SENT)
               .order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    for violation_id in ids:
        send(violation_id=violation_id)
    return len(ids)


@shared_task(name="violations.fine_paid_effects")
def fine_paid_effects(violation_id: int, bill_id: int) -> None:
    """After a payment: lift the penalties that wait for it, then send the receipt SMS.
    Penalties are also swept by `violations.penalty_lift_due`."""
    from django.db import transaction

    from .enums import LineStatus
    from .notice import receipt_send
    from .services.penalties import penalties_on_line_paid
    from .services.records import violation_lock

    with transaction.atomic():
        violation = violation_lock(violation_id)
        if violation is None:
            return
        for line in violation.lines.filter(bill_id=bill_id, status=LineStatus.PAID,
                                           penalty__isnull=False).order_by("id"):
            penalties_on_line_paid(violation=violation, line=line, actor=None)
    receipt_send(violation_id=violation_id, bill_id=bill_id)


@shared_task(name="violations.penalty_lift_due")
def penalty_lift_due() -> int:
    from .services.penalties import penalty_lift_due as lift

    return lift()


@shared_task(name="violations.fine_paid_sweep")
def fine_paid_sweep() -> int:
    from .services.billing import fine_paid_sweep as sweep

    return sweep(limit=SWEEP_BATCH)
