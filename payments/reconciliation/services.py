"""Reconciliation (spec §4): a day's SADAD file against the portal's payments.

A run goes through four stages, each in batches that commit with a checkpoint, so a run
interrupted anywhere (a time limit, a killed worker) goes on from its last batch and ends
exactly as a clean run would:

1. staging (staging.py): the file's records, streamed by the adapter's reader, into the run's
   staging table; the reader checks the control totals at the end;
2. classifying (classifying.py): each staged record into its category, by ranges of position;
3. portal (classifying.py): the day's portal payments absent from the file, by ranges of id;
4. recording (recording.py): MISSING_IN_PORTAL records become payments (the §3 rules);

then, in one transaction, the run completes: earlier runs of the day are superseded, yesterday's
pending items are settled, the report figures are stored — so the old report stands until the
new one is complete.

The domain never opens the file: the caller (the SADAD adapter) passes `file_open`, which hands
back plain records. Two workers never process one run at once (`recon_run_hold`); the second is
told IN_PROGRESS.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from amanah import clock
from amanah.errors import NotFound

from .classifying import classify_file, classify_portal
from .enums import (
    EXCEPTION_CATEGORIES,
    IN_PROGRESS,
    RUN_FINAL,
    ReconCategory,
    ReconEventKind,
    ReconPhase,
    ReconRunStatus,
)
from .models import ReconItem, ReconRun
from .pace import Pace
from .recording import record_missing
from .records import ReconFileOpen
from .runs import recon_day_hold, recon_run_hold, recon_run_lock, recon_run_move
from .staging import stage_drop, stage_file, stage_table_intact

logger = logging.getLogger("payments.reconciliation")


@dataclass(frozen=True)
class ReconOutcome:
    """What processing a delivery came to. `report_run` holds the figures to show: for a
    duplicate file, the run that processed the file first."""

    run: ReconRun
    status: str
    report_run: ReconRun


def _no_hook(step: str, batches: int) -> None:
    return None


def recon_run_process(*, run_id: int, file_open: ReconFileOpen, pace: Pace | None = None,
                      on_batch: Callable[[str, int], None] | None = None) -> ReconOutcome:
    """Processes one run to its end, going on from its last checkpoint; IN_PROGRESS when
    another worker holds it, a no-op for a finished run.

    `on_batch(stage, n)` is called after each committed batch (tests interrupt runs there)."""
    pace = pace or Pace()
    on_batch = on_batch or _no_hook
    run = ReconRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound("recon.run_not_found", "دورة المطابقة غير موجودة.",
                       "No such reconciliation run.")
    if run.duplicate_of_id is not None:
        return ReconOutcome(run=run, status=ReconRunStatus.DUPLICATE_FILE,
                            report_run=run.duplicate_of)
    with recon_run_hold(run.pk) as held:
        if not held:
            logger.info("reconciliation run %s is being processed by another worker", run.pk)
            return ReconOutcome(run=run, status=IN_PROGRESS, report_run=run)
        run.refresh_from_db()
        if run.status in RUN_FINAL:
            status = (run.status if run.status != ReconRunStatus.SUPERSEDED
                      else ReconRunStatus.DUPLICATE_FILE)
            return ReconOutcome(run=run, status=status, report_run=run)
        run = _start(run)
        if run.phase == ReconPhase.STAGING:
            run = stage_file(run, file_open=file_open, pace=pace, on_batch=on_batch)
        if run.phase == ReconPhase.CLASSIFYING:
            run = classify_file(run, pace=pace, on_batch=on_batch)
        if run.phase == ReconPhase.PORTAL:
            run = classify_portal(run, pace=pace, on_batch=on_batch)
        if run.phase == ReconPhase.RECORDING:
            run = record_missing(run, pace=pace, on_batch=on_batch)
            run = _complete(run)
    return ReconOutcome(run=run, status=run.status, report_run=run)


def _start(run: ReconRun) -> ReconRun:
    if run.status == ReconRunStatus.RECEIVED:
        return recon_run_move(run=run, status=ReconRunStatus.PROCESSING, phase=run.phase,
                              kind=ReconEventKind.STARTED, started_at=clock.now())
    phase = run.phase
    restage = phase in (ReconPhase.CLASSIFYING, ReconPhase.PORTAL) and not stage_table_intact(run)
    if restage:
        logger.warning("reconciliation run %s: staging table lost, staging again", run.pk)
        phase = ReconPhase.STAGING
    return recon_run_move(run=run, status=ReconRunStatus.PROCESSING, phase=phase,
                          kind=ReconEventKind.STARTED,
                          checkpoint={} if restage else None,
                          data={"resumed": True, **({"restaged": True} if restage else {})})


_REPORT = """
SELECT category, bank_id, COUNT(*), SUM(amount) FROM payments_reconitem
WHERE run_id = %s GROUP BY category, bank_id ORDER BY category, bank_id
"""


@transaction.atomic
def _complete(run: ReconRun) -> ReconRun:
    run = recon_run_lock(run.pk)
    recon_day_hold(run.business_date)
    earlier = list(ReconRun.objects
                   .filter(business_date=run.business_date, duplicate_of__isnull=True,
                           status__in=(ReconRunStatus.COMPLETED,
                                       ReconRunStatus.COMPLETED_WITH_EXCEPTIONS))
                   .exclude(pk=run.pk).order_by("pk").values_list("pk", flat=True))
    for old_id in earlier:
        recon_run_move(run=recon_run_lock(old_id), status=ReconRunStatus.SUPERSEDED,
                       phase=ReconPhase.DONE, kind=ReconEventKind.SUPERSEDED,
                       data={"superseded_by": run.pk}, superseded_by=run)
    yesterday = run.checkpoint.get("yesterday")
    if yesterday is not None:
        # Yesterday's last-hour payments are settled by this file now, whichever earlier run
        # of today (just superseded) had settled them before.
        ReconItem.objects.filter(run_id=yesterday, category=ReconCategory.PENDING_NEXT_FILE
                                 ).update(resolved_by_run=run)
    counts = {category.value: 0 for category in ReconCategory}
    amounts: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(_REPORT, [run.pk])
        for category, bank_id, count, total in cursor.fetchall():
            counts[category] += count
            amounts.setdefault(category, {})[bank_id] = {
                "count": count, "amount": f"{Decimal(total).quantize(Decimal('0.01')):f}"}
    stage_drop(run.pk)
    has_exceptions = any(counts[c] for c in EXCEPTION_CATEGORIES)
    return recon_run_move(
        run=run, status=(ReconRunStatus.COMPLETED_WITH_EXCEPTIONS if has_exceptions
                         else ReconRunStatus.COMPLETED),
        phase=ReconPhase.DONE, kind=ReconEventKind.COMPLETED, data={"counts": counts},
        checkpoint={}, counts=counts, amounts=amounts, finished_at=clock.now())


def recon_report(outcome: ReconOutcome) -> dict:
    """The JSON object of spec §4 for `sadad_reconcile --json`."""
    shown = outcome.report_run
    counts = {category.value: 0 for category in ReconCategory}
    counts.update(shown.counts or {})

    def money(value):
        return None if value is None else f"{value.quantize(Decimal('0.01')):f}"

    return {
        "business_date": shown.business_date.isoformat() if shown.business_date else None,
        "status": str(outcome.status),
        "counts": counts,
        "collected": money(shown.collected),
        "fees": money(shown.fees),
    }
