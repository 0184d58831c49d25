"""A reconciliation run's life: registered once per file, moved from stage to stage by ONE
writer, every move recorded as an event, and held by one worker at a time.

`recon_run_move` is the only function that changes `ReconRun.status` or `.phase`; it takes the
row's lock, checks both moves against the tables below and writes the ReconEvent in the same
transaction. `recon_run_checkpoint_save` records progress inside a phase, in the transaction of
the batch it follows. Every ReconEvent is written by `recon_event_write`.
"""

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import IntegrityError, connection, transaction

from amanah import clock
from amanah.errors import Conflict
from amanah.statuses import StatusTransitions, row_lock_ensure, row_lock_mark

from .enums import RUN_FINAL, ReconEventKind, ReconPhase, ReconRunStatus, ReconSource
from .models import ReconEvent, ReconItem, ReconRun

logger = logging.getLogger("payments.reconciliation")

S = ReconRunStatus
P = ReconPhase

RUN_STATUS_MOVES = StatusTransitions("recon_run", ReconRunStatus, {
    S.RECEIVED: {S.PROCESSING},
    # PROCESSING → PROCESSING: a resumed run, or one moving to its next phase.
    S.PROCESSING: {S.PROCESSING, S.COMPLETED, S.COMPLETED_WITH_EXCEPTIONS, S.FAILED_VALIDATION},
    S.COMPLETED: {S.SUPERSEDED},
    S.COMPLETED_WITH_EXCEPTIONS: {S.SUPERSEDED},
})

RUN_PHASE_MOVES = StatusTransitions("recon_run_phase", ReconPhase, {
    # The same phase again: a run started, or resumed after an interruption.
    P.STAGING: {P.STAGING, P.CLASSIFYING, P.DONE},
    # Back to STAGING only when the staging table was lost (it is UNLOGGED: a database crash
    # empties it); the items written so far are kept, inserts being idempotent.
    P.CLASSIFYING: {P.CLASSIFYING, P.PORTAL, P.STAGING},
    P.PORTAL: {P.PORTAL, P.RECORDING, P.STAGING},
    P.RECORDING: {P.RECORDING, P.DONE},
    P.DONE: {P.DONE},  # a finished run being superseded
})

_LOCK_RUN = 0x5ADAD
_LOCK_DAY = 0x5ADAE


def recon_event_write(*, run: ReconRun, kind: str, from_status: str = "",
                      item: ReconItem | None = None, actor=None,
                      data: dict | None = None) -> ReconEvent:
    """The one place a ReconEvent is written."""
    return ReconEvent.objects.create(run=run, item=item, kind=kind, from_status=from_status,
                                     to_status=run.status, actor=actor, payload=data or {},
                                     at=clock.now())


def recon_run_lock(pk: int) -> ReconRun:
    """The run's row, locked until the transaction ends."""
    return row_lock_mark(ReconRun.objects.select_for_update().get(pk=pk))


@transaction.atomic
def recon_run_move(*, run: ReconRun, status: str, phase: str, kind: str,
                   data: dict | None = None, checkpoint: dict | None = None,
                   **fields) -> ReconRun:
    """Moves a run's status and phase (the only writer of either) and records the event.
    Returns the locked, updated row; `fields` are set with the move (report figures, times)."""
    locked = row_lock_ensure(run, recon_run_lock)
    RUN_STATUS_MOVES.check(locked.status, status)
    RUN_PHASE_MOVES.check(locked.phase, phase)
    from_status, from_phase = locked.status, locked.phase
    locked.status = status
    locked.phase = phase
    changed = ["status", "phase", *fields]
    if checkpoint is not None:
        locked.checkpoint = checkpoint
        changed.append("checkpoint")
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=changed)
    event_data = dict(data or {})
    if from_phase != phase or kind == ReconEventKind.STARTED:
        event_data["phase"] = phase
    recon_event_write(run=locked, kind=kind, from_status=from_status, data=event_data)
    return locked


@transaction.atomic
def recon_run_checkpoint_save(*, run: ReconRun, phase: str, checkpoint: dict) -> ReconRun:
    """Progress inside a phase, committed with the batch it follows (no event: the phase's
    start and end are the events; a batch is not)."""
    locked = row_lock_ensure(run, recon_run_lock)
    if locked.phase != phase:
        # Only the worker holding the run's advisory lock writes it: this is a bug, not a race.
        raise Conflict("recon.phase_moved", "تغيرت مرحلة دورة المطابقة.",
                       "The reconciliation run moved to another phase.")
    locked.checkpoint = checkpoint
    locked.save(update_fields=["checkpoint"])
    return locked


# --- receiving a file ------------------------------------------------------------------------

def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@transaction.atomic
def recon_file_receive(*, path: Path, source: str, sha256: str | None = None,
                       size: int | None = None) -> ReconRun:
    """Registers a delivered file once per SHA-256: a new run, the unfinished run that owns
    the file (to resume it), or a DUPLICATE_FILE row pointing at the run that processed it."""
    if sha256 is None or size is None:
        sha256, size = file_digest(Path(path))
    owner = (ReconRun.objects.select_for_update()
             .filter(file_sha256=sha256, duplicate_of__isnull=True).first())
    if owner is None:
        try:
            with transaction.atomic():
                run = ReconRun.objects.create(file_sha256=sha256, file_path=str(path),
                                              file_size=size, source=source,
                                              received_at=clock.now())
        except IntegrityError:
            # The same file delivered twice at once: the other delivery owns it.
            owner = (ReconRun.objects.select_for_update()
                     .get(file_sha256=sha256, duplicate_of__isnull=True))
        else:
            recon_event_write(run=run, kind=ReconEventKind.RECEIVED,
                              data={"source": source, "size": size})
            return run
    if owner.status not in RUN_FINAL:
        return owner
    if source == ReconSource.INBOX:
        # An inbox delivery gets a path of its own in processed/: the same path again is this
        # delivery registered again by a sweep rerun after a crash, not another delivery.
        again = ReconRun.objects.filter(file_sha256=sha256, file_path=str(path),
                                        duplicate_of=owner).first()
        if again is not None:
            return again
    duplicate = ReconRun.objects.create(
        file_sha256=sha256, file_path=str(path), file_size=size, source=source,
        status=ReconRunStatus.DUPLICATE_FILE, phase=ReconPhase.DONE, duplicate_of=owner,
        business_date=owner.business_date, received_at=clock.now(), finished_at=clock.now())
    recon_event_write(run=duplicate, kind=ReconEventKind.DUPLICATE,
                      data={"duplicate_of": owner.pk})
    return duplicate


# --- one worker per run, one completion per day at a time --------------------------------------

@contextmanager
def recon_run_hold(run_id: int) -> Iterator[bool]:
    """Tries to hold the run for this worker: a session-level PostgreSQL advisory lock, kept
    across the run's many commits and released by the database if the worker dies.
    SQLite (the embedded single-user default) serialises writers by itself."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_RUN, run_id])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_RUN, run_id])


def recon_day_hold(business_date) -> None:
    """Within the current transaction, waits for any other run of the day to finish its own
    completion, so the later of two files always supersedes the earlier one."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # Another file's completion takes seconds at most: wait for it, not for lock_timeout,
        # which then applies again to the row locks that follow.
        cursor.execute("SHOW lock_timeout")
        timeout = cursor.fetchone()[0]
        cursor.execute("SET LOCAL lock_timeout = 0")
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                       [_LOCK_DAY, business_date.toordinal()])
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [timeout])
