"""Reads of reconciliation, each a fixed number of queries (for the staff pages)."""

from django.db.models import QuerySet

from amanah.errors import NotFound

from .enums import ReconRunStatus, ReviewStatus
from .models import ReconItem, ReconRun


def recon_run_list() -> QuerySet[ReconRun]:
    """Every delivery, newest first; the report figures are stored on the run."""
    return ReconRun.objects.select_related("duplicate_of", "superseded_by").order_by(
        "-received_at", "-pk")


def recon_run_get(*, pk: int) -> ReconRun:
    run = recon_run_list().filter(pk=pk).first()
    if run is None:
        raise NotFound("recon.run_not_found", "دورة المطابقة غير موجودة.",
                       "No such reconciliation run.")
    return run


def recon_run_exceptions(*, run: ReconRun) -> QuerySet[ReconItem]:
    """A run's items other than MATCHED (read through the partial index)."""
    return (ReconItem.objects.select_related("payment__bill", "reviewed_by")
            .filter(run=run).exclude(category="MATCHED").order_by("position", "pk"))


def recon_exception_queue() -> QuerySet[ReconItem]:
    """The staff queue: open exceptions of runs that still stand (not superseded)."""
    return (ReconItem.objects.select_related("run", "payment__bill")
            .filter(review_status=ReviewStatus.OPEN)
            .exclude(run__status=ReconRunStatus.SUPERSEDED)
            .order_by("run__business_date", "position", "pk"))
