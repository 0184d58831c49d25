"""Sample inspections of licences issued instantly: which ones, and handing them over.

Systematic, not random, so that it is exact and testable: the licence's activity with the
highest sampling rate (ties: the lowest code) counts it on that activity's counter (locked),
and the n-th licence counted is chosen when floor(n × rate / 100) exceeds the number chosen so
far — at 20 % the 5th, 10th, 15th… A chosen licence gets a QUEUED SampleInspection due 30
days after issue and a SAMPLE_QUEUED event on the permit; after the commit a task offers it
to the handlers registered here (the violations app will register one). With none, it stays
QUEUED and staff see it in their list.

SampleInspection.status has one writer: `sample_inspection_status_change`.
"""

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction

from amanah import clock
from amanah.dispatch import task_on_commit
from amanah.errors import Conflict

from ..enums import PermitEventKind, SampleInspectionStatus
from ..models import Activity, ActivitySampleCounter, Permit, SampleInspection
from ..services.permits import permit_event_append, permit_save

logger = logging.getLogger(__name__)

Q = SampleInspectionStatus
DUE_AFTER = dt.timedelta(days=30)
# A queued sample not handed over this long after it was queued is offered again (its task
# was lost, or no handler took it then).
OFFER_AGAIN_AFTER = dt.timedelta(minutes=5)

SAMPLE_MOVES: dict[str, frozenset[str]] = {
    Q.QUEUED: frozenset({Q.HANDED_OVER, Q.DONE, Q.CANCELLED}),
    Q.HANDED_OVER: frozenset({Q.DONE, Q.CANCELLED}),
    Q.DONE: frozenset(),
    Q.CANCELLED: frozenset(),
}

SampleHandler = Callable[[SampleInspection], str | None]
_handlers: list[SampleHandler] = []


def sample_inspection_handler_register(fn: SampleHandler) -> SampleHandler:
    """`fn(sample) -> reference | None`: offered every queued sample; returns a reference
    (e.g. an inspection plan's visit number) when it took the sample over."""
    if fn not in _handlers:
        _handlers.append(fn)
    return fn


def sample_inspection_handler_unregister(fn: SampleHandler) -> None:
    if fn in _handlers:
        _handlers.remove(fn)


def _handler_name(fn: SampleHandler) -> str:
    # The end of the dotted name says the most when it must be cut to the column's 64.
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"[-64:]


def sample_inspection_status_change(*, sample: SampleInspection, to_status: str,
                                    handed_to: str = "", reference: str = ""
                                    ) -> SampleInspection:
    """The one writer of SampleInspection.status; the caller holds the sample's row lock."""
    if to_status not in SAMPLE_MOVES.get(sample.status, frozenset()):
        raise Conflict("permits.sample_status_refused",
                       "لا يمكن نقل فحص العينة إلى هذه الحالة.",
                       "The sample inspection cannot move to this status.")
    sample.status = to_status
    fields = ["status"]
    if to_status == Q.HANDED_OVER:
        sample.handed_to, sample.handed_at = handed_to[:64], clock.now()
        sample.reference = reference[:40]
        fields += ["handed_to", "handed_at", "reference"]
    sample.save(update_fields=fields)
    return sample


def sampling_activity(activities: list[Activity]) -> Activity | None:
    """The activity whose rate counts the licence: the highest rate, ties the lowest code;
    None when none of them is sampled."""
    sampled = [a for a in activities if a.sample_inspection_percent > 0]
    if not sampled:
        return None
    return min(sampled, key=lambda a: (-a.sample_inspection_percent, a.code))


def licence_sample(*, permit: Permit, activities: list[Activity]) -> SampleInspection | None:
    """Count an instantly issued licence and choose it for a sample inspection when its turn
    has come. The caller holds the permit's lock (or just created it) in its transaction."""
    activity = sampling_activity(activities)
    if activity is None:
        return None
    ActivitySampleCounter.objects.bulk_create([ActivitySampleCounter(activity=activity)],
                                              ignore_conflicts=True)
    counter = ActivitySampleCounter.objects.select_for_update().get(activity=activity)
    counter.issued += 1
    rate = activity.sample_inspection_percent
    chosen = counter.issued * rate // 100 > counter.sampled
    if chosen:
        counter.sampled += 1
    counter.save(update_fields=["issued", "sampled"])
    if not chosen:
        return None
    sample = SampleInspection.objects.create(
        permit=permit, activity=activity, rate_percent=rate, status=Q.QUEUED,
        due_by=permit.issued_on + DUE_AFTER, queued_at=clock.now())
    permit_event_append(permit, kind=PermitEventKind.SAMPLE_QUEUED,
                        payload={"activity": activity.code, "rate": rate,
                                 "nth": counter.issued, "due_by": sample.due_by.isoformat()})
    permit_save(permit, [])
    task_on_commit("permits.sample_inspection_offer", sample_id=sample.pk)
    return sample


@transaction.atomic
def sample_inspection_offer(*, sample_id: int) -> str | None:
    """Offer a queued sample to the registered handlers, in order; the first that returns a
    reference takes it (HANDED_OVER). Run twice, the second finds it handed over already."""
    sample = SampleInspection.objects.select_for_update().filter(pk=sample_id).first()
    if sample is None or sample.status != Q.QUEUED:
        return None
    for handler in list(_handlers):
        reference = handler(sample)
        if reference:
            sample_inspection_status_change(sample=sample, to_status=Q.HANDED_OVER,
                                            handed_to=_handler_name(handler),
                                            reference=str(reference))
            return str(reference)
    return None


def sample_inspections_offer_due(*, limit: int = 200) -> int:
    """Periodic: queued samples not taken over a while after they were queued are offered
    again (a lost task, or a handler registered since). Returns how many were handed over."""
    if not _handlers:
        return 0
    due = clock.now() - OFFER_AGAIN_AFTER
    handed = 0
    for sample_id in (SampleInspection.objects.filter(status=Q.QUEUED, queued_at__lte=due)
                      .order_by("pk").values_list("pk", flat=True)[:limit]):
        if sample_inspection_offer(sample_id=sample_id):
            handed += 1
    return handed
