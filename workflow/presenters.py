"""What each audience is shown of a case, defined once: the applicant (and the representatives
of an applicant establishment) and the staff of the holding department. The case pages, the
API and the SMS to the applicant are all built from these, so they cannot tell one audience
different things.

The applicant is never shown who in the municipality holds the case (the assignee, claims,
assignments: a department speaks to them, not a person), the deadline bookkeeping (SLA events,
escalations, step due dates, priority), internal notes and comments, internal documents, nor
superseded versions of documents. A claim or an assignment that carries a message to the
applicant reaches them as a message from the department, and says nothing else.
"""

import datetime as dt
from dataclasses import dataclass, field

from .enums import ActorKind, CaseEventKind
from .models import Case, CaseAttachment, CaseEvent
from .selectors import ActionOption, CaseDetail

# The kind of entry an applicant gets for a claim or an assignment that carries a message.
APPLICANT_MESSAGE = "message"
# What an applicant sees of each kind of event; any other kind is not shown to them.
APPLICANT_EVENT_KINDS = frozenset({
    CaseEventKind.SUBMITTED, CaseEventKind.ROUTED, CaseEventKind.TRANSITION,
    CaseEventKind.TRANSFERRED, CaseEventKind.COMMENTED, CaseEventKind.ATTACHMENT_ADDED})


@dataclass(frozen=True)
class Named:
    code: str
    name_ar: str
    name_en: str


@dataclass(frozen=True)
class NamedState(Named):
    category: str


@dataclass(frozen=True)
class NamedDepartment(Named):
    municipality: str


@dataclass(frozen=True)
class BilingualName:
    name_ar: str
    name_en: str


def _named(obj, code: str | None = None) -> Named | None:
    if obj is None:
        return None
    return Named(code if code is not None else obj.code, obj.name_ar, obj.name_en)


def _department(department) -> NamedDepartment | None:
    if department is None:
        return None
    return NamedDepartment(department.code, department.name_ar, department.name_en,
                           department.municipality.code)


def _state(state) -> NamedState:
    return NamedState(state.code, state.name_ar, state.name_en, state.category)


# --- the applicant's view ------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantEvent:
    seq: int
    at: dt.datetime
    kind: str  # one of APPLICANT_EVENT_KINDS, or APPLICANT_MESSAGE
    by: str  # ActorKind: staff (a department), the applicant, or the system
    department: Named | None  # the department that acted, never a person
    action: Named | None  # the action taken (transitions)
    to_state: Named | None  # the step the action led to (transitions)
    from_department: Named | None  # transfers
    to_department: Named | None  # transfers, routing
    message: str
    document: str  # the document's name (document events)
    document_version: int | None


@dataclass(frozen=True)
class ApplicantDocument:
    id: int
    name: str
    size: int
    uploaded_at: dt.datetime
    version: int


@dataclass(frozen=True)
class ApplicantCaseSummary:
    viewer: str
    id: int
    number: str
    kind: Named
    subject: str
    state: NamedState
    category: str
    submitted_at: dt.datetime
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    row_version: int


@dataclass(frozen=True)
class ApplicantCase(ApplicantCaseSummary):
    description: str
    department: Named | None  # who has it now ("with")
    is_open: bool
    events: list[ApplicantEvent]
    attachments: list[ApplicantDocument]
    actions_available: list[ActionOption]


def applicant_event(event: CaseEvent, transition_labels: dict | None = None,
                    ) -> ApplicantEvent | None:
    """What the applicant is shown of one event, or None when it is not theirs to see."""
    if event.is_internal:
        return None
    kind, message = event.kind, event.message
    if kind not in APPLICANT_EVENT_KINDS:
        if not message:
            return None
        kind = APPLICANT_MESSAGE
    staff = event.actor_kind == ActorKind.STAFF
    action = to_state = from_department = to_department = None
    document, document_version = "", None
    if kind == CaseEventKind.TRANSITION:
        action, to_state = _transition_named(event, transition_labels), _named(event.to_state)
    elif kind == CaseEventKind.ROUTED:
        to_department = _named(event.to_department)
    elif kind == CaseEventKind.TRANSFERRED:
        from_department, to_department = (_named(event.from_department),
                                          _named(event.to_department))
    elif kind == CaseEventKind.ATTACHMENT_ADDED:
        document = str(event.payload.get("name", ""))
        document_version = event.payload.get("version") or 1
    return ApplicantEvent(
        seq=event.seq, at=event.at, kind=kind, by=event.actor_kind,
        department=_named(event.department) if staff else None, action=action,
        to_state=to_state, from_department=from_department, to_department=to_department,
        message=message, document=document, document_version=document_version)


def _applicant_document(attachment: CaseAttachment) -> ApplicantDocument | None:
    if attachment.is_internal or getattr(attachment, "replaced_by", None) is not None:
        return None
    return ApplicantDocument(id=attachment.pk, name=attachment.original_name,
                             size=attachment.size, uploaded_at=attachment.created_at,
                             version=attachment.version)


def _applicant_summary_fields(case: Case) -> dict:
    return {"viewer": ActorKind.APPLICANT.value, "id": case.pk, "number": case.number,
            "kind": _named(case.definition), "subject": case.subject,
            "state": _state(case.state), "category": case.category,
            "submitted_at": case.submitted_at, "due_at": case.due_at,
            "closed_at": case.closed_at, "row_version": case.row_version}


def case_summary_for_applicant(case: Case) -> ApplicantCaseSummary:
    return ApplicantCaseSummary(**_applicant_summary_fields(case))


def case_for_applicant(detail: CaseDetail) -> ApplicantCase:
    """The applicant's case page and API answer. The selector already leaves out what is
    internal; this says it again, so that no future selector change can show it."""
    case = detail.case
    events = [applicant_event(e, detail.transition_labels) for e in detail.events]
    documents = [_applicant_document(a) for a in detail.attachments]
    return ApplicantCase(
        **_applicant_summary_fields(case), description=case.description,
        department=_named(case.department), is_open=case.is_open,
        events=[e for e in events if e is not None],
        attachments=[d for d in documents if d is not None],
        actions_available=list(detail.actions_available))


# --- the staff view ------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffEvent:
    seq: int
    at: dt.datetime
    kind: str
    action: str
    transition: Named | None  # the action's names (transitions)
    actor: str | None  # username
    actor_name: str  # full name, or the username
    actor_kind: str
    actor_role: str
    department: Named | None  # the actor's department
    from_state: Named | None
    to_state: Named | None
    from_department: Named | None
    to_department: Named | None
    assignee: str | None  # username (assignments)
    assignee_name: str
    message: str  # what the applicant was told
    internal_note: str  # staff only
    is_internal: bool  # an internal comment or document
    document: str
    document_version: int | None
    hash: str


@dataclass(frozen=True)
class StaffDocument:
    id: int
    name: str
    size: int
    content_type: str
    is_internal: bool
    uploaded_at: dt.datetime
    sha256: str
    version: int
    replaces: int | None
    replaced_by: int | None


@dataclass(frozen=True)
class StaffCaseSummary:
    viewer: str
    id: int
    number: str
    kind: Named
    subject: str
    municipality: str
    state: NamedState
    category: str
    department: NamedDepartment | None
    assignee: str | None  # username
    priority: str
    sla_status: str
    submitted_at: dt.datetime
    state_due_at: dt.datetime | None
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    row_version: int


@dataclass(frozen=True)
class StaffCase(StaffCaseSummary):
    description: str
    applicant: BilingualName
    assignee_name: str
    is_open: bool
    events: list[StaffEvent]
    attachments: list[StaffDocument]
    actions_available: list[ActionOption]
    can_claim: bool
    can_assign: bool
    can_transfer: bool
    transfer_departments: list[Named] = field(default_factory=list)


def _display_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _transition_named(event: CaseEvent, transition_labels: dict | None) -> Named:
    transition = (transition_labels or {}).get((event.from_state_id, event.action))
    if transition is None:  # a version's action since renamed: its code is all there is
        return Named(event.action, event.action, event.action)
    return _named(transition, event.action)


def _staff_event(event: CaseEvent, users: dict, transition_labels: dict) -> StaffEvent:
    assignee = None
    if event.kind in (CaseEventKind.ASSIGNED, CaseEventKind.CLAIMED):
        assignee = users.get(event.payload.get("assignee"))
        if assignee is None and event.kind == CaseEventKind.CLAIMED:
            assignee = event.actor
    document, document_version = "", None
    if event.kind == CaseEventKind.ATTACHMENT_ADDED:
        document = str(event.payload.get("name", ""))
        document_version = event.payload.get("version") or 1
    return StaffEvent(
        seq=event.seq, at=event.at, kind=event.kind, action=event.action,
        transition=(_transition_named(event, transition_labels)
                    if event.kind == CaseEventKind.TRANSITION else None),
        actor=event.actor.username if event.actor_id else None,
        actor_name=_display_name(event.actor) if event.actor_id else "",
        actor_kind=event.actor_kind, actor_role=event.actor_role,
        department=_named(event.department), from_state=_named(event.from_state),
        to_state=_named(event.to_state), from_department=_named(event.from_department),
        to_department=_named(event.to_department),
        assignee=assignee.username if assignee else None,
        assignee_name=_display_name(assignee), message=event.message,
        internal_note=event.internal_note, is_internal=event.is_internal,
        document=document, document_version=document_version, hash=event.hash)


def _staff_document(attachment: CaseAttachment) -> StaffDocument:
    replaced_by = getattr(attachment, "replaced_by", None)
    return StaffDocument(
        id=attachment.pk, name=attachment.original_name, size=attachment.size,
        content_type=attachment.content_type, is_internal=attachment.is_internal,
        uploaded_at=attachment.created_at, sha256=attachment.sha256,
        version=attachment.version, replaces=attachment.replaces_id,
        replaced_by=replaced_by.pk if replaced_by is not None else None)


def _staff_summary_fields(case: Case) -> dict:
    return {"viewer": ActorKind.STAFF.value, "id": case.pk, "number": case.number,
            "kind": _named(case.definition), "subject": case.subject,
            "municipality": case.municipality.code, "state": _state(case.state),
            "category": case.category, "department": _department(case.department),
            "assignee": case.assignee.username if case.assignee_id else None,
            "priority": case.priority, "sla_status": case.sla_status,
            "submitted_at": case.submitted_at, "state_due_at": case.state_due_at,
            "due_at": case.due_at, "closed_at": case.closed_at,
            "row_version": case.row_version}


def case_summary_for_staff(case: Case) -> StaffCaseSummary:
    return StaffCaseSummary(**_staff_summary_fields(case))


def case_for_staff(detail: CaseDetail) -> StaffCase:
    case = detail.case
    applicant = case.applicant_establishment or case.applicant_person
    return StaffCase(
        **_staff_summary_fields(case), description=case.description,
        applicant=BilingualName(applicant.name_ar, applicant.name_en),
        assignee_name=_display_name(case.assignee) if case.assignee_id else "",
        is_open=case.is_open,
        events=[_staff_event(e, detail.assignees_named, detail.transition_labels)
                for e in detail.events],
        attachments=[_staff_document(a) for a in detail.attachments],
        actions_available=list(detail.actions_available), can_claim=detail.can_claim,
        can_assign=detail.can_assign, can_transfer=detail.can_transfer,
        transfer_departments=[_named(d) for d in detail.transfer_departments])


# --- by audience ---------------------------------------------------------------------------


def case_present(detail: CaseDetail) -> ApplicantCase | StaffCase:
    """The case as the viewer the selector found is to see it."""
    return case_for_staff(detail) if detail.is_staff_view else case_for_applicant(detail)


def case_summary_present(case: Case, *, staff: bool) -> ApplicantCaseSummary | StaffCaseSummary:
    return case_summary_for_staff(case) if staff else case_summary_for_applicant(case)
