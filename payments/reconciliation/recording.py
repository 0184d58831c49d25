"""Stage 4 of a run: what the portal never heard of becomes a payment (§4.3 MISSING_IN_PORTAL),
by the same rules as a notification (`payment_record_many_ids`, a batch form of
`payment_record`, idempotent by SPTN), in batches each committed with the items it settles and
the position it reached."""

from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction

from ..enums import PaymentSource
from ..records import PaymentRecord
from ..services.payments import payment_record_many_ids
from .enums import ReconCategory, ReconPhase
from .models import ReconItem, ReconRun
from .pace import BatchSizer, Pace
from .runs import recon_run_checkpoint_save


def record_missing(run: ReconRun, *, pace: Pace,
                   on_batch: Callable[[str, int], None]) -> ReconRun:
    """Records the run's MISSING_IN_PORTAL payments from its checkpoint on."""
    checkpoint = {"recorded": 0, **run.checkpoint}
    batches = 0
    # Sized like the classifying statements, towards the pace's seconds per commit; the first
    # batch is small, since a batch that may pay bills one by one is slower per row.
    sizer = BatchSizer(pace.record_rows, pace.seconds, first=100)
    while True:
        items = list(missing_batch(run, after=checkpoint["recorded"], limit=sizer.start()))
        if not items:
            return run
        with transaction.atomic():
            # One batch: the same rows and events as `payment_record` one by one (it is that
            # function's batch form), in a fixed number of statements.
            payment_ids = payment_record_many_ids(
                records=[PaymentRecord(
                    sptn=sptn, bnkptn=bnkptn or "", status_code="PmtNew",
                    effective_at=effective_at, amount=amount, processed_at=processed_at,
                    billing_account=billing_account, biller_id=settings.SADAD_BILLER_ID,
                    bank_id=bank_id, channel=channel, method=method)
                    for (_pk, _position, sptn, bnkptn, amount, billing_account, bank_id,
                         channel, method, processed_at, effective_at) in items],
                source=PaymentSource.RECONCILIATION, source_reference=f"recon-run-{run.pk}",
                needs_review=True)
            _items_settle([item[0] for item in items], payment_ids)
            checkpoint["recorded"] = items[-1][1]
            run = recon_run_checkpoint_save(run=run, phase=ReconPhase.RECORDING,
                                            checkpoint=checkpoint)
        sizer.done()
        batches += 1
        on_batch("record", batches)


def missing_batch(run: ReconRun, *, after: int, limit: int):
    """The next `limit` unrecorded MISSING_IN_PORTAL items after position `after`, as plain
    values (only these columns are needed). The (run, category, position) index hands them
    over in order from `after` on, so a batch costs the same however many the run has left."""
    return (ReconItem.objects
            .filter(run=run, category=ReconCategory.MISSING_IN_PORTAL, payment__isnull=True,
                    position__gt=after)
            .order_by("position")
            .values_list("pk", "position", "sptn", "bnkptn", "amount", "billing_account",
                         "bank_id", "channel", "method", "processed_at", "effective_at")[:limit])


def _items_settle(item_ids: list[int], payment_ids: list[int]) -> None:
    """Each item gets its payment, in one statement (bulk_update's CASE grows with the square
    of the batch on PostgreSQL)."""
    if connection.vendor != "postgresql":
        for item_id, payment_id in zip(item_ids, payment_ids, strict=True):
            ReconItem.objects.filter(pk=item_id).update(payment_id=payment_id)
        return
    with connection.cursor() as cursor:
        cursor.execute("UPDATE payments_reconitem AS i SET payment_id = v.payment_id "
                       "FROM unnest(%s::bigint[], %s::bigint[]) AS v (id, payment_id) "
                       "WHERE i.id = v.id", [item_ids, payment_ids])
