"""A fine notice's approval: a workflow case for the head of the municipality's inspection
department, then — once the case has moved — the notice is issued (lines payable, one FINE
bill, penalties, the notice sent) or not confirmed (nothing is billed, ever).

No bill exists before approval. The approver acts on the case (`case_transition`), whose role
check admits only the head of the notice's municipality's inspection department; the case's
effect schedules `violations.approval_decided`, which calls `violation_approve` or
`violation_not_confirm` here. Both are idempotent: a repeated task changes nothing.
"""

import datetime as dt
import secrets

from django.db import transaction

from amanah import clock
from amanah.dates import business_date
from amanah.dispatch import task_on_commit
from amanah.errors import DomainError
from workflow.models import Case
from workflow.services.cases import case_submit

from ..access import approver_check
from ..enums import LineStatus, NoticeKind, ViolationEventKind, ViolationStatus
from ..models import Violation
from ..procedures import APPROVAL_CODE
from .billing import fine_bill_issue
from .penalties import penalties_create
from .records import line_status_change, violation_lock, violation_status_change


def _pending_fine(violation_id: int) -> Violation | None:
    violation = violation_lock(violation_id)
    if violation is None or violation.kind != NoticeKind.FINE:
        return None
    return violation


def has_applicant(violation: Violation) -> bool:
    """A case needs an applicant; a place with no offender identity has none, so its fine is
    decided by the head directly on the approver's page (same check, same services)."""
    return bool(violation.person_id or violation.establishment_id)


@transaction.atomic
def approval_case_open(*, violation_id: int) -> Case | None:
    """Open the approval case of a fine awaiting approval (once: a repeat returns the case);
    None for a notice with no offender identity (see `has_applicant`)."""
    violation = _pending_fine(violation_id)
    if violation is None:
        return None
    if violation.approval_case_id is not None:
        return violation.approval_case
    if violation.status != ViolationStatus.PENDING_APPROVAL or not has_applicant(violation):
        return None
    subject = (f"اعتماد المخالفة {violation.number} — Approve fine {violation.number}")
    case = case_submit(
        kind=APPROVAL_CODE, municipality=violation.municipality, subject=subject,
        submitted_by=violation.inspector,
        applicant_person=violation.person if violation.person_id else None,
        applicant_establishment=(violation.establishment if violation.establishment_id
                                 else None),
        description=f"{violation.total} SAR")
    violation.approval_case = case
    violation.save(update_fields=["approval_case"])
    return case


def approval_case_sweep(*, older_than: dt.timedelta = dt.timedelta(minutes=5),
                        limit: int = 200) -> int:
    """Periodic: open the case of every fine awaiting approval whose task was lost."""
    ids = list(Violation.objects.filter(
        kind=NoticeKind.FINE, status=ViolationStatus.PENDING_APPROVAL,
        approval_case__isnull=True, recorded_at__lte=clock.now() - older_than)
        .exclude(person__isnull=True, establishment__isnull=True)
        .order_by("recorded_at", "pk").values_list("pk", flat=True)[:limit])
    for violation_id in ids:
        approval_case_open(violation_id=violation_id)
    return len(ids)


@transaction.atomic
def violation_approve(*, violation_id: int, actor) -> Violation | None:
    """Approved by the head: lines PAYABLE (objection due per item), notice ISSUED, one FINE
    bill, penalties applied; the notice (PDF, SMS) is sent after commit."""
    violation = _pending_fine(violation_id)
    if violation is None:
        return None
    if violation.status != ViolationStatus.PENDING_APPROVAL:
        return violation  # decided already: the task ran twice
    approver_check(actor, violation.municipality_id)
    today = business_date(clock.now())
    lines = list(violation.lines.select_related("item").filter(status=LineStatus.PROPOSED)
                 .order_by("id"))
    if not lines:
        raise DomainError("violations.nothing_to_approve", "لا توجد بنود مقترحة للاعتماد.",
                          "The notice has no proposed items to approve.")
    for line in lines:
        line.objection_due = today + dt.timedelta(days=line.item.objection_days)
        line_status_change(violation=violation, line=line, to_status=LineStatus.PAYABLE,
                           actor=actor, extra_fields=["objection_due"])
    violation.approved_at, violation.approved_by = clock.now(), actor
    violation.verify_token = violation.verify_token or secrets.token_urlsafe(32)
    violation_status_change(violation=violation, to_status=ViolationStatus.ISSUED,
                            kind=ViolationEventKind.APPROVED, actor=actor,
                            extra_fields=["approved_at", "approved_by", "verify_token"])
    fine_bill_issue(violation=violation, lines=lines, actor=actor)
    penalties_create(violation=violation, actor=actor)
    task_on_commit("violations.notice_send", violation_id=violation.pk)
    return violation


@transaction.atomic
def violation_not_confirm(*, violation_id: int, actor, reason: str) -> Violation | None:
    """Not confirmed by the head: the proposed lines and the notice end; nothing is billed."""
    violation = _pending_fine(violation_id)
    if violation is None:
        return None
    if violation.status != ViolationStatus.PENDING_APPROVAL:
        return violation
    approver_check(actor, violation.municipality_id)
    for line in violation.lines.filter(status=LineStatus.PROPOSED).order_by("id"):
        line_status_change(violation=violation, line=line, to_status=LineStatus.NOT_CONFIRMED,
                           actor=actor, reason=reason)
    violation_status_change(violation=violation, to_status=ViolationStatus.NOT_CONFIRMED,
                            kind=ViolationEventKind.NOT_CONFIRMED, actor=actor, reason=reason)
    return violation


def approval_decided(*, case_id: int, event_id: int | None = None) -> Violation | None:
    """The approval case moved: apply its decision to the notice (the task's body)."""
    from workflow.models import CaseEvent

    violation_id = (Violation.objects.filter(approval_case_id=case_id)
                    .values_list("pk", flat=True).first())
    if violation_id is None:
        return None
    case = Case.objects.select_related("state").get(pk=case_id)
    event = (CaseEvent.objects.select_related("actor").filter(pk=event_id).first()
             if event_id else None)
    if event is None or event.case_id != case_id:
        event = (CaseEvent.objects.select_related("actor")
                 .filter(case_id=case_id, to_state=case.state).order_by("-seq").first())
    actor = event.actor if event is not None else None
    if case.state.code == "approved":
        return violation_approve(violation_id=violation_id, actor=actor)
    if case.state.code == "not_confirmed":
        return violation_not_confirm(violation_id=violation_id, actor=actor,
                                     reason=(event.reason if event is not None else ""))
    return None


def approval_decided_sweep(*, older_than: dt.timedelta = dt.timedelta(minutes=5),
                           limit: int = 200) -> int:
    """Periodic: apply decisions whose task was lost (the case decided, the notice pending)."""
    ids = list(Violation.objects.filter(
        kind=NoticeKind.FINE, status=ViolationStatus.PENDING_APPROVAL,
        approval_case__state__code__in=("approved", "not_confirmed"),
        approval_case__state_entered_at__lte=clock.now() - older_than)
        .order_by("pk").values_list("approval_case_id", flat=True)[:limit])
    for case_id in ids:
        approval_decided(case_id=case_id)
    return len(ids)
