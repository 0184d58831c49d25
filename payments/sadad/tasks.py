"""The SADAD side of reconciliation: the tasks and the command open a delivered file with the
adapter's reader (`reconfile.recon_file_open`) and hand the domain its plain records.

Celery task names stay `payments.recon_run_process` and `payments.recon_inbox_sweep`, so beat
schedules and docs hold. Tasks take ids and are safe to run twice.
"""

import logging
from pathlib import Path

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection

from amanah.dispatch import task_on_commit

from ..reconciliation.enums import RUN_FINAL, ReconRunStatus, ReconSource
from ..reconciliation.models import ReconRun
from ..reconciliation.pace import Pace
from ..reconciliation.runs import file_digest, recon_file_receive
from ..reconciliation.services import ReconOutcome, recon_run_process
from .reconfile import recon_file_open

logger = logging.getLogger("payments.reconciliation")

INBOX_SWEEP_SECONDS = 300.0


def recon_file_reconcile(*, path: Path, source: str = ReconSource.COMMAND,
                         pace: Pace | None = None, on_batch=None) -> ReconOutcome:
    """Receives one file and processes its run in this process (the operator's command)."""
    run = recon_file_receive(path=Path(path), source=source)
    return recon_run_process(run_id=run.pk, file_open=recon_file_open, pace=pace,
                             on_batch=on_batch)


@shared_task(bind=True, name="payments.recon_run_process")
def recon_run_process_task(self, run_id: int) -> str:
    """Processes a run; when the soft time limit interrupts it, queues itself again with the
    same limits, and the next attempt goes on from the last committed batch."""
    hard, soft = self.request.timelimit or (None, None)
    pace = Pace.for_time_limit(soft or settings.CELERY_TASK_SOFT_TIME_LIMIT)
    try:
        outcome = recon_run_process(run_id=run_id, file_open=recon_file_open, pace=pace)
    except SoftTimeLimitExceeded:
        # The batch under way rolled back; closing the connection also ends the session that
        # holds the run's advisory lock, so the next attempt (on any worker) can take it.
        try:
            connection.close()
        except Exception:  # the connection may be half-gone; it is dropped anyway
            logger.warning("reconciliation run %s: closing the connection failed", run_id,
                           exc_info=True)
        logger.info("reconciliation run %s interrupted by the time limit; queued again", run_id)
        try:
            self.apply_async(kwargs={"run_id": run_id}, time_limit=hard, soft_time_limit=soft)
        except Exception:  # the inbox sweep resumes the run if this is lost
            logger.exception("reconciliation run %s could not be queued again", run_id)
        return ReconRunStatus.PROCESSING.value
    return str(outcome.status)


def _processed_target(processed: Path, entry: Path, sha256: str) -> Path:
    """Where an inbox file goes: its own name, or (a file of that name was processed before)
    a name made of its content and its mtime, neither of which a crash changes, so a rerun
    after a crash picks the same place for the same delivery."""
    for candidate in (processed / entry.name,
                      processed / f"{entry.stem}-{sha256[:16]}{entry.suffix}",
                      processed / f"{entry.stem}-{sha256[:16]}-{entry.stat().st_mtime_ns}"
                                  f"{entry.suffix}"):
        if not candidate.exists():
            return candidate
    return processed / f"{entry.stem}-{sha256}-{entry.stat().st_mtime_ns}{entry.suffix}"


@shared_task(name="payments.recon_inbox_sweep")
def recon_inbox_sweep() -> list[int]:
    """Periodic: registers every file dropped in SADAD_RECON_INBOX and queues its run, and
    queues again every run left unfinished (a killed worker, a task lost with the broker); a
    run that a worker is processing right now answers IN_PROGRESS to the extra task and stays
    with that worker. Returns the runs queued.

    Crash-safe in this order: the file's run is registered first (found again by the file's
    SHA-256, so registering twice gives the same run), THEN the file is moved to processed/
    where the run expects it, then its run is queued. A crash before the move leaves the file
    in the inbox and the next sweep finds the same run; a crash after it leaves an unfinished
    run the next sweep queues."""
    runs = []
    unfinished = ReconRun.objects.filter(
        status__in=(ReconRunStatus.RECEIVED, ReconRunStatus.PROCESSING),
        duplicate_of__isnull=True).order_by("pk").values_list("pk", "file_path")
    for run_id, file_path in list(unfinished):
        if not Path(file_path).is_file():
            # Registered by a sweep that stopped before moving the file; the inbox loop
            # below (or the next sweep) moves it and queues the run.
            continue
        task_on_commit("payments.recon_run_process", run_id=run_id)
        runs.append(run_id)
    inbox = Path(settings.SADAD_RECON_INBOX)
    processed = inbox / "processed"
    if not inbox.is_dir():
        return runs
    processed.mkdir(parents=True, exist_ok=True)
    for entry in sorted(inbox.iterdir()):
        if not entry.is_file() or entry.name.startswith("."):
            continue
        try:
            sha256, size = file_digest(entry)
            target = _processed_target(processed, entry, sha256)
        except FileNotFoundError:
            continue  # another sweep claimed it
        run = recon_file_receive(path=target, source=ReconSource.INBOX, sha256=sha256,
                                 size=size)
        if run.file_path != str(target) and not Path(run.file_path).exists():
            # An earlier sweep registered this delivery and died before moving the file.
            target = Path(run.file_path)
        try:
            entry.rename(target)
        except FileNotFoundError:
            continue  # another sweep claimed it; it queues the run
        logger.info("inbox file %s: run %s %s", entry.name, run.pk, run.status)
        if run.pk not in runs:
            if run.status not in RUN_FINAL:
                task_on_commit("payments.recon_run_process", run_id=run.pk)
            runs.append(run.pk)
    return runs
