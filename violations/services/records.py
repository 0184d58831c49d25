"""The pieces every violations service shares: numbers, chain links, and the one writer of
each status field (Inspection, Violation, ViolationLine, Penalty, Objection).

Each writer is called with the row locked (the `*_lock` functions here, or a row this
transaction created), checks the move against its table, writes the change and a chained
event in the same transaction. Side effects are the caller's, after commit.
"""

import datetime as dt

from amanah import clock
from amanah.dates import hijri_year
from amanah.models import Municipality
from amanah.statuses import StatusTransitions

from ..enums import (
    InspectionStatus,
    LineStatus,
    ObjectionStatus,
    PenaltyStatus,
    ViolationEventKind,
    ViolationStatus,
)
from ..models import (
    Inspection,
    InspectionEvent,
    Objection,
    Penalty,
    Violation,
    ViolationCounter,
    ViolationEvent,
    ViolationLine,
)

IS, V, L, P, OS = InspectionStatus, ViolationStatus, LineStatus, PenaltyStatus, ObjectionStatus

INSPECTION_MOVES = StatusTransitions("violations.inspection", InspectionStatus, {
    IS.PLANNED: {IS.DRAFT, IS.CANCELLED},
    IS.DRAFT: {IS.SUBMITTED, IS.CANCELLED},
    IS.SUBMITTED: set(),
    IS.CANCELLED: set(),
})

VIOLATION_MOVES = StatusTransitions("violations.violation", ViolationStatus, {
    V.WARNED: {V.CLOSED},
    V.CLOSED: set(),
    V.PENDING_APPROVAL: {V.ISSUED, V.NOT_CONFIRMED},
    V.NOT_CONFIRMED: set(),
    V.ISSUED: {V.SETTLED},
    # A settled fine is reopened only when a line returns to payable (an objection rejected
    # after the rest was paid).
    V.SETTLED: {V.ISSUED},
})

LINE_MOVES = StatusTransitions("violations.line", LineStatus, {
    L.WARNED: {L.CORRECTED, L.UNCORRECTED},
    L.CORRECTED: set(),
    L.UNCORRECTED: set(),
    L.PROPOSED: {L.PAYABLE, L.NOT_CONFIRMED},
    L.NOT_CONFIRMED: set(),
    L.PAYABLE: {L.OBJECTED, L.PAID, L.CANCELLED},
    # PAID: the bill was withdrawn for the objection but SADAD took the money before it
    # accepted the BillExpired (§2: a cancellation is final only then) — the money won.
    L.OBJECTED: {L.PAYABLE, L.CANCELLED, L.PAID},
    L.PAID: set(),
    L.CANCELLED: set(),
})

PENALTY_MOVES = StatusTransitions("violations.penalty", PenaltyStatus, {
    P.PENDING: {P.ACTIVE, P.CANCELLED},
    P.ACTIVE: {P.LIFTED, P.CANCELLED},
    P.LIFTED: set(),
    P.CANCELLED: set(),
})

OBJECTION_MOVES = StatusTransitions("violations.objection", ObjectionStatus, {
    OS.OPEN: {OS.DECIDED},
    OS.DECIDED: set(),
})


def number_next(*, municipality: Municipality, series: str, on: dt.date) -> str:
    """Next number of a series ("INS", "V", "W", "VO") in the municipality's Hijri year:
    V-KHB-1448-000017. The counter row stays locked until the caller commits: no gaps."""
    year = hijri_year(on)
    ViolationCounter.objects.bulk_create(
        [ViolationCounter(municipality=municipality, series=series, hijri_year=year)],
        ignore_conflicts=True)
    counter = ViolationCounter.objects.select_for_update().get(
        municipality=municipality, series=series, hijri_year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{series}-{municipality.code}-{year}-{counter.last_number:06d}"


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


# --- locks -----------------------------------------------------------------------------------

def inspection_lock(inspection_id: int) -> Inspection | None:
    return (Inspection.objects.select_for_update(of=("self",))
            .select_related("municipality", "checklist").filter(pk=inspection_id).first())


def violation_lock(violation_id: int) -> Violation | None:
    return (Violation.objects.select_for_update(of=("self",))
            .select_related("municipality").filter(pk=violation_id).first())


# --- chain links -----------------------------------------------------------------------------

def inspection_event_append(inspection: Inspection, *, kind: str, actor=None,
                            from_status: str = "", to_status: str = "", reason: str = "",
                            payload: dict | None = None) -> InspectionEvent:
    """The next link of the inspection's chain; the caller holds the row lock (or is creating
    the row) and saves the inspection (its chain head) in the same transaction."""
    event = InspectionEvent(kind=kind, actor=_actor(actor), at=clock.now(),
                            from_status=from_status, to_status=to_status, reason=reason or "",
                            payload=payload or {})
    event.link(inspection)
    if inspection.pk is not None:
        event.inspection = inspection
        event.save()
    return event


def inspection_save(inspection: Inspection, fields: list[str]) -> None:
    inspection.save(update_fields=[*fields, "last_event_seq", "last_event_hash"])


def violation_event_append(violation: Violation, *, kind: str, actor=None, from_status: str = "",
                           to_status: str = "", reason: str = "",
                           payload: dict | None = None) -> ViolationEvent:
    """The next link of the notice's chain; as `inspection_event_append`."""
    event = ViolationEvent(kind=kind, actor=_actor(actor), at=clock.now(),
                           from_status=from_status, to_status=to_status, reason=reason or "",
                           payload=payload or {})
    event.link(violation)
    if violation.pk is not None:
        event.violation = violation
        event.save()
    return event


def violation_save(violation: Violation, fields: list[str]) -> None:
    violation.save(update_fields=[*fields, "last_event_seq", "last_event_hash"])


# --- the status writers ----------------------------------------------------------------------

def inspection_status_change(*, inspection: Inspection, to_status: str, kind: str, actor=None,
                             reason: str = "", payload: dict | None = None,
                             extra_fields: list[str] = ()) -> InspectionEvent:
    """The one writer of Inspection.status (row locked by the caller)."""
    from_status = inspection.status
    INSPECTION_MOVES.check(from_status, to_status)
    inspection.status = to_status
    event = inspection_event_append(inspection, kind=kind, actor=actor, from_status=from_status,
                                    to_status=to_status, reason=reason, payload=payload)
    inspection_save(inspection, ["status", *extra_fields])
    return event


def violation_status_change(*, violation: Violation, to_status: str, kind: str, actor=None,
                            reason: str = "", payload: dict | None = None,
                            extra_fields: list[str] = ()) -> ViolationEvent:
    """The one writer of Violation.status (row locked by the caller)."""
    from_status = violation.status
    VIOLATION_MOVES.check(from_status, to_status)
    violation.status = to_status
    event = violation_event_append(violation, kind=kind, actor=actor, from_status=from_status,
                                   to_status=to_status, reason=reason, payload=payload)
    violation_save(violation, ["status", *extra_fields])
    return event


def line_status_change(*, violation: Violation, line: ViolationLine, to_status: str,
                       actor=None, reason: str = "", payload: dict | None = None,
                       extra_fields: list[str] = ()) -> None:
    """The one writer of ViolationLine.status. Lines are changed under their notice's lock
    (held by the caller) and each change is a link of the notice's chain."""
    from_status = line.status
    LINE_MOVES.check(from_status, to_status)
    line.status = to_status
    line.save(update_fields=["status", *extra_fields])
    violation_event_append(violation, kind=_LINE_EVENT_KINDS.get(to_status,
                                                                 ViolationEventKind.RECORDED),
                           actor=actor, from_status=from_status, to_status=to_status,
                           reason=reason, payload={"line": line.pk, "item": line.item_code,
                                                   **(payload or {})})
    violation_save(violation, [])


_LINE_EVENT_KINDS = {
    L.CORRECTED: ViolationEventKind.CORRECTED,
    L.UNCORRECTED: ViolationEventKind.UNCORRECTED,
    L.PAYABLE: ViolationEventKind.APPROVED,
    L.NOT_CONFIRMED: ViolationEventKind.NOT_CONFIRMED,
    L.OBJECTED: ViolationEventKind.OBJECTED,
    L.PAID: ViolationEventKind.PAID,
    L.CANCELLED: ViolationEventKind.OBJECTION_DECIDED,
}


def penalty_status_change(*, violation: Violation, penalty: Penalty, to_status: str,
                          actor=None, reason: str = "", payload: dict | None = None,
                          extra_fields: list[str] = ()) -> None:
    """The one writer of Penalty.status, under the notice's lock; an event on its chain."""
    from_status = penalty.status
    PENALTY_MOVES.check(from_status, to_status)
    penalty.status = to_status
    penalty.save(update_fields=["status", *extra_fields])
    kind = (ViolationEventKind.PENALTY_APPLIED if to_status == P.ACTIVE
            else ViolationEventKind.PENALTY_LIFTED)
    violation_event_append(violation, kind=kind, actor=actor, from_status=from_status,
                           to_status=to_status, reason=reason,
                           payload={"penalty": penalty.pk, "penalty_kind": penalty.kind,
                                    "target": penalty.target_ref, **(payload or {})})
    violation_save(violation, [])


def objection_status_change(*, violation: Violation, objection: Objection, to_status: str,
                            actor=None, reason: str = "", payload: dict | None = None,
                            extra_fields: list[str] = ()) -> None:
    """The one writer of Objection.status, under the notice's lock; an event on its chain."""
    from_status = objection.status
    OBJECTION_MOVES.check(from_status, to_status)
    objection.status = to_status
    objection.save(update_fields=["status", *extra_fields])
    violation_event_append(violation, kind=ViolationEventKind.OBJECTION_DECIDED, actor=actor,
                           from_status=from_status, to_status=to_status, reason=reason,
                           payload={"objection": objection.number, **(payload or {})})
    violation_save(violation, [])
