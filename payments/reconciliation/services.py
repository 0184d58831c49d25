"""Reconciliation (spec §4): a day's SADAD file against the portal's payments.

A run goes through three steps, each ending in a commit, so a killed run resumes from the
last one and ends exactly as a clean run would:

1. read: the file is streamed once; its records are validated, summed for the control totals
   and staged in batches into a session-local table (nothing durable is written, so a run
   killed here simply starts over);
2. classify: in ONE transaction, earlier runs of the day are superseded and every item is
   written by set-based SQL (a join of the staged records with the payments), never by a
   query per record;
3. record: MISSING_IN_PORTAL records become payments through `payment_record` (the §3 rules,
   idempotent by SPTN) in batches, each batch committed with the items it settles.

Two workers never process one file at once: the run is held by a PostgreSQL advisory lock
for as long as it is processed (released by the database if the worker dies).
"""

import datetime as dt
import hashlib
import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from amanah import clock
from amanah.dates import RIYADH
from amanah.errors import Conflict, DomainError, NotFound

from ..enums import PaymentEventKind, PaymentSource
from ..locks import locked_first, payment_qs_for_update
from ..services.payments import payment_event_record, payment_record
from .enums import (
    EXCEPTION_CATEGORIES,
    RUN_FINAL,
    ReconCategory,
    ReconEventKind,
    ReconPhase,
    ReconRunStatus,
    ReconSource,
    ReviewStatus,
)
from .fileformat import ReconFileInvalid, ReconFileReader
from .models import ReconEvent, ReconItem, ReconRun

logger = logging.getLogger("payments.reconciliation")

STAGE_BATCH = 20_000
RECORD_BATCH = 200
# Called with the number of batches committed so far; tests set it to kill a run half-way.
batch_hook: Callable[[str, int], None] | None = None

_LOCK_RUN = 0x5ADAD
_LOCK_DAY = 0x5ADAE
_STAGE = "recon_stage"
_STAGE_COLUMNS = ("position", "sptn", "bnkptn", "amount", "billing_account", "bank_id",
                  "channel", "method", "processed_at", "effective_at")


# --- receiving a file ------------------------------------------------------------------------

def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _event(run: ReconRun, kind: str, *, from_status: str = "", item: ReconItem | None = None,
           actor=None, data: dict | None = None) -> ReconEvent:
    return ReconEvent.objects.create(run=run, item=item, kind=kind, from_status=from_status,
                                     to_status=run.status, actor=actor, payload=data or {},
                                     at=clock.now())


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
            _event(run, ReconEventKind.RECEIVED, data={"source": source, "size": size})
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
    _event(duplicate, ReconEventKind.DUPLICATE, data={"duplicate_of": owner.pk})
    return duplicate


# --- locks -----------------------------------------------------------------------------------

@contextmanager
def _advisory_lock(namespace: int, key: int, *, wait: bool) -> Iterator[bool]:
    """A session-level PostgreSQL advisory lock, held across the run's many commits.
    SQLite (the embedded single-user default) serialises writers by itself."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        if wait:
            # A day's other file may take minutes: wait for it, not for lock_timeout.
            cursor.execute("SET lock_timeout = 0")
            try:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [namespace, key])
            finally:
                cursor.execute("RESET lock_timeout")
            got = True
        else:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [namespace, key])
            got = cursor.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, key])


def _hook(step: str, batches: int) -> None:
    if batch_hook is not None:
        batch_hook(step, batches)


# --- processing ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReconOutcome:
    """What processing a delivery came to. `report_run` holds the figures to show: for a
    duplicate file, the run that processed the file first."""

    run: ReconRun
    status: str
    report_run: ReconRun


def recon_run_process(*, run_id: int) -> ReconOutcome:
    """Processes one run to its end, or resumes a run that was killed; a no-op for a run
    that is finished or that another worker is processing right now."""
    run = ReconRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound("recon.run_not_found", "دورة المطابقة غير موجودة.",
                       "No such reconciliation run.")
    if run.duplicate_of_id is not None:
        return ReconOutcome(run=run, status=ReconRunStatus.DUPLICATE_FILE,
                            report_run=run.duplicate_of)
    with _advisory_lock(_LOCK_RUN, run.pk, wait=False) as got:
        if not got:
            # Another worker holds this file: for this delivery it is a duplicate.
            logger.info("reconciliation run %s is being processed by another worker", run.pk)
            return ReconOutcome(run=run, status=ReconRunStatus.DUPLICATE_FILE, report_run=run)
        run.refresh_from_db()
        if run.status in RUN_FINAL:
            status = (run.status if run.status != ReconRunStatus.SUPERSEDED
                      else ReconRunStatus.DUPLICATE_FILE)
            return ReconOutcome(run=run, status=status, report_run=run)
        _run_start(run)
        if run.phase == ReconPhase.NEW:
            try:
                reader = _stage(run)
            except ReconFileInvalid as exc:
                _run_fail(run, str(exc), header=getattr(exc, "header", None))
                return ReconOutcome(run=run, status=run.status, report_run=run)
            try:
                with _advisory_lock(_LOCK_DAY, reader.header.business_date.toordinal(),
                                    wait=True):
                    _classify(run, reader)
            finally:
                _stage_drop()
        if run.phase == ReconPhase.CLASSIFIED:
            _record_missing(run)
            _complete(run)
    return ReconOutcome(run=run, status=run.status, report_run=run)


def recon_file_process(*, path: Path, source: str = ReconSource.COMMAND) -> ReconOutcome:
    """Receive and process one file in this process (the command and the inbox)."""
    run = recon_file_receive(path=Path(path), source=source)
    return recon_run_process(run_id=run.pk)


@transaction.atomic
def _run_start(run: ReconRun) -> None:
    locked = ReconRun.objects.select_for_update().get(pk=run.pk)
    if locked.status == ReconRunStatus.RECEIVED:
        locked.status = ReconRunStatus.PROCESSING
        locked.started_at = clock.now()
        locked.save(update_fields=["status", "started_at"])
        _event(locked, ReconEventKind.STARTED, from_status=ReconRunStatus.RECEIVED)
    else:
        _event(locked, ReconEventKind.STARTED, from_status=locked.status,
               data={"resumed_at_phase": locked.phase})
    run.refresh_from_db()


@transaction.atomic
def _run_fail(run: ReconRun, reason: str, *, header=None) -> None:
    locked = ReconRun.objects.select_for_update().get(pk=run.pk)
    from_status = locked.status
    locked.status = ReconRunStatus.FAILED_VALIDATION
    locked.phase = ReconPhase.DONE
    locked.failure = reason[:500]
    locked.finished_at = clock.now()
    if header is not None:
        # What could be read is kept for the operator; nothing else happens (§4.1).
        locked.business_date = header.business_date
        locked.collected = header.collected
        locked.fees = header.fees
    locked.save(update_fields=["status", "phase", "failure", "finished_at", "business_date",
                               "collected", "fees"])
    _event(locked, ReconEventKind.FAILED_VALIDATION, from_status=from_status,
           data={"reason": reason[:500]})
    logger.warning("reconciliation run %s failed validation: %s", run.pk, reason)
    run.refresh_from_db()


# --- step 1: read and stage ---------------------------------------------------------------------

def _stage_create(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {_STAGE} (position integer NOT NULL, sptn varchar(40) NOT NULL,"
        " bnkptn varchar(40) NOT NULL, amount numeric(14, 2) NOT NULL,"
        " billing_account varchar(32) NOT NULL, bank_id varchar(16) NOT NULL,"
        " channel varchar(8) NOT NULL, method varchar(8) NOT NULL,"
        " processed_at timestamp with time zone NOT NULL,"
        " effective_at timestamp with time zone)")


def _stage_drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")


def _stage_flush(cursor, rows: list) -> None:
    if connection.vendor == "postgresql":
        # COPY: the fastest way into PostgreSQL; one batch in memory at a time.
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(row))
            buffer.write("\n")
        buffer.seek(0)
        cursor.copy_expert(f"COPY {_STAGE} ({', '.join(_STAGE_COLUMNS)}) FROM STDIN", buffer)
    else:
        ops = connection.ops
        cursor.executemany(
            f"INSERT INTO {_STAGE} ({', '.join(_STAGE_COLUMNS)}) VALUES "  # noqa: S608 - constant SQL, values bound
            f"({', '.join(['%s'] * len(_STAGE_COLUMNS))})",
            [(int(r[0]), r[1], r[2], ops.adapt_decimalfield_value(Decimal(r[3]), 14, 2), r[4],
              r[5], r[6], r[7], ops.adapt_datetimefield_value(dt.datetime.fromisoformat(r[8])),
              ops.adapt_datetimefield_value(dt.datetime.fromisoformat(r[9])))
             for r in rows])


def _stage(run: ReconRun) -> ReconFileReader:
    """Stream the file into the staging table; the reader's totals are checked at its end."""
    with open(run.file_path, "rb") as stream, connection.cursor() as cursor:
        _stage_create(cursor)
        reader = ReconFileReader(stream=stream, biller_id=settings.SADAD_BILLER_ID)
        rows: list = []
        batches = 0
        try:
            for record in reader:
                # Tokens (the wire format's own check) never hold a tab, newline or backslash.
                rows.append((str(reader.count), record.sptn, record.bnkptn, str(record.amount),
                             record.billing_account, record.bank_id, record.channel,
                             record.method, record.processed_at.isoformat(),
                             record.effective_at.isoformat()))
                if len(rows) >= STAGE_BATCH:
                    _stage_flush(cursor, rows)
                    rows = []
                    batches += 1
                    _hook("stage", batches)
            if rows:
                _stage_flush(cursor, rows)
        except ReconFileInvalid as exc:
            exc.header = reader.header
            raise
    return reader


# --- step 2: classify, in one transaction ---------------------------------------------------------

_OPEN = ", ".join(f"'{c}'" for c in sorted(EXCEPTION_CATEGORIES))

_CLASSIFY_FILE = f"""
INSERT INTO payments_reconitem (run_id, position, sptn, category, amount, billing_account,
    bank_id, processed_at, bnkptn, channel, method, effective_at, payment_id, portal_amount,
    portal_billing_account, review_status, review_note)
SELECT %s, c.position, c.sptn, c.category, c.amount, c.billing_account, c.bank_id,
    c.processed_at,
    CASE WHEN c.category = 'MISSING_IN_PORTAL' THEN c.bnkptn END,
    CASE WHEN c.category = 'MISSING_IN_PORTAL' THEN c.channel END,
    CASE WHEN c.category = 'MISSING_IN_PORTAL' THEN c.method END,
    CASE WHEN c.category = 'MISSING_IN_PORTAL' THEN c.effective_at END,
    CASE WHEN c.category <> 'DUPLICATE_IN_FILE' THEN c.payment_id END,
    CASE WHEN c.category IN ('AMOUNT_MISMATCH', 'ACCOUNT_MISMATCH') THEN c.portal_amount END,
    CASE WHEN c.category IN ('AMOUNT_MISMATCH', 'ACCOUNT_MISMATCH')
         THEN c.portal_billing_account ELSE '' END,
    CASE WHEN c.category IN ({_OPEN}) THEN 'open' ELSE 'none' END, ''
FROM (
    SELECT s.*, p.id AS payment_id, p.amount AS portal_amount,
        p.billing_account AS portal_billing_account,
        CASE WHEN s.position <> s.first_position THEN 'DUPLICATE_IN_FILE'
             WHEN p.id IS NULL THEN 'MISSING_IN_PORTAL'
             WHEN p.amount <> s.amount THEN 'AMOUNT_MISMATCH'
             WHEN p.billing_account <> s.billing_account THEN 'ACCOUNT_MISMATCH'
             -- A payment only a reconciliation file ever told us of (an earlier, superseded
             -- file of the day) is still missing in the portal: it is not recorded again.
             WHEN p.source = 'reconciliation' THEN 'MISSING_IN_PORTAL'
             ELSE 'MATCHED' END AS category
    FROM (SELECT st.*, MIN(st.position) OVER (PARTITION BY st.sptn) AS first_position
          FROM {_STAGE} st) s
    LEFT JOIN payments_payment p ON p.sptn = s.sptn
) c
"""  # noqa: S608 - constant SQL, values bound

_CLASSIFY_PORTAL = f"""
INSERT INTO payments_reconitem (run_id, position, sptn, category, amount, billing_account,
    bank_id, processed_at, payment_id, portal_amount, portal_billing_account, review_status,
    review_note)
SELECT %s, NULL, p.sptn,
    CASE WHEN p.processed_at >= %s THEN 'PENDING_NEXT_FILE' ELSE 'MISSING_IN_FILE' END,
    p.amount, p.billing_account, p.bank_id, p.processed_at, p.id, p.amount, p.billing_account,
    CASE WHEN p.processed_at >= %s THEN 'none' ELSE 'open' END, ''
FROM payments_payment p
WHERE p.business_date = %s AND NOT EXISTS (SELECT 1 FROM {_STAGE} s WHERE s.sptn = p.sptn)
"""  # noqa: S608 - constant SQL, values bound

_CLASSIFY_YESTERDAY = f"""
INSERT INTO payments_reconitem (run_id, position, sptn, category, amount, billing_account,
    bank_id, processed_at, payment_id, portal_amount, portal_billing_account, review_status,
    review_note)
SELECT %s, NULL, i.sptn, 'MISSING_IN_FILE', i.amount, i.billing_account, i.bank_id,
    i.processed_at, i.payment_id, i.amount, i.billing_account, 'open', ''
FROM payments_reconitem i
WHERE i.run_id = %s AND i.category = 'PENDING_NEXT_FILE' AND i.resolved_by_run_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM {_STAGE} s WHERE s.sptn = i.sptn)
"""  # noqa: S608 - constant SQL, values bound


def _classify(run: ReconRun, reader: ReconFileReader) -> None:
    header = reader.header
    day = header.business_date
    ops = connection.ops
    last_hour = dt.datetime.combine(day, dt.time(23, 0), tzinfo=RIYADH)
    with transaction.atomic():
        locked = ReconRun.objects.select_for_update().get(pk=run.pk)
        if locked.phase != ReconPhase.NEW:
            return
        earlier = list(ReconRun.objects.select_for_update()
                       .filter(business_date=day, duplicate_of__isnull=True,
                               status__in=(ReconRunStatus.COMPLETED,
                                           ReconRunStatus.COMPLETED_WITH_EXCEPTIONS))
                       .exclude(pk=run.pk))
        for old in earlier:
            from_status = old.status
            old.status = ReconRunStatus.SUPERSEDED
            old.superseded_by = locked
            old.save(update_fields=["status", "superseded_by"])
            _event(old, ReconEventKind.SUPERSEDED, from_status=from_status,
                   data={"superseded_by": locked.pk})
            # What the superseded file settled for the day before is open again for this one.
            ReconItem.objects.filter(resolved_by_run=old).update(resolved_by_run=None)
        with connection.cursor() as cursor:
            cursor.execute(_CLASSIFY_FILE, [locked.pk])
            cursor.execute(_CLASSIFY_PORTAL, [locked.pk, ops.adapt_datetimefield_value(last_hour),
                                              ops.adapt_datetimefield_value(last_hour),
                                              ops.adapt_datefield_value(day)])
            yesterday = (ReconRun.objects
                         .filter(business_date=day - dt.timedelta(days=1),
                                 duplicate_of__isnull=True,
                                 status__in=(ReconRunStatus.COMPLETED,
                                             ReconRunStatus.COMPLETED_WITH_EXCEPTIONS))
                         .order_by("-pk").first())
            if yesterday is not None:
                # Yesterday's last-hour payments were waiting for this file.
                cursor.execute(_CLASSIFY_YESTERDAY, [locked.pk, yesterday.pk])
                ReconItem.objects.filter(run=yesterday, category=ReconCategory.PENDING_NEXT_FILE,
                                         resolved_by_run__isnull=True
                                         ).update(resolved_by_run=locked)
        locked.phase = ReconPhase.CLASSIFIED
        locked.business_date = day
        locked.rq_uid = header.rq_uid[:64]
        locked.collected = header.collected
        locked.fees = header.fees
        locked.record_count = reader.count
        locked.save(update_fields=["phase", "business_date", "rq_uid", "collected", "fees",
                                   "record_count"])
    run.refresh_from_db()


# --- step 3: record what the portal never heard of ------------------------------------------

def _record_missing(run: ReconRun) -> None:
    batches = 0
    while True:
        items = list(ReconItem.objects
                     .filter(run=run, category=ReconCategory.MISSING_IN_PORTAL,
                             payment__isnull=True, position__isnull=False)
                     .order_by("position")[:RECORD_BATCH])
        if not items:
            return
        with transaction.atomic():
            for item in items:
                result = payment_record(
                    sptn=item.sptn, bnkptn=item.bnkptn or "", amount=item.amount,
                    billing_account=item.billing_account, bank_id=item.bank_id,
                    channel=item.channel, method=item.method, processed_at=item.processed_at,
                    effective_at=item.effective_at, biller_id=settings.SADAD_BILLER_ID,
                    source=PaymentSource.RECONCILIATION,
                    source_reference=f"recon-run-{run.pk}", needs_review=True)
                ReconItem.objects.filter(pk=item.pk).update(payment=result.payment)
        batches += 1
        _hook("record", batches)


_REPORT = """
SELECT category, bank_id, COUNT(*), SUM(amount) FROM payments_reconitem
WHERE run_id = %s GROUP BY category, bank_id ORDER BY category, bank_id
"""


@transaction.atomic
def _complete(run: ReconRun) -> None:
    locked = ReconRun.objects.select_for_update().get(pk=run.pk)
    counts = {category.value: 0 for category in ReconCategory}
    amounts: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(_REPORT, [locked.pk])
        for category, bank_id, count, total in cursor.fetchall():
            counts[category] += count
            amounts.setdefault(category, {})[bank_id] = {
                "count": count, "amount": f"{Decimal(total).quantize(Decimal('0.01')):f}"}
    has_exceptions = any(counts[c] for c in EXCEPTION_CATEGORIES)
    from_status = locked.status
    locked.status = (ReconRunStatus.COMPLETED_WITH_EXCEPTIONS if has_exceptions
                     else ReconRunStatus.COMPLETED)
    locked.phase = ReconPhase.DONE
    locked.counts = counts
    locked.amounts = amounts
    locked.finished_at = clock.now()
    locked.save(update_fields=["status", "phase", "counts", "amounts", "finished_at"])
    _event(locked, ReconEventKind.COMPLETED, from_status=from_status, data={"counts": counts})
    run.refresh_from_db()


# --- reading the outcome ------------------------------------------------------------------------

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


# --- the exception queue ---------------------------------------------------------------------

@transaction.atomic
def recon_item_review(*, item_id: int, actor, note: str) -> ReconItem:
    """Staff close a reconciliation exception with a note; nothing is reversed by it."""
    item = (ReconItem.objects.select_for_update(of=("self",)).select_related("run")
            .filter(pk=item_id).first())
    if item is None:
        raise NotFound("recon.item_not_found", "البند غير موجود.", "No such item.")
    if item.review_status != ReviewStatus.OPEN:
        raise Conflict("recon.item_not_open", "هذا البند ليس بانتظار المراجعة.",
                       "This item is not awaiting review.")
    note = (note or "").strip()
    if len(note) < 5:
        raise DomainError("recon.note_required", "اكتب ملاحظة واضحة (٥ أحرف على الأقل).",
                          "Write a clear note (at least 5 characters).", field="note")
    item.review_status = ReviewStatus.RESOLVED
    item.reviewed_by = actor
    item.reviewed_at = clock.now()
    item.review_note = note[:500]
    item.save(update_fields=["review_status", "reviewed_by", "reviewed_at", "review_note"])
    if item.payment_id and item.category == ReconCategory.MISSING_IN_PORTAL:
        payment = locked_first(payment_qs_for_update().filter(pk=item.payment_id))
        if payment.needs_review:
            payment_event_record(payment=payment, kind=PaymentEventKind.REVIEWED, actor=actor,
                                 reason=item.review_note, payload={"recon_item": item.pk},
                                 changes={"needs_review": False})
    _event(item.run, ReconEventKind.ITEM_REVIEWED, item=item, actor=actor,
           data={"sptn": item.sptn, "category": item.category, "note": item.review_note})
    return item
