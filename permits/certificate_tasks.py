"""The certificate's tasks: made after the commit that issued, renewed, amended or replaced a
permit (bulk queue, with the other PDFs), and a sweeper for a task that was lost."""

import datetime as dt

from celery import shared_task

SWEEP_BATCH = 200


@shared_task(name="permits.certificate_ensure")
def certificate_ensure(permit_id: int) -> None:
    from .certificates import certificate_ensure as ensure

    ensure(permit_id=permit_id)


@shared_task(name="permits.certificate_sweep")
def certificate_sweep() -> int:
    """Periodic: permits whose certificate is missing or shows an earlier version, and whose
    task never ran (broker down, worker killed), get it made."""
    from django.db.models import F, Max, Q

    from amanah import clock

    from .certificates import certificate_ensure as ensure
    from .enums import PermitEventKind
    from .models import Permit

    # Leave the last minutes to the task the commit queued; ensure is idempotent either way.
    settled = clock.now() - dt.timedelta(minutes=5)
    stale = list(Permit.objects.filter(Q(certificate="") | ~Q(certificate_version=F("version")),
                                       created_at__lt=settled)
                 .order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    # A replacement changes no column of the permit that says so: its REPLACED event is newer
    # than the last CERTIFICATE_MADE. Few permits are ever replaced, so the join stays small.
    replaced = list(
        Permit.objects.filter(replacement_count__gt=0)
        .annotate(replaced=Max("events__seq", filter=Q(events__kind=PermitEventKind.REPLACED)),
                  made=Max("events__seq",
                           filter=Q(events__kind=PermitEventKind.CERTIFICATE_MADE)))
        .filter(Q(made__isnull=True) | Q(replaced__gt=F("made")))
        .order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    ids = sorted(set(stale) | set(replaced))
    for permit_id in ids:
        ensure(permit_id=permit_id)
    return len(ids)
