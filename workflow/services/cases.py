"""Every change of a case. Each public function: lock the case, check, write the change and
one event in the same transaction, schedule side effects for after the commit."""

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial

from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, transaction

from amanah import clock
from amanah.dates import business_date, hijri_year
from amanah.enums import StaffRole
from amanah.errors import Conflict, DomainError, PermissionDenied
from amanah.models import Department, Establishment, Municipality, Person, StaffMembership
from amanah.permissions import person_for_user, staff_memberships

from .. import registry
from ..enums import (
    ACTOR_APPLICANT,
    ACTOR_SYSTEM,
    ActorKind,
    CaseEventKind,
    CasePriority,
    SlaStatus,
    StatusCategory,
)
from ..models import Case, CaseAttachment, CaseComment, CaseCounter, CaseEvent, State, Transition
from ..working_time import sla_due_at, sla_window
from . import errors
from .definitions import definition_resolve, department_resolve

logger = logging.getLogger(__name__)

# Roles that may move a case on to another department (إحالة) or take it from the queue.
TRANSFER_ROLES = frozenset({StaffRole.CLERK, StaffRole.REVIEWER, StaffRole.HEAD})
CLAIM_ROLES = frozenset({StaffRole.CLERK, StaffRole.REVIEWER, StaffRole.INSPECTOR,
                         StaffRole.HEAD})
ASSIGN_ROLES = frozenset({StaffRole.HEAD})
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ActingAs:
    """How a user takes part in one action: as staff with a role, the applicant, or the system."""

    kind: str
    role: str
    department_id: int | None


# --- Who may act -------------------------------------------------------------------------


def user_is_applicant(case: Case, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if case.submitted_by_id == user.pk:
        return True
    person = person_for_user(user)
    if person is None:
        return False
    if case.applicant_person_id == person.pk:
        return True
    return bool(case.applicant_establishment_id) and Establishment.representatives.through.objects \
        .filter(establishment_id=case.applicant_establishment_id, person_id=person.pk).exists()


def staff_roles_in(user, department_id: int | None) -> set[str]:
    """The user's active roles in one department. Superusers get none: they configure the
    portal, they do not decide transactions."""
    if department_id is None or not getattr(user, "is_authenticated", False):
        return set()
    return {m.role for m in staff_memberships(user) if m.department_id == department_id}


def acting_as(case: Case, transition: Transition, user, *,
              is_applicant: bool | None = None) -> ActingAs | None:
    """How `user` (None = the system) may take `transition` on `case`, or None if not at all."""
    allowed = set(transition.allowed_roles)
    if user is None:
        return ActingAs(ActorKind.SYSTEM, ACTOR_SYSTEM, None) if ACTOR_SYSTEM in allowed else None
    if not getattr(user, "is_authenticated", False):
        return None
    roles = sorted(staff_roles_in(user, case.department_id) & allowed)
    if roles:
        return ActingAs(ActorKind.STAFF, roles[0], case.department_id)
    if ACTOR_APPLICANT in allowed:
        if is_applicant is None:
            is_applicant = user_is_applicant(case, user)
        if is_applicant:
            return ActingAs(ActorKind.APPLICANT, ACTOR_APPLICANT, None)
    return None


# --- Internals shared by every change ----------------------------------------------------


def _case_lock(case_id: int, *, expected_version: int | None = None,
               nowait: bool = True) -> Case:
    """Lock the case row. Staff actions fail fast (nowait): the second of two people acting at
    once gets a clear conflict instead of waiting and then acting on a stale screen."""
    queryset = Case.objects.select_for_update(nowait=nowait, of=("self",)).select_related(
        "state", "version", "department", "municipality__parent")
    try:
        case = queryset.get(pk=case_id)
    except Case.DoesNotExist:
        raise errors.case_not_found() from None
    except OperationalError as exc:
        raise errors.case_busy() from exc
    if expected_version is not None and case.row_version != expected_version:
        raise errors.case_changed()
    return case


def _event_append(case: Case, *, kind: str, at: dt.datetime, actor=None,
                  acting: ActingAs | None = None, action: str = "",
                  from_state: State | None = None, to_state: State | None = None,
                  from_department: Department | None = None,
                  to_department: Department | None = None,
                  comment: str = "", data: dict | None = None) -> CaseEvent:
    """Add the next link of the case's hash chain. The case row is locked by the caller."""
    acting = acting or ActingAs(ActorKind.SYSTEM, ACTOR_SYSTEM, None)
    event = CaseEvent(
        case=case, seq=case.last_event_seq + 1, kind=kind, action=action, actor=actor,
        actor_kind=acting.kind, actor_role=acting.role, department_id=acting.department_id,
        from_state=from_state, to_state=to_state, from_department=from_department,
        to_department=to_department, comment=comment, data=data or {}, created_at=at,
        prev_hash=case.last_event_hash)
    event.hash = event.compute_hash()
    event.save()
    case.last_event_seq = event.seq
    case.last_event_hash = event.hash
    return event


def _state_enter(case: Case, state: State, at: dt.datetime, *,
                 department: Department | None = None) -> Department | None:
    """Put the case in `state`: its owning department (or `department`, when the caller knows
    better who must hold it), a fresh step clock. Returns the department the case left, if it
    changed."""
    previous = case.department
    if department is None:
        department = department_resolve(code=state.department_code,
                                        municipality=case.municipality)
    if state.department_code and department is None:
        raise DomainError("workflow.department_missing",
                          "لا توجد إدارة مسؤولة عن هذه المرحلة في البلدية.",
                          "No department in this municipality handles this step.")
    case.state = state
    case.category = state.category
    case.state_entered_at = at
    if department is not None and department.pk != case.department_id:
        case.department = department
        case.assignee = None
    if state.is_terminal:
        case.closed_at = at
        case.state_due_at = case.state_at_risk_at = None
    else:
        case.closed_at = None
        case.state_at_risk_at, case.state_due_at = sla_window(at, state.sla_hours)
    # A new step starts on track; the sweep marks it again if the whole case is late.
    case.sla_status = SlaStatus.ON_TRACK
    return previous if previous is not None and previous.pk != case.department_id else None


def _document_check(document) -> None:
    if document is None:
        return
    if not isinstance(document, UploadedFile) and not hasattr(document, "read"):
        raise DomainError("workflow.document_invalid", "المرفق غير صالح.",
                          "The document is not a valid file.", field="document")
    if (getattr(document, "size", 0) or 0) > MAX_DOCUMENT_BYTES:
        raise DomainError("workflow.document_too_large",
                          "حجم المرفق يتجاوز ١٠ ميجابايت.",
                          "The document is larger than 10 MB.", field="document")


def _attachment_store(case: Case, document, *, user, at: dt.datetime, event_seq: int | None,
                      is_internal: bool = False) -> CaseAttachment:
    name = getattr(document, "name", "document") or "document"
    attachment = CaseAttachment(
        case=case, original_name=name.rsplit("/", 1)[-1][:255],
        content_type=(getattr(document, "content_type", "") or "")[:100],
        size=getattr(document, "size", 0) or 0, uploaded_by=user if user else None,
        is_internal=is_internal, event_seq=event_seq, created_at=at)
    attachment.file.save(attachment.original_name, document, save=False)
    attachment.save()
    return attachment


def _case_save(case: Case) -> None:
    case.row_version += 1
    case.save()


def _effects_schedule(case: Case, transition: Transition, event: CaseEvent) -> None:
    for name in transition.effects:
        effect = registry.effect_get(name)
        if effect is None:
            logger.error("workflow: effect %r of %s is not registered", name, transition.action)
            continue
        # robust: one failing effect is logged and does not stop the next one.
        transaction.on_commit(partial(effect, case_id=case.pk, event_id=event.pk), robust=True)


def guard_refusal(case: Case, transition: Transition, user) -> DomainError | None:
    """Why the transition's guards refuse it for `user` now, or None when they all pass.

    Used both when the action is taken (with the case locked) and when the case page lists
    the actions, so a button is never offered that its guard would then refuse.
    """
    for name in transition.guards:
        guard = registry.guard_get(name)
        if guard is None:
            return DomainError("workflow.guard_missing", "شرط الإجراء غير معرف في النظام.",
                               f"The action's guard {name!r} is not registered.")
        try:
            if guard(case=case, transition=transition, actor=user) is False:
                return DomainError("workflow.guard_refused",
                                   "لا تتحقق شروط هذا الإجراء بعد.",
                                   "The conditions for this action are not met yet.",
                                   field="action")
        except DomainError as refusal:
            return refusal
    return None


def _guards_check(case: Case, transition: Transition, user) -> None:
    refusal = guard_refusal(case, transition, user)
    if refusal is not None:
        raise refusal


def _resume_holder(case: Case, transition: Transition) -> tuple[Department | None, object]:
    """Who takes a case the applicant sends back after a return for correction:
    (department, assignee), or (None, None) for the target step's own department.

    The department that returned it, not the step's owner. A step may have been referred
    (إحالة) to another department — legal, engineering — and it is that department that asked
    the applicant for the correction: it knows what it asked for and is waiting for it. In a
    municipality the corrected papers go back to the desk that sent them out, not to the start
    of the step's queue, where they would have to be referred again and lose the time the
    referral took. The events say who had it: the return event's `from_department`. The same
    member of staff gets it back if they still work there, so it does not sit unclaimed.

    Only when the case resumes into the step it was returned from. A definition that sends a
    resumed case elsewhere (e.g. back to intake) says so explicitly, and that step's own
    department takes it. One or two queries, only on a resume.
    """
    if case.category != StatusCategory.AWAITING_APPLICANT or transition.to_state.is_terminal \
            or transition.to_state.category == StatusCategory.AWAITING_APPLICANT:
        return None, None
    returned = (CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION,
                                         to_state__category=StatusCategory.AWAITING_APPLICANT)
                .select_related("from_department", "actor").order_by("-seq").first())
    if (returned is None or returned.from_department is None
            or returned.from_state_id != transition.to_state_id):
        return None, None
    assignee = returned.actor
    if assignee is not None and not StaffMembership.objects.filter(
            user_id=assignee.pk, department_id=returned.from_department_id,
            is_active=True).exists():
        assignee = None
    return returned.from_department, assignee


def _transition_apply(case: Case, transition: Transition, *, user, acting: ActingAs,
                      comment: str, document, kind: str = CaseEventKind.TRANSITION) -> CaseEvent:
    """The single place a case changes state. Checks first, writes after: a refusal leaves
    the case, its events and its documents exactly as they were."""
    comment = (comment or "").strip()
    if transition.comment_required and not comment:
        raise errors.required("workflow.comment_required", "comment", "التعليق", "A comment")
    if transition.document_required and document is None:
        raise errors.required("workflow.document_required", "document", "المرفق", "A document")
    _document_check(document)
    _guards_check(case, transition, user)

    at = clock.now()
    from_state = case.state
    department_before = case.department
    department, assignee = _resume_holder(case, transition)
    _state_enter(case, transition.to_state, at, department=department)
    if assignee is not None:
        case.assignee = assignee
    event = _event_append(
        case, kind=kind, at=at, actor=user, acting=acting, action=transition.action,
        from_state=from_state, to_state=transition.to_state,
        from_department=department_before, to_department=case.department,
        comment=comment, data={"document": True} if document is not None else None)
    if document is not None:
        _attachment_store(case, document, user=user, at=at, event_seq=event.seq)
    _case_save(case)
    _effects_schedule(case, transition, event)
    return event


def _transition_find(case: Case, action: str) -> Transition:
    transition = (Transition.objects.filter(from_state_id=case.state_id, action=action)
                  .select_related("to_state").first())
    if transition is None:
        raise errors.action_not_available(action)
    return transition


# --- Public services ---------------------------------------------------------------------


def _case_number_next(municipality: Municipality, prefix: str, at: dt.datetime) -> str:
    """Next number in the municipality's Hijri-year series. The counter row stays locked until
    the case insert commits, so a rolled-back submission gives its number back: no gaps."""
    year = hijri_year(business_date(at))
    CaseCounter.objects.bulk_create(
        [CaseCounter(municipality=municipality, hijri_year=year, last_number=0)],
        ignore_conflicts=True)
    counter = CaseCounter.objects.select_for_update().get(municipality=municipality,
                                                         hijri_year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{prefix}-{year}-{counter.last_number:06d}"


@transaction.atomic
def case_submit(*, kind: str, municipality: Municipality, subject: str, submitted_by=None,
                applicant_person: Person | None = None,
                applicant_establishment: Establishment | None = None,
                description: str = "", priority: str = CasePriority.NORMAL,
                documents: tuple | list = ()) -> Case:
    """Open a numbered case on the published version of `kind`; routing follows after commit."""
    subject = (subject or "").strip()
    if not subject:
        raise errors.required("workflow.subject_required", "subject", "الموضوع", "The subject")
    if priority not in CasePriority.values:
        raise DomainError("workflow.priority_invalid", "الأولوية غير صحيحة.",
                          "Unknown priority.", field="priority")
    submitter_person = person_for_user(submitted_by) if submitted_by is not None else None
    if applicant_person is None and applicant_establishment is None:
        applicant_person = submitter_person
    if applicant_person is None and applicant_establishment is None:
        raise DomainError("workflow.applicant_required", "يجب تحديد مقدم الطلب.",
                          "The applicant is required.", field="applicant")
    if (applicant_establishment is not None and submitter_person is not None
            and not staff_memberships(submitted_by)
            and not applicant_establishment.representatives.filter(
                pk=submitter_person.pk).exists()):
        raise PermissionDenied("workflow.not_representative",
                               "لست مفوضًا عن هذه المنشأة.",
                               "You are not a representative of this establishment.",
                               field="applicant")
    for document in documents:
        _document_check(document)
    version = definition_resolve(code=kind, municipality=municipality)
    start = version.states.filter(is_start=True).first()
    if start is None:
        raise DomainError("workflow.definition_broken", "تعريف المعاملة غير مكتمل.",
                          "The transaction's definition has no start state.")

    at = clock.now()
    acting = (ActingAs(ActorKind.APPLICANT, ACTOR_APPLICANT, None) if submitter_person
              or submitted_by is None else _staff_acting(submitted_by, None))
    prefix = version.definition.case_prefix or municipality.code
    case = Case(
        number=_case_number_next(municipality, prefix, at), municipality=municipality,
        definition=version.definition, version=version, subject=subject[:300],
        description=description or "", applicant_person=applicant_person,
        applicant_establishment=applicant_establishment,
        submitted_by=submitted_by if getattr(submitted_by, "pk", None) else None,
        priority=priority, submitted_at=at,
        due_at=sla_due_at(at, version.sla_hours) if version.sla_hours else None)
    _state_enter(case, start, at)
    case.save()
    event = _event_append(case, kind=CaseEventKind.SUBMITTED, at=at, actor=case.submitted_by,
                          acting=acting, to_state=start, to_department=case.department,
                          data={"documents": len(documents)} if documents else None)
    for document in documents:
        _attachment_store(case, document, user=case.submitted_by, at=at, event_seq=event.seq)
    case.save(update_fields=["last_event_seq", "last_event_hash"])

    from ..tasks import case_route as case_route_task

    transaction.on_commit(partial(case_route_task.delay, case.pk))
    return case


def _staff_acting(user, department_id: int | None) -> ActingAs:
    roles = sorted(staff_roles_in(user, department_id)) if department_id else []
    if not roles:
        roles = sorted({m.role for m in staff_memberships(user)}) or [""]
    return ActingAs(ActorKind.STAFF, roles[0], department_id)


@transaction.atomic
def case_route(*, case_id: int) -> Case:
    """Send a submitted case to its first queue: the first system transition out of the start
    state whose guards pass, or the start state's own department. Once only."""
    case = _case_lock(case_id, nowait=False)
    # Withdrawn before the task ran, or already routed (the task ran twice): nothing to do.
    if case.routed_at is not None or not case.is_open:
        return case
    at = clock.now()
    candidates = (Transition.objects.filter(from_state_id=case.state_id)
                  .select_related("to_state").order_by("position", "id"))
    for transition in candidates:
        if ACTOR_SYSTEM not in transition.allowed_roles:
            continue
        try:
            _guards_check(case, transition, None)
        except DomainError:
            continue
        case.routed_at = at
        _transition_apply(case, transition, user=None, acting=acting_as(case, transition, None),
                          comment="", document=None, kind=CaseEventKind.ROUTED)
        return case
    case.routed_at = at
    _event_append(case, kind=CaseEventKind.ROUTED, at=at, from_state=case.state,
                  to_state=case.state, to_department=case.department)
    _case_save(case)
    return case


@transaction.atomic
def case_transition(*, case_id: int, action: str, actor, comment: str = "", document=None,
                    expected_version: int | None = None) -> Case:
    """Take `action` on the case: only from the state it is in, only by whom the definition
    allows, only when its guards pass."""
    case = _case_lock(case_id, expected_version=expected_version)
    transition = _transition_find(case, action)
    acting = acting_as(case, transition, actor)
    if acting is None:
        raise errors.not_allowed()
    _transition_apply(case, transition, user=actor, acting=acting, comment=comment,
                      document=document)
    return case


def _category_transition(case: Case, actor, *, to_categories: set[str],
                         from_category: str | None, code: str, ar: str, en: str) -> tuple:
    if from_category is not None and case.category != from_category:
        raise Conflict(code, ar, en)
    options = [t for t in Transition.objects.filter(from_state_id=case.state_id)
               .select_related("to_state").order_by("position", "id")
               if t.to_state.category in to_categories]
    if not options:
        raise Conflict(code, ar, en)
    for transition in options:
        acting = acting_as(case, transition, actor)
        if acting is not None:
            return transition, acting
    raise errors.not_allowed()


@transaction.atomic
def case_return_to_applicant(*, case_id: int, actor, comment: str,
                             expected_version: int | None = None) -> Case:
    """Send the case back to the applicant for correction, with what to fix."""
    case = _case_lock(case_id, expected_version=expected_version)
    if not (comment or "").strip():
        raise errors.required("workflow.comment_required", "comment", "التعليق", "A comment")
    transition, acting = _category_transition(
        case, actor, to_categories={StatusCategory.AWAITING_APPLICANT}, from_category=None,
        code="workflow.return_not_available",
        ar="لا يمكن إعادة المعاملة لمقدمها في حالتها الحالية.",
        en="The transaction cannot be returned to the applicant in its current state.")
    _transition_apply(case, transition, user=actor, acting=acting, comment=comment,
                      document=None)
    return case


@transaction.atomic
def case_resume(*, case_id: int, actor, comment: str = "", document=None,
                expected_version: int | None = None) -> Case:
    """The applicant sends the corrected case back to the department that returned it
    (see `_resume_holder` for why that one)."""
    case = _case_lock(case_id, expected_version=expected_version)
    transition, acting = _category_transition(
        case, actor, to_categories=set(StatusCategory.values) - {
            StatusCategory.CANCELLED, StatusCategory.AWAITING_APPLICANT},
        from_category=StatusCategory.AWAITING_APPLICANT, code="workflow.resume_not_available",
        ar="المعاملة ليست بانتظار استكمال من مقدمها.",
        en="The transaction is not waiting for the applicant.")
    _transition_apply(case, transition, user=actor, acting=acting, comment=comment,
                      document=document)
    return case


@transaction.atomic
def case_cancel(*, case_id: int, actor, comment: str = "",
                expected_version: int | None = None) -> Case:
    """The applicant withdraws the case, in the states where the definition lets them."""
    case = _case_lock(case_id, expected_version=expected_version)
    transition, acting = _category_transition(
        case, actor, to_categories={StatusCategory.CANCELLED}, from_category=None,
        code="workflow.cancel_not_available",
        ar="لا يمكن إلغاء المعاملة في حالتها الحالية.",
        en="The transaction can no longer be cancelled.")
    _transition_apply(case, transition, user=actor, acting=acting, comment=comment,
                      document=None)
    return case


def _open_case_check(case: Case) -> None:
    if not case.is_open:
        raise errors.case_closed()


@transaction.atomic
def case_claim(*, case_id: int, actor, expected_version: int | None = None) -> Case:
    """A member of the holding department takes an unassigned case from the queue."""
    case = _case_lock(case_id, expected_version=expected_version)
    _open_case_check(case)
    roles = staff_roles_in(actor, case.department_id) & CLAIM_ROLES
    if not roles:
        raise errors.not_allowed()
    if case.assignee_id == actor.pk:
        return case
    if case.assignee_id is not None:
        raise Conflict("workflow.already_claimed", "استلم موظف آخر هذه المعاملة.",
                       "Another member of staff has already claimed this transaction.")
    case.assignee = actor
    _event_append(case, kind=CaseEventKind.CLAIMED, at=clock.now(), actor=actor,
                  acting=ActingAs(ActorKind.STAFF, sorted(roles)[0], case.department_id),
                  data={"assignee": actor.pk})
    _case_save(case)
    return case


@transaction.atomic
def case_assign(*, case_id: int, actor, assignee, expected_version: int | None = None) -> Case:
    """The department head gives the case to a member of the department (or nobody)."""
    case = _case_lock(case_id, expected_version=expected_version)
    _open_case_check(case)
    roles = staff_roles_in(actor, case.department_id) & ASSIGN_ROLES
    if not roles:
        raise errors.not_allowed()
    if assignee is not None and not StaffMembership.objects.filter(
            user=assignee, department_id=case.department_id, is_active=True).exists():
        raise DomainError("workflow.assignee_not_in_department",
                          "الموظف المختار ليس من منسوبي الإدارة.",
                          "The chosen person does not work in this department.",
                          field="assignee")
    if (assignee.pk if assignee else None) == case.assignee_id:
        return case
    case.assignee = assignee
    _event_append(case, kind=CaseEventKind.ASSIGNED, at=clock.now(), actor=actor,
                  acting=ActingAs(ActorKind.STAFF, sorted(roles)[0], case.department_id),
                  data={"assignee": assignee.pk if assignee else None})
    _case_save(case)
    return case


@transaction.atomic
def case_transfer(*, case_id: int, actor, department_code: str, note: str,
                  expected_version: int | None = None) -> Case:
    """Refer (إحالة) the case to another department, where its current step allows, with a note.
    The step and its clock stay: a transfer does not buy the case more time."""
    case = _case_lock(case_id, expected_version=expected_version)
    _open_case_check(case)
    roles = staff_roles_in(actor, case.department_id) & TRANSFER_ROLES
    if not roles:
        raise errors.not_allowed()
    note = (note or "").strip()
    if not note:
        raise errors.required("workflow.note_required", "note", "سبب الإحالة", "A note")
    if department_code not in (case.state.transfer_department_codes or []):
        raise DomainError("workflow.transfer_not_allowed",
                          "لا يسمح إجراء المعاملة بإحالتها إلى هذه الإدارة في هذه المرحلة.",
                          "This step of the procedure does not allow a transfer "
                          "to that department.", field="department")
    target = department_resolve(code=department_code, municipality=case.municipality)
    if target is None:
        raise DomainError("workflow.department_missing", "الإدارة غير موجودة.",
                          "No such department.", field="department")
    if target.pk == case.department_id:
        raise DomainError("workflow.transfer_same_department",
                          "المعاملة لدى هذه الإدارة بالفعل.",
                          "The transaction is already with this department.",
                          field="department")
    source = case.department
    case.department = target
    case.assignee = None
    _event_append(case, kind=CaseEventKind.TRANSFERRED, at=clock.now(), actor=actor,
                  acting=ActingAs(ActorKind.STAFF, sorted(roles)[0], source.pk),
                  action="transfer", from_state=case.state, to_state=case.state,
                  from_department=source, to_department=target, comment=note)
    _case_save(case)
    return case


def _participant(case: Case, user) -> ActingAs | None:
    roles = staff_roles_in(user, case.department_id)
    if roles:
        return ActingAs(ActorKind.STAFF, sorted(roles)[0], case.department_id)
    if user_is_applicant(case, user):
        return ActingAs(ActorKind.APPLICANT, ACTOR_APPLICANT, None)
    return None


@transaction.atomic
def case_comment_add(*, case_id: int, actor, body: str, is_internal: bool = False) -> CaseComment:
    """A note by the holding department's staff or the applicant; internal notes are staff-only."""
    case = _case_lock(case_id)
    acting = _participant(case, actor)
    if acting is None or (is_internal and acting.kind != ActorKind.STAFF):
        raise errors.not_allowed()
    body = (body or "").strip()
    if not body:
        raise errors.required("workflow.comment_required", "body", "نص التعليق", "The comment")
    at = clock.now()
    comment = CaseComment.objects.create(case=case, author=actor, body=body,
                                         is_internal=is_internal, created_at=at)
    _event_append(case, kind=CaseEventKind.COMMENTED, at=at, actor=actor, acting=acting,
                  comment=body, data={"internal": is_internal})
    _case_save(case)
    return comment


@transaction.atomic
def case_attachment_add(*, case_id: int, actor, document,
                        is_internal: bool = False) -> CaseAttachment:
    """A document added to an open case by its department's staff or its applicant."""
    case = _case_lock(case_id)
    _open_case_check(case)
    acting = _participant(case, actor)
    if acting is None or (is_internal and acting.kind != ActorKind.STAFF):
        raise errors.not_allowed()
    if document is None:
        raise errors.required("workflow.document_required", "document", "المرفق", "A document")
    _document_check(document)
    at = clock.now()
    event = _event_append(case, kind=CaseEventKind.ATTACHMENT_ADDED, at=at, actor=actor,
                          acting=acting, data={"internal": is_internal,
                                               "name": getattr(document, "name", "")})
    attachment = _attachment_store(case, document, user=actor, at=at, event_seq=event.seq,
                                   is_internal=is_internal)
    _case_save(case)
    return attachment
