"""Celery tasks of reconciliation: ids in, a service call inside, safe to run twice."""

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings

logger = logging.getLogger("payments.reconciliation")

INBOX_SWEEP_SECONDS = 300.0


@shared_task(name="payments.recon_run_process")
def recon_run_process(run_id: int) -> str:
    from .services import recon_run_process as process

    return str(process(run_id=run_id).status)


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
    """Periodic: reconciles every file dropped in SADAD_RECON_INBOX, and resumes runs left
    unfinished (a killed worker, a task lost with the broker); a run that a worker is
    processing right now is skipped by its lock.

    Crash-safe in this order: the file's run is registered first (found again by the file's
    SHA-256, so registering twice gives the same run), THEN the file is moved to processed/
    where the run expects it, then processed. A crash before the move leaves the file in the
    inbox and the next sweep finds the same run; a crash after it leaves an unfinished run the
    next sweep resumes. (Moving first, as before, could leave a processed file with no run.)"""
    from .enums import ReconRunStatus, ReconSource
    from .models import ReconRun
    from .services import file_digest, recon_file_receive
    from .services import recon_run_process as process

    runs = []
    unfinished = ReconRun.objects.filter(
        status__in=(ReconRunStatus.RECEIVED, ReconRunStatus.PROCESSING),
        duplicate_of__isnull=True).order_by("pk").values_list("pk", "file_path")
    for run_id, file_path in list(unfinished):
        if not Path(file_path).is_file():
            # Registered by a sweep that stopped before moving the file; the inbox loop
            # below (or the next sweep) moves it and processes the run.
            continue
        outcome = process(run_id=run_id)
        if outcome.run.status != ReconRunStatus.PROCESSING:
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
            continue  # another sweep claimed it; it processes the run
        outcome = process(run_id=run.pk)
        logger.info("inbox file %s: run %s %s", entry.name, outcome.run.pk, outcome.status)
        if run.pk not in runs:
            runs.append(run.pk)
    return runs
