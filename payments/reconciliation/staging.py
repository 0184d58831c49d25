"""Stage 1 of a run: the file's records into the run's own staging table, in batches.

Each batch is committed together with the reader's checkpoint, so a run interrupted anywhere
goes on from the last batch: the reader seeks to the checkpoint's byte and the table already
holds exactly the records before it. The table is UNLOGGED (no write-ahead log: staging is the
bulk of the work); a database crash empties it, which `stage_table_intact` notices so the run
stages again. It is dropped when the run completes or fails validation.
"""

import datetime as dt
import io
import logging
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction

from amanah import clock

from .enums import ReconEventKind, ReconPhase, ReconRunStatus
from .models import ReconRun
from .pace import Pace, Stopwatch
from .records import ReadCheckpoint, ReconFileInvalid, ReconFileOpen
from .runs import recon_run_checkpoint_save, recon_run_move

logger = logging.getLogger("payments.reconciliation")

_COLUMNS = ("position", "sptn", "bnkptn", "amount", "billing_account", "bank_id", "channel",
            "method", "processed_at", "effective_at")


def stage_table(run_id: int) -> str:
    return f"payments_recon_stage_{int(run_id)}"


def _table_create(cursor, table: str) -> None:
    unlogged = "UNLOGGED " if connection.vendor == "postgresql" else ""
    cursor.execute(
        f"CREATE {unlogged}TABLE IF NOT EXISTS {table} (position integer NOT NULL,"
        " sptn varchar(40) NOT NULL, bnkptn varchar(40) NOT NULL,"
        " amount numeric(14, 2) NOT NULL, billing_account varchar(32) NOT NULL,"
        " bank_id varchar(16) NOT NULL, channel varchar(8) NOT NULL, method varchar(8) NOT NULL,"
        " processed_at timestamp with time zone NOT NULL,"
        " effective_at timestamp with time zone)")


def stage_drop(run_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage_table(run_id)}")


def _count(cursor, table: str) -> int | None:
    tables = connection.introspection.table_names(cursor)
    if table not in tables:
        return None
    cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - the run's own table
    return cursor.fetchone()[0]


def stage_table_intact(run: ReconRun) -> bool:
    """True when the staging table still holds every record the run staged."""
    with connection.cursor() as cursor:
        return _count(cursor, stage_table(run.pk)) == run.record_count


def _flush(cursor, table: str, rows: list) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        # COPY: the fastest way into PostgreSQL; one batch in memory at a time.
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(row))
            buffer.write("\n")
        buffer.seek(0)
        cursor.copy_expert(f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN", buffer)
        return
    ops = connection.ops
    cursor.executemany(
        f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES "  # noqa: S608 - constant SQL, values bound
        f"({', '.join(['%s'] * len(_COLUMNS))})",
        [(int(r[0]), r[1], r[2], ops.adapt_decimalfield_value(Decimal(r[3]), 14, 2), r[4], r[5],
          r[6], r[7], ops.adapt_datetimefield_value(dt.datetime.fromisoformat(r[8])),
          ops.adapt_datetimefield_value(dt.datetime.fromisoformat(r[9])))
         for r in rows])


def _indexes_create(cursor, table: str) -> None:
    # Built once the table is full (cheaper than maintained row by row): classification reads
    # position ranges, and "is there an earlier record with this SPTN" (DUPLICATE_IN_FILE).
    cursor.execute(f"CREATE INDEX IF NOT EXISTS {table}_position ON {table} (position)")
    cursor.execute(f"CREATE INDEX IF NOT EXISTS {table}_sptn ON {table} (sptn, position)")
    cursor.execute(f"ANALYZE {table}")


def stage_file(run: ReconRun, *, file_open: ReconFileOpen, pace: Pace,
               on_batch: Callable[[str, int], None]) -> ReconRun:
    """Reads the file (from the run's checkpoint on) into the staging table; ends with the run
    in CLASSIFYING, or FAILED_VALIDATION when the file is malformed or does not add up."""
    table = stage_table(run.pk)
    saved = run.checkpoint.get("read")
    resume = ReadCheckpoint.from_json(saved) if saved else None
    with connection.cursor() as cursor:
        _table_create(cursor, table)
        if resume is not None and _count(cursor, table) != resume.count:
            logger.warning("reconciliation run %s: staging table lost, reading the file again",
                           run.pk)
            resume = None
        if resume is None:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the run's own table
    position = resume.count if resume is not None else 0
    batches = 0
    try:
        with file_open(Path(run.file_path), resume) as reader:
            rows: list = []
            watch = Stopwatch()
            for record in reader:
                position += 1
                # Tokens (the wire format's own check) never hold a tab, newline or backslash.
                rows.append((str(position), record.sptn, record.bnkptn, str(record.amount),
                             record.billing_account, record.bank_id, record.channel,
                             record.method, record.processed_at.isoformat(),
                             record.effective_at.isoformat()))
                if len(rows) < pace.stage_rows and (len(rows) % 128 or not watch.over(
                        pace.seconds)):
                    continue
                checkpoint = reader.checkpoint()
                if checkpoint is None:
                    continue  # no resumable boundary after this record: read on
                with transaction.atomic(), connection.cursor() as cursor:
                    _flush(cursor, table, rows)
                    run = recon_run_checkpoint_save(run=run, phase=ReconPhase.STAGING,
                                                    checkpoint={"read": checkpoint.to_json()})
                rows = []
                batches += 1
                on_batch("stage", batches)
                watch.restart()
            header = reader.header
    except ReconFileInvalid as exc:
        return _fail(run, exc)
    with transaction.atomic():
        with connection.cursor() as cursor:
            _flush(cursor, table, rows)
            _indexes_create(cursor, table)
        run = recon_run_move(
            run=run, status=ReconRunStatus.PROCESSING, phase=ReconPhase.CLASSIFYING,
            kind=ReconEventKind.STARTED, checkpoint={"classified": 0},
            business_date=header.business_date, rq_uid=header.rq_uid[:64],
            collected=header.collected, fees=header.fees, record_count=position)
    on_batch("stage", batches + 1)
    return run


def _fail(run: ReconRun, exc: ReconFileInvalid) -> ReconRun:
    reason = str(exc)[:500]
    header = exc.header
    # What could be read is kept for the operator; nothing else happens (§4.1).
    kept = {} if header is None else {"business_date": header.business_date,
                                      "collected": header.collected, "fees": header.fees}
    with transaction.atomic():
        stage_drop(run.pk)
        run = recon_run_move(run=run, status=ReconRunStatus.FAILED_VALIDATION,
                             phase=ReconPhase.DONE, kind=ReconEventKind.FAILED_VALIDATION,
                             data={"reason": reason}, checkpoint={}, failure=reason,
                             finished_at=clock.now(), **kept)
    logger.warning("reconciliation run %s failed validation: %s", run.pk, reason)
    return run

