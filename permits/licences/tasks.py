"""Celery tasks of commercial licences: ids in, services called, idempotent, swept."""

from celery import shared_task

from .sampling import sample_inspection_offer as _offer
from .sampling import sample_inspections_offer_due


@shared_task(name="permits.sample_inspection_offer")
def sample_inspection_offer(sample_id: int) -> str:
    return _offer(sample_id=sample_id) or ""


@shared_task(name="permits.sample_inspections_sweep")
def sample_inspections_sweep() -> int:
    return sample_inspections_offer_due()
