"""Stages 2 and 3 of a run: every staged record, then every portal payment of the day absent
from the file, into exactly one category — by set-based SQL over ranges, never a query per
record. Each range is one statement, committed with the checkpoint that follows it; the unique
constraints on items make a repeated range insert nothing (ON CONFLICT DO NOTHING).
"""

import datetime as dt
from collections.abc import Callable

from django.db import connection, transaction

from amanah.dates import RIYADH

from .enums import EXCEPTION_CATEGORIES, ReconEventKind, ReconPhase, ReconRunStatus
from .models import ReconRun
from .pace import BatchSizer, Pace
from .runs import recon_run_checkpoint_save, recon_run_move
from .staging import stage_table

_OPEN = ", ".join(f"'{c}'" for c in sorted(EXCEPTION_CATEGORIES))

# DUPLICATE_IN_FILE: an earlier position holds the same SPTN (the first occurrence counts);
# the (sptn, position) index of the staging table makes that one lookup per record. The
# classified rows are MATERIALIZED so that lookup runs once per record, not once for each use
# of `category` below.
_CLASSIFY_FILE = """
WITH c AS MATERIALIZED (
    SELECT s.*, p.id AS payment_id, p.amount AS portal_amount,
        p.billing_account AS portal_billing_account,
        CASE WHEN EXISTS (SELECT 1 FROM {stage} d
                          WHERE d.sptn = s.sptn AND d.position < s.position)
                  THEN 'DUPLICATE_IN_FILE'
             WHEN p.id IS NULL THEN 'MISSING_IN_PORTAL'
             WHEN p.amount <> s.amount THEN 'AMOUNT_MISMATCH'
             WHEN p.billing_account <> s.billing_account THEN 'ACCOUNT_MISMATCH'
             -- A payment only a reconciliation file ever told us of (an earlier, superseded
             -- file of the day) is still missing in the portal: it is not recorded again.
             WHEN p.source = 'reconciliation' THEN 'MISSING_IN_PORTAL'
             ELSE 'MATCHED' END AS category
    FROM {stage} s
    LEFT JOIN payments_payment p ON p.sptn = s.sptn
    WHERE s.position > %s AND s.position <= %s
)
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
    CASE WHEN c.category IN ({open}) THEN 'open' ELSE 'none' END, ''
FROM c
WHERE true
ON CONFLICT DO NOTHING
"""

_CLASSIFY_PORTAL = """
INSERT INTO payments_reconitem (run_id, position, sptn, category, amount, billing_account,
    bank_id, processed_at, payment_id, portal_amount, portal_billing_account, review_status,
    review_note)
SELECT %s, NULL, p.sptn,
    CASE WHEN p.processed_at >= %s THEN 'PENDING_NEXT_FILE' ELSE 'MISSING_IN_FILE' END,
    p.amount, p.billing_account, p.bank_id, p.processed_at, p.id, p.amount, p.billing_account,
    CASE WHEN p.processed_at >= %s THEN 'none' ELSE 'open' END, ''
FROM payments_payment p
WHERE p.business_date = %s AND p.id >= %s AND p.id < %s
  AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE s.sptn = p.sptn)
ON CONFLICT DO NOTHING
"""

# Yesterday's last-hour payments waited for this file. Whichever run of today settled them
# before is superseded when this one completes, so all of them are looked at again here.
_CLASSIFY_YESTERDAY = """
INSERT INTO payments_reconitem (run_id, position, sptn, category, amount, billing_account,
    bank_id, processed_at, payment_id, portal_amount, portal_billing_account, review_status,
    review_note)
SELECT %s, NULL, i.sptn, 'MISSING_IN_FILE', i.amount, i.billing_account, i.bank_id,
    i.processed_at, i.payment_id, i.amount, i.billing_account, 'open', ''
FROM payments_reconitem i
WHERE i.run_id = %s AND i.category = 'PENDING_NEXT_FILE'
  AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE s.sptn = i.sptn)
ON CONFLICT DO NOTHING
"""


def _sql(template: str, run: ReconRun) -> str:
    return template.format(open=_OPEN, stage=stage_table(run.pk))


def _batch_settings(cursor) -> None:
    """Settings for one batch's transaction (SET LOCAL: they end with it).

    - jit off: each batch is a short statement; JIT would spend more compiling it (most of a
      second) than running it.
    - No hash or merge joins: a batch covers a bounded range, but a hash join reads the whole
      other table to build or probe its hash — every payment for each range of the file, the
      whole staging table for each range of payments (EXPLAIN ANALYZE at 400k: a sequential
      scan of all 400k payments in each 50k batch). The run grew with the square of its size.
      Nested loops over the unique SPTN index (payments) and the (sptn, position) index (the
      staging table) cost the same per record whatever the size.
    - work_mem 32MB: a batch (at most `classify_rows`, 50k rows of about 200 bytes) is
      MATERIALIZED before the insert; at the default 4MB that tuplestore spills to a temporary
      file. 32MB holds it with room; it is one connection's, for one transaction.
    """
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL jit = off; SET LOCAL enable_hashjoin = off; "
                       "SET LOCAL enable_mergejoin = off; SET LOCAL work_mem = '32MB'")


def classify_file(run: ReconRun, *, pace: Pace,
                  on_batch: Callable[[str, int], None]) -> ReconRun:
    """Classifies the staged records by ranges of position; ends in PORTAL."""
    done = run.checkpoint.get("classified", 0)
    sql = _sql(_CLASSIFY_FILE, run)
    sizer = BatchSizer(pace.classify_rows, pace.seconds)
    batches = 0
    while done < run.record_count:
        upto = min(done + sizer.start(), run.record_count)
        with transaction.atomic():
            with connection.cursor() as cursor:
                _batch_settings(cursor)
                cursor.execute(sql, [done, upto, run.pk])
            run = recon_run_checkpoint_save(run=run, phase=ReconPhase.CLASSIFYING,
                                            checkpoint={"classified": upto})
        sizer.done()
        done = upto
        batches += 1
        on_batch("classify", batches)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT MIN(id), MAX(id) FROM payments_payment "
                           "WHERE business_date = %s",
                           [connection.ops.adapt_datefield_value(run.business_date)])
            first, last = cursor.fetchone()
        yesterday = (ReconRun.objects
                     .filter(business_date=run.business_date - dt.timedelta(days=1),
                             duplicate_of__isnull=True,
                             status__in=(ReconRunStatus.COMPLETED,
                                         ReconRunStatus.COMPLETED_WITH_EXCEPTIONS))
                     .order_by("-pk").values_list("pk", flat=True).first())
        # The day's payments are those up to the last id now; later ones are not this file's.
        run = recon_run_move(run=run, status=ReconRunStatus.PROCESSING, phase=ReconPhase.PORTAL,
                             kind=ReconEventKind.STARTED,
                             checkpoint={"next_id": first, "last_id": last,
                                         "yesterday": yesterday})
    return run


def classify_portal(run: ReconRun, *, pace: Pace,
                    on_batch: Callable[[str, int], None]) -> ReconRun:
    """The other direction (§4.4): the day's portal payments absent from the file, by ranges
    of payment id; then yesterday's pending ones. Ends in RECORDING."""
    checkpoint = dict(run.checkpoint)
    day = run.business_date
    ops = connection.ops
    last_hour = ops.adapt_datetimefield_value(
        dt.datetime.combine(day, dt.time(23, 0), tzinfo=RIYADH))
    sql = _sql(_CLASSIFY_PORTAL, run)
    sizer = BatchSizer(pace.portal_ids, pace.seconds)
    batches = 0
    while checkpoint["next_id"] is not None and checkpoint["next_id"] <= checkpoint["last_id"]:
        start = checkpoint["next_id"]
        end = min(start + sizer.start(), checkpoint["last_id"] + 1)
        with transaction.atomic():
            with connection.cursor() as cursor:
                _batch_settings(cursor)
                cursor.execute(sql, [run.pk, last_hour, last_hour, ops.adapt_datefield_value(day),
                                     start, end])
            checkpoint["next_id"] = end
            run = recon_run_checkpoint_save(run=run, phase=ReconPhase.PORTAL,
                                            checkpoint=checkpoint)
        sizer.done()
        batches += 1
        on_batch("portal", batches)
    with transaction.atomic():
        if checkpoint["yesterday"] is not None:
            with connection.cursor() as cursor:
                cursor.execute(_sql(_CLASSIFY_YESTERDAY, run), [run.pk, checkpoint["yesterday"]])
        run = recon_run_move(run=run, status=ReconRunStatus.PROCESSING,
                             phase=ReconPhase.RECORDING, kind=ReconEventKind.STARTED,
                             checkpoint={"recorded": 0, "yesterday": checkpoint["yesterday"]})
    return run
