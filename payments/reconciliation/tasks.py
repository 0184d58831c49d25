"""Celery tasks of reconciliation: ids in, a service call inside, safe to run twice."""

import logging
import os
from pathlib import Path

from celery import shared_task
from django.conf import settings

logger = logging.getLogger("payments.reconciliation")

INBOX_SWEEP_SECONDS = 300.0


@shared_task(name="payments.recon_run_process")
def recon_run_process(run_id: int) -> str:
    from .services import recon_run_process as process

    return str(process(run_id=run_id).status)


@shared_task(name="payments.recon_inbox_sweep")
def recon_inbox_sweep() -> list[int]:
    """Periodic: every file dropped in SADAD_RECON_INBOX is claimed by moving it to
    processed/ (an atomic rename, so two sweeps never take the same file), then reconciled.
    Runs left unfinished (a killed worker, a task lost with the broker) are resumed too; one
    that a worker is processing right now is skipped by its lock."""
    from .enums import ReconRunStatus, ReconSource
    from .models import ReconRun
    from .services import recon_file_process
    from .services import recon_run_process as process

    runs = []
    unfinished = ReconRun.objects.filter(
        status__in=(ReconRunStatus.RECEIVED, ReconRunStatus.PROCESSING),
        duplicate_of__isnull=True).order_by("pk").values_list("pk", flat=True)
    for run_id in list(unfinished):
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
        target = processed / entry.name
        if target.exists():
            target = processed / f"{entry.stem}-{os.getpid()}-{entry.stat().st_mtime_ns}" \
                                 f"{entry.suffix}"
        try:
            entry.rename(target)
        except FileNotFoundError:
            continue  # another sweep claimed it
        outcome = recon_file_process(path=target, source=ReconSource.INBOX)
        logger.info("inbox file %s: run %s %s", entry.name, outcome.run.pk, outcome.status)
        runs.append(outcome.run.pk)
    return runs
