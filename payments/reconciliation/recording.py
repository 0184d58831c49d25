"""Stage 4 of a run: what the portal never heard of becomes a payment (§4.3 MISSING_IN_PORTAL),
by the same rules as a notification (`payment_record_many`, the batch form of `payment_record`,
idempotent by SPTN), in batches each committed with the items it settles and the position it
reached."""

from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction

from ..enums import PaymentSource
from ..records import PaymentRecord
from ..services.payments import payment_record_many
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
        items = list(ReconItem.objects
                     .filter(run=run, category=ReconCategory.MISSING_IN_PORTAL,
                             payment__isnull=True, position__gt=checkpoint["recorded"])
                     .order_by("position")[:sizer.start()])
        if not items:
            return run
        with transaction.atomic():
            # One batch: the same rows and events as `payment_record` one by one (it is that
            # function's batch form), in a fixed number of statements.
            results = payment_record_many(
                records=[PaymentRecord(
                    sptn=item.sptn, bnkptn=item.bnkptn or "", status_code="PmtNew",
                    effective_at=item.effective_at, amount=item.amount,
                    processed_at=item.processed_at, billing_account=item.billing_account,
                    biller_id=settings.SADAD_BILLER_ID, bank_id=item.bank_id,
                    channel=item.channel, method=item.method) for item in items],
                source=PaymentSource.RECONCILIATION, source_reference=f"recon-run-{run.pk}",
                needs_review=True)
            _items_settle(items, [result.payment.pk for result in results])
            checkpoint["recorded"] = items[-1].position
            run = recon_run_checkpoint_save(run=run, phase=ReconPhase.RECORDING,
                                            checkpoint=checkpoint)
        sizer.done()
        batches += 1
        on_batch("record", batches)


def _items_settle(items: list[ReconItem], payment_ids: list[int]) -> None:
    """Each item gets its payment, in one statement (bulk_update's CASE grows with the square
    of the batch on PostgreSQL)."""
    if connection.vendor != "postgresql":
        for item, payment_id in zip(items, payment_ids, strict=True):
            item.payment_id = payment_id
        ReconItem.objects.bulk_update(items, ["payment"])
        return
    with connection.cursor() as cursor:
        cursor.execute("UPDATE payments_reconitem AS i SET payment_id = v.payment_id "
                       "FROM unnest(%s::bigint[], %s::bigint[]) AS v (id, payment_id) "
                       "WHERE i.id = v.id", [[item.pk for item in items], payment_ids])
