"""The public services of the workflow engine: every change of a case goes through one of
these. Each locks the case, checks, writes the change and one event in the same transaction,
and schedules side effects for after the commit (see steps.py for the shared machinery)."""

import datetime as dt
import logging

from django.db import transaction

from amanah import clock
from amanah.counter import COUNTER_FILE_ROLES, counter_department, counter_refused
from amanah.dates import business_date, hijri_year
from amanah.dispatch import task_on_commit
from amanah.errors import Conflict, DomainError, PermissionDenied
from amanah.models import ACTIVE_DEPARTMENTS, Establishment, Municipality, Person, StaffMembership
from amanah.permissions import person_for_user, staff_memberships
from amanah.process_cache import CONFIGURATION

from ..enums import (
    ACTOR_APPLICANT,
    ACTOR_SYSTEM,
    ActorKind,
    CaseChannel,
    CaseEventKind,
    CasePriority,
    StatusCategory,
)
from ..models import Case, CaseAttachment, CaseComment, CaseCounter, Transition
from ..notify import case_applicant_notify
from ..working_time import sla_due_at
from . import errors
from .acting import (
    ASSIGN_ROLES,
    CLAIM_ROLES,
    TRANSFER_ROLES,
    ActingAs,
    acting_as,
    participant,
    staff_acting,
    staff_roles_in,
)
from .definitions import (
    definition_is_offered_online,
    definition_resolve,
    definition_start_check,
    department_resolve,
    frozen_version_get,
    transitions_from,
)
from .documents import attachment_store, attachment_to_replace, document_check
from .steps import (
    applicant_message_send,
    case_event_append,
    case_lock,
    case_open_check,
    case_save,
    case_step_take,
    guards_check,
    step_clock,
    step_department,
    transition_find,
)

logger = logging.getLogger(__name__)


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


def _counter_desk(clerk, *, municipality: Municipality, applicant_person: Person | None):
    """(department, role) in which `clerk` files at `municipality`'s counter, or a refusal."""
    if not getattr(clerk, "is_authenticated", False) or applicant_person is None:
        raise DomainError("workflow.counter_applicant_required",
                          "يقدم الموظف الطلب في الكاونتر باسم مواطن محدد.",
                          "A counter filing is made by a clerk for a given citizen.",
                          field="applicant")
    desk = counter_department(clerk, municipality=municipality, roles=COUNTER_FILE_ROLES)
    if desk is None:
        raise counter_refused()
    return desk


def _submitted_payload(*, documents: int, channel: str) -> dict | None:
    payload = {}
    if documents:
        payload["documents"] = documents
    if channel != CaseChannel.ONLINE:
        payload["channel"] = channel
    return payload or None


@CONFIGURATION.pinned()
@transaction.atomic
def case_submit(*, kind: str, municipality: Municipality, subject: str, submitted_by=None,
                applicant_person: Person | None = None,
                applicant_establishment: Establishment | None = None,
                description: str = "", priority: str = CasePriority.NORMAL,
                documents: tuple | list = (), channel: str = CaseChannel.ONLINE) -> Case:
    """Open a numbered case on the published version of `kind`; routing follows after commit.

    `channel` COUNTER: a clerk (`submitted_by`) files for a walk-in applicant, who must then be
    given; the event records the channel, so the audit trail says who filed it and where."""
    subject = (subject or "").strip()
    if not subject:
        raise errors.required("workflow.subject_required", "subject", "الموضوع", "The subject")
    if channel not in CaseChannel.values:
        raise DomainError("workflow.channel_invalid", "قناة التقديم غير صحيحة.",
                          "Unknown filing channel.", field="channel")
    if priority not in CasePriority.values:
        raise DomainError("workflow.priority_invalid", "الأولوية غير صحيحة.",
                          "Unknown priority.", field="priority")
    counter_desk = (_counter_desk(submitted_by, municipality=municipality,
                                  applicant_person=applicant_person)
                    if channel == CaseChannel.COUNTER else None)
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
    checked = [document_check(document) for document in documents]
    version = definition_resolve(code=kind, municipality=municipality)
    # At the counter the pilot is the applicant's to qualify for, not the clerk's: a clerk
    # files only what the citizen could have filed online where they live.
    definition_start_check(definition=version.definition, municipality=municipality,
                           user=None if counter_desk else submitted_by, person=applicant_person)
    start = version.states.filter(is_start=True).first()
    if start is None:
        raise DomainError("workflow.definition_broken", "تعريف المعاملة غير مكتمل.",
                          "The transaction's definition has no start state.")

    at = clock.now()
    if counter_desk is not None:
        # The clerk acts as staff of the counter's department, even if they also have a Person.
        department, role = counter_desk
        acting = ActingAs(ActorKind.STAFF, role, department.pk)
    elif submitter_person or submitted_by is None:
        acting = ActingAs(ActorKind.APPLICANT, ACTOR_APPLICANT, None)
    else:
        acting = staff_acting(submitted_by, None)
    prefix = version.definition.case_prefix or municipality.code
    # The case is created in its start step: creating is the only other place a step is set.
    case = Case(
        number=_case_number_next(municipality, prefix, at), municipality=municipality,
        definition=version.definition, version=version, subject=subject[:300],
        description=description or "", applicant_person=applicant_person,
        applicant_establishment=applicant_establishment,
        submitted_by=submitted_by if getattr(submitted_by, "pk", None) else None,
        priority=priority, channel=channel, submitted_at=at, state=start, category=start.category,
        state_entered_at=at,
        due_at=sla_due_at(at, version.sla_hours) if version.sla_hours else None)
    case.department = step_department(case, start)
    for name, value in step_clock(start, at).items():
        setattr(case, name, value)
    # The first link is made before the insert (it is keyed by the case number), so the case
    # row is written once, with its chain head.
    event = case_event_append(case, kind=CaseEventKind.SUBMITTED, at=at, actor=case.submitted_by,
                              acting=acting, to_state=start, to_department=case.department,
                              to_status=start.category,
                              payload=_submitted_payload(documents=len(documents),
                                                         channel=channel))
    case.save()
    event.case = case
    event.save()
    for upload in checked:
        attachment_store(case, upload, user=case.submitted_by, at=at, event_seq=event.seq)
    # Routing is a task; if it is lost (broker down) `case_route_sweep` routes the case.
    task_on_commit("workflow.case_route", case_id=case.pk)
    # "We received your transaction" is for what a citizen files (online or at a counter) on
    # the workflow's own e-services. A procedure another app opens for its own record (a
    # permit's review, a fine's internal approval) is that app's to announce: its applicant
    # must not learn of an internal step, such as a fine awaiting approval, from us.
    if definition_is_offered_online(version.definition):
        case_applicant_notify(case=case, event=event)
    return case



# One read of the configuration's token for the departments and the calendar.
@CONFIGURATION.pinned()
@transaction.atomic
def case_route(*, case_id: int) -> Case:
    """Send a submitted case to its first queue: the first system transition out of the start
    state whose guards pass, or the start state's own department. Once only."""
    # The lock reads the case row alone: its step comes from the process's copy of the frozen
    # version, its municipality and department from the copy of the active departments.
    case = case_lock(case_id, nowait=False, related=None)
    # Attached as the loaded related objects (the ids stay as read): nothing changes here.
    frozen = frozen_version_get(version_id=case.version_id)
    if frozen is not None:
        Case._meta.get_field("state").set_cached_value(case, frozen.states[case.state_id])
    active = ACTIVE_DEPARTMENTS.get()
    municipality = active.municipalities.get(case.municipality_id)
    if municipality is not None:
        Case._meta.get_field("municipality").set_cached_value(case, municipality)
    department = active.by_id.get(case.department_id)
    if department is not None:
        Case._meta.get_field("department").set_cached_value(case, department)
    # Withdrawn before the task ran, or already routed (the task ran twice): nothing to do.
    if case.routed_at is not None or not case.is_open:
        return case
    at = clock.now()
    for transition in transitions_from(version_id=case.version_id, state_id=case.state_id):
        if ACTOR_SYSTEM not in transition.allowed_roles:
            continue
        try:
            guards_check(case, transition, None)
        except DomainError:
            continue
        case.routed_at = at
        case_step_take(case, transition, user=None, acting=acting_as(case, transition, None),
                       comment="", document=None, kind=CaseEventKind.ROUTED)
        return case
    case.routed_at = at
    event = case_event_append(case, kind=CaseEventKind.ROUTED, at=at, from_state=case.state,
                              to_state=case.state, to_department=case.department, save=False)
    case_save(case, event=event)
    return case


# A submitted case still unrouted after this long lost its routing task (broker down when it
# was submitted, worker killed): the sweeper routes it.
ROUTE_SWEEP_AFTER = dt.timedelta(seconds=60)


def case_route_sweep(*, limit: int = 500) -> int:
    """Periodic: route the open cases whose routing task never ran. Returns how many."""
    due = clock.now() - ROUTE_SWEEP_AFTER
    ids = list(Case.objects.filter(routed_at__isnull=True, submitted_at__lte=due)
               .exclude(category__in=StatusCategory.terminal())
               .order_by("submitted_at", "pk").values_list("pk", flat=True)[:limit])
    routed = 0
    for case_id in ids:
        try:
            case_route(case_id=case_id)
        except DomainError as refusal:  # busy or broken: the next sweep tries again
            logger.warning("case %s not routed by the sweep: %s", case_id, refusal.code)
            continue
        routed += 1
    return routed


@transaction.atomic
def case_transition(*, case_id: int, action: str, actor, comment: str = "", document=None,
                    expected_version: int | None = None, internal_note: str = "") -> Case:
    """Take `action` on the case: only from the state it is in, only by whom the definition
    allows, only when its guards pass. `comment` is shown to the applicant (and sent by SMS
    when staff write it); staff may add an `internal_note` seen by staff only.

    For people and for workflow's own tasks. Another app must not call it inside its own
    transaction to move a case because of what it recorded (a fee paid): the case may be
    locked by a clerk right then. It asks with `case_move_request` instead (see moves.py),
    and the move is made after its commit."""
    case = case_lock(case_id, expected_version=expected_version)
    transition = transition_find(case, action)
    acting = acting_as(case, transition, actor)
    if acting is None:
        raise errors.not_allowed()
    case_step_take(case, transition, user=actor, acting=acting, comment=comment,
                   document=document, internal_note=internal_note)
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
                             expected_version: int | None = None,
                             internal_note: str = "") -> Case:
    """Send the case back to the applicant for correction, with what to fix (`comment`, which
    they are shown and sent), and perhaps a note for colleagues."""
    case = case_lock(case_id, expected_version=expected_version)
    if not (comment or "").strip():
        raise errors.required("workflow.comment_required", "comment", "التعليق", "A comment")
    transition, acting = _category_transition(
        case, actor, to_categories={StatusCategory.AWAITING_APPLICANT}, from_category=None,
        code="workflow.return_not_available",
        ar="لا يمكن إعادة المعاملة لمقدمها في حالتها الحالية.",
        en="The transaction cannot be returned to the applicant in its current state.")
    case_step_take(case, transition, user=actor, acting=acting, comment=comment,
                   document=None, internal_note=internal_note)
    return case


@transaction.atomic
def case_resume(*, case_id: int, actor, comment: str = "", document=None,
                expected_version: int | None = None) -> Case:
    """The applicant sends the corrected case back to the department that returned it
    (see `_resume_holder` for why that one)."""
    case = case_lock(case_id, expected_version=expected_version)
    transition, acting = _category_transition(
        case, actor, to_categories=set(StatusCategory.values) - {
            StatusCategory.CANCELLED, StatusCategory.AWAITING_APPLICANT},
        from_category=StatusCategory.AWAITING_APPLICANT, code="workflow.resume_not_available",
        ar="المعاملة ليست بانتظار استكمال من مقدمها.",
        en="The transaction is not waiting for the applicant.")
    case_step_take(case, transition, user=actor, acting=acting, comment=comment,
                      document=document)
    return case


@transaction.atomic
def case_cancel(*, case_id: int, actor, comment: str = "",
                expected_version: int | None = None) -> Case:
    """The applicant withdraws the case, in the states where the definition lets them."""
    case = case_lock(case_id, expected_version=expected_version)
    transition, acting = _category_transition(
        case, actor, to_categories={StatusCategory.CANCELLED}, from_category=None,
        code="workflow.cancel_not_available",
        ar="لا يمكن إلغاء المعاملة في حالتها الحالية.",
        en="The transaction can no longer be cancelled.")
    case_step_take(case, transition, user=actor, acting=acting, comment=comment,
                      document=None)
    return case


@transaction.atomic
def case_claim(*, case_id: int, actor, expected_version: int | None = None,
               internal_note: str = "", message: str = "") -> Case:
    """A member of the holding department takes an unassigned case from the queue, perhaps
    with a note for colleagues and a message to the applicant (who is not told who took it)."""
    case = case_lock(case_id, expected_version=expected_version)
    case_open_check(case)
    roles = staff_roles_in(actor, case.department_id) & CLAIM_ROLES
    if not roles:
        raise errors.not_allowed()
    if case.assignee_id == actor.pk:
        return case
    if case.assignee_id is not None:
        raise Conflict("workflow.already_claimed", "استلم موظف آخر هذه المعاملة.",
                       "Another member of staff has already claimed this transaction.")
    case.assignee = actor
    event = case_event_append(
        case, kind=CaseEventKind.CLAIMED, at=clock.now(), actor=actor,
        acting=ActingAs(ActorKind.STAFF, sorted(roles)[0], case.department_id),
        payload={"assignee": actor.pk}, internal_note=(internal_note or "").strip(),
        message=(message or "").strip())
    case_save(case)
    applicant_message_send(event)
    return case


@transaction.atomic
def case_assign(*, case_id: int, actor, assignee, expected_version: int | None = None,
                internal_note: str = "", message: str = "") -> Case:
    """The department head gives the case to a member of the department (or nobody), perhaps
    with a note for colleagues and a message to the applicant (who is not told to whom)."""
    case = case_lock(case_id, expected_version=expected_version)
    case_open_check(case)
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
    event = case_event_append(
        case, kind=CaseEventKind.ASSIGNED, at=clock.now(), actor=actor,
        acting=ActingAs(ActorKind.STAFF, sorted(roles)[0], case.department_id),
        payload={"assignee": assignee.pk if assignee else None},
        internal_note=(internal_note or "").strip(), message=(message or "").strip())
    case_save(case)
    applicant_message_send(event)
    return case


@transaction.atomic
def case_transfer(*, case_id: int, actor, department_code: str, note: str,
                  expected_version: int | None = None, message: str = "") -> Case:
    """Refer (إحالة) the case to another department, where its current step allows, with a note
    for colleagues (staff only) and perhaps a message to the applicant.
    The step and its clock stay: a transfer does not buy the case more time."""
    case = case_lock(case_id, expected_version=expected_version)
    case_open_check(case)
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
    event = case_event_append(
        case, kind=CaseEventKind.TRANSFERRED, at=clock.now(), actor=actor,
        acting=ActingAs(ActorKind.STAFF, sorted(roles)[0], source.pk), action="transfer",
        from_state=case.state, to_state=case.state, from_department=source,
        to_department=target, internal_note=note, message=(message or "").strip())
    case_save(case)
    applicant_message_send(event)
    return case


@transaction.atomic
def case_comment_add(*, case_id: int, actor, body: str, is_internal: bool = False) -> CaseComment:
    """A note by the holding department's staff or the applicant; internal notes are staff-only."""
    case = case_lock(case_id)
    acting = participant(case, actor)
    if acting is None or (is_internal and acting.kind != ActorKind.STAFF):
        raise errors.not_allowed()
    body = (body or "").strip()
    if not body:
        raise errors.required("workflow.comment_required", "body", "نص التعليق", "The comment")
    at = clock.now()
    comment = CaseComment.objects.create(case=case, author=actor, body=body,
                                         is_internal=is_internal, created_at=at)
    case_event_append(case, kind=CaseEventKind.COMMENTED, at=at, actor=actor, acting=acting,
                  reason=body, payload={"internal": is_internal})
    case_save(case)
    return comment


@transaction.atomic
def case_attachment_add(*, case_id: int, actor, document, is_internal: bool = False,
                        replaces_id: int | None = None) -> CaseAttachment:
    """A document added to an open case by its department's staff or its applicant. With
    `replaces_id` it is a corrected version of that document, which is kept as it was."""
    case = case_lock(case_id)
    case_open_check(case)
    acting = participant(case, actor)
    if acting is None or (is_internal and acting.kind != ActorKind.STAFF):
        raise errors.not_allowed()
    replaced = (attachment_to_replace(case, replaces_id, viewer_kind=acting.kind)
                if replaces_id is not None else None)
    if document is None:
        raise errors.required("workflow.document_required", "document", "المرفق", "A document")
    checked = document_check(document)
    if replaced is not None:
        # A correction is seen by whoever saw the document it corrects.
        is_internal = replaced.is_internal
    at = clock.now()
    data = {"internal": is_internal, "name": checked.display_name, "sha256": checked.sha256}
    if replaced is not None:
        data.update(replaces=replaced.pk, version=replaced.version + 1)
    event = case_event_append(case, kind=CaseEventKind.ATTACHMENT_ADDED, at=at, actor=actor,
                              acting=acting, payload=data)
    attachment = attachment_store(case, checked, user=actor, at=at, event_seq=event.seq,
                                  is_internal=is_internal, replaces=replaced)
    case_save(case)
    return attachment
