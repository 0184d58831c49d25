"""From a submitted inspection to its notices.

Each "no" in the checklist proposes its item. A non-serious item with a correction period is
warned first — unless the same offender was already warned for it within the item's look-back,
in which case it is fined at once. Warnings go out at once with their deadline; fines wait for
an authorised official's approval (a workflow case opened after commit). A re-inspection
settles the warning it follows: corrected items close, uncorrected ones become fines.

`notices_record` runs inside `inspection_submit`'s transaction, with the inspection locked.
"""

import datetime as dt
from decimal import Decimal

from amanah import clock
from amanah.dates import business_date
from amanah.dispatch import task_on_commit

from ..enums import (
    Answer,
    InspectionKind,
    LineStatus,
    NoticeKind,
    ViolationEventKind,
    ViolationStatus,
)
from ..fines import fine_compute, item_in_force, occurrence_of
from ..models import Finding, Inspection, Violation, ViolationItem, ViolationLine
from .records import (
    line_status_change,
    number_next,
    violation_event_append,
    violation_lock,
    violation_status_change,
)

OFFENDER_FIELDS = ("offender_kind", "offender_key", "establishment_id", "person_id",
                   "permit_number", "activity_codes", "size", "place_description", "district",
                   "latitude", "longitude")

# Tasks scheduled after the commit (each has a sweeper that finds the notice if it is lost).
WARNING_SEND_TASK = "violations.warning_send"
FINE_SUBMITTED_TASK = "violations.fine_submitted"


def _was_warned(*, offender_key: str, item: ViolationItem, on: dt.date) -> bool:
    since = on - dt.timedelta(days=item.repeat_lookback_days)
    return ViolationLine.objects.filter(
        item_code=item.code, violation__offender_key=offender_key,
        violation__kind=NoticeKind.WARNING,
        violation__recorded_at__date__gte=since).exists()


def _notice_create(inspection: Inspection, *, kind: str, status: str, actor,
                   on: dt.date) -> Violation:
    notice = Violation(
        number=number_next(municipality=inspection.municipality,
                           series="W" if kind == NoticeKind.WARNING else "V", on=on),
        municipality=inspection.municipality, kind=kind, status=status, inspection=inspection,
        inspector=inspection.inspector or actor, recorded_at=clock.now(),
        **{name: getattr(inspection, name) for name in OFFENDER_FIELDS})
    event = violation_event_append(notice, kind=ViolationEventKind.RECORDED, actor=actor,
                                   to_status=status,
                                   payload={"inspection": inspection.number, "kind": kind})
    notice.save()
    event.violation = notice
    event.save()
    return notice


def _fine_line(notice: Violation, *, item: ViolationItem, finding: Finding | None,
               municipality_class: int, on: dt.date) -> ViolationLine:
    occurrence = occurrence_of(offender_key=notice.offender_key, item=item, on=on,
                               exclude_violation_id=notice.pk)
    # Two "no" answers for one item in one inspection cannot happen (one question per item per
    # checklist), so counting before this line is saved is exact.
    quote = fine_compute(item=item, municipality_class=municipality_class, size=notice.size,
                         occurrence=occurrence, on=on)
    return ViolationLine.objects.create(
        violation=notice, item=item, item_code=item.code, finding=finding,
        status=LineStatus.PROPOSED, occurrence=occurrence, computation=quote.snapshot(),
        amount=quote.amount)


def notices_record(*, inspection: Inspection, actor) -> list[Violation]:
    """The warning and fine notices of a submitted inspection (none when all is well)."""
    on = business_date(clock.now())
    municipality_class = inspection.municipality.municipality_class
    findings = list(inspection.findings.filter(answer=Answer.NO).select_related("question")
                    .order_by("question__position", "id"))
    warned: list[tuple[ViolationItem, Finding]] = []
    fined: list[tuple[ViolationItem, Finding | None]] = []
    escalations: list[ViolationLine] = []  # warning lines not corrected, in fine order

    if inspection.kind == InspectionKind.REINSPECTION and inspection.follows_notice_id:
        escalations = _reinspection_settle(inspection, actor=actor)
        escalated_codes = {line.item_code for line in escalations}
        for line in escalations:
            fined.append((item_in_force(code=line.item_code, on=on),
                          next((f for f in findings if f.item_code == line.item_code), None)))
        findings = [f for f in findings if f.item_code not in escalated_codes]

    for finding in findings:
        item = item_in_force(code=finding.item_code, on=on)
        if (not item.is_serious and item.correction_days
                and not _was_warned(offender_key=inspection.offender_key, item=item, on=on)):
            warned.append((item, finding))
        else:
            fined.append((item, finding))

    notices: list[Violation] = []
    if warned:
        notice = _notice_create(inspection, kind=NoticeKind.WARNING,
                                status=ViolationStatus.WARNED, actor=actor, on=on)
        due_dates = []
        for item, finding in warned:
            due = on + dt.timedelta(days=item.correction_days)
            due_dates.append(due)
            ViolationLine.objects.create(
                violation=notice, item=item, item_code=item.code, finding=finding,
                status=LineStatus.WARNED, correction_due=due,
                computation={"item": item.code, "warning": True,
                             "correction_days": item.correction_days})
        notice.correction_due = min(due_dates)
        notice.save(update_fields=["correction_due"])
        task_on_commit("violations.warning_send", violation_id=notice.pk)  # WARNING_SEND_TASK
        notices.append(notice)
    if fined:
        notice = _notice_create(inspection, kind=NoticeKind.FINE,
                                status=ViolationStatus.PENDING_APPROVAL, actor=actor, on=on)
        total = Decimal("0")
        lines = []
        for item, finding in fined:
            line = _fine_line(notice, item=item, finding=finding,
                              municipality_class=municipality_class, on=on)
            total += line.amount
            lines.append(line)
        notice.total = total
        notice.save(update_fields=["total"])
        for warning_line, fine_line in zip(escalations, lines, strict=False):
            warning_line.escalated_to = fine_line
            warning_line.save(update_fields=["escalated_to"])
        task_on_commit("violations.fine_submitted", violation_id=notice.pk)  # FINE_SUBMITTED_TASK
        notices.append(notice)
    return notices


def _reinspection_settle(inspection: Inspection, *, actor) -> list[ViolationLine]:
    """Close the warning a re-inspection follows: a warned item answered "complies" is
    corrected, any other is not (and is returned, to be fined)."""
    warning = violation_lock(inspection.follows_notice_id)
    answers = dict(inspection.findings.values_list("item_code", "answer"))
    uncorrected = []
    for line in warning.lines.filter(status=LineStatus.WARNED).order_by("id"):
        if answers.get(line.item_code) == Answer.YES:
            line_status_change(violation=warning, line=line, to_status=LineStatus.CORRECTED,
                               actor=actor, payload={"inspection": inspection.number})
        else:
            line_status_change(violation=warning, line=line, to_status=LineStatus.UNCORRECTED,
                               actor=actor, payload={"inspection": inspection.number})
            uncorrected.append(line)
    if warning.status == ViolationStatus.WARNED:
        violation_status_change(violation=warning, to_status=ViolationStatus.CLOSED,
                                kind=ViolationEventKind.CORRECTED if not uncorrected
                                else ViolationEventKind.UNCORRECTED, actor=actor,
                                payload={"inspection": inspection.number,
                                         "uncorrected": [x.item_code for x in uncorrected]})
    return uncorrected
