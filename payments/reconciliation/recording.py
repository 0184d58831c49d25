"""Stage 4 of a run: what the portal never heard of becomes a payment (§4.3 MISSING_IN_PORTAL),
by the same rules as a notification (`payment_record`, idempotent by SPTN), in batches each
committed with the items it settles and the position it reached."""

import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction

from ..enums import PaymentSource
from ..services.payments import payment_record
from .enums import ReconCategory, ReconPhase
from .models import ReconItem, ReconRun
from .pace import Pace
from .runs import recon_run_checkpoint_save


def record_missing(run: ReconRun, *, pace: Pace,
                   on_batch: Callable[[str, int], None]) -> ReconRun:
    """Records the run's MISSING_IN_PORTAL payments from its checkpoint on."""
    checkpoint = {"recorded": 0, **run.checkpoint}
    batches = 0
    while True:
        items = list(ReconItem.objects
                     .filter(run=run, category=ReconCategory.MISSING_IN_PORTAL,
                             payment__isnull=True, position__gt=checkpoint["recorded"])
                     .order_by("position")[:pace.record_rows])
        if not items:
            return run
        deadline = time.monotonic() + pace.seconds
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
                checkpoint["recorded"] = item.position
                if time.monotonic() >= deadline:
                    break
            run = recon_run_checkpoint_save(run=run, phase=ReconPhase.RECORDING,
                                            checkpoint=checkpoint)
        batches += 1
        on_batch("record", batches)
