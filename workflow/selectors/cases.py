"""A case as its viewers see it: the lists, the case page (timeline, documents, what the user
may do now) and the documents' downloads."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, QuerySet, Subquery

from amanah.errors import NotFound
from amanah.models import Department, StaffMembership
from amanah.permissions import is_admin, is_staff_member, person_for_user
from amanah.selectors import eservice_list_startable

from ..enums import ActorKind, CaseChannel, CaseEventKind
from ..models import (
    QUEUE_ORDER,
    Case,
    CaseAttachment,
    CaseComment,
    CaseEvent,
    DefinitionVersion,
    Transition,
)
from ..services import errors
from ..services.acting import (
    ASSIGN_ROLES,
    CLAIM_ROLES,
    TRANSFER_ROLES,
    acting_as,
    staff_roles_in,
    user_is_applicant,
)
from ..services.definitions import (
    definition_is_offered_online,
    definitions_published_for,
    department_resolve,
)
from ..services.documents import attachment_may_replace
from ..services.steps import guard_refusal
from ._common import CASE_RELATED, case_filter, staff_department_ids, worked_on_by

# Events an applicant never sees on their timeline: internal notes and staff-only documents.
# has_key first: on PostgreSQL a missing key compares as NULL, and NOT (NULL) would hide
# every ordinary event from the applicant.
_INTERNAL = Q(payload__has_key="internal") & Q(payload__internal=True)


def case_list_for_staff(*, user, department_id: int | None = None) -> QuerySet[Case]:
    """Open and closed cases held by the user's departments (one of them, if given), in the
    queue's order: for one department that is case_department_queue_idx's order."""
    department_ids = staff_department_ids(user)
    if department_id is not None:
        department_ids &= {department_id}
    return (Case.objects.filter(department_id__in=department_ids)
            .select_related(*CASE_RELATED)
            .order_by(*QUEUE_ORDER))


def caller_is_staff(*, user) -> bool:
    """Whether the API's case list answers `user` as staff (their departments' cases, shown
    as staff see them) rather than as an applicant (their own)."""
    return is_staff_member(user)


def case_list_for_caller(*, user, department_id: int | None = None, scope: str | None = None,
                         category: str | None = None, sla_status: str | None = None,
                         kind: str | None = None) -> QuerySet[Case]:
    """The API's case list: a staff member's departments' cases (one department's, if given;
    `scope` mine or unassigned), anyone else's own cases; either by category, SLA status and
    kind when given."""
    if caller_is_staff(user=user):
        cases = case_filter(case_list_for_staff(user=user, department_id=department_id),
                            user=user, scope=scope)
    else:
        cases = case_list_for_applicant(user=user)
    return case_filter(cases, user=user, category=category, sla_status=sla_status, kind=kind)


def case_kind_list_startable(*, user) -> list[DefinitionVersion]:
    """The kinds the signed-in person may submit on the portal's form where they live: published
    there (or at the Amanah), offered online, and open to them by the e-service's rollout.
    Three queries (the person, the published versions, the rollouts)."""
    person = person_for_user(user)
    if person is None:
        return []
    return _kinds_startable(person=person, user=user)


def case_kind_list_startable_at_counter(*, person) -> list[DefinitionVersion]:
    """The kinds a clerk may file at the counter for `person`: exactly those the person could
    submit online where they live (the pilot is theirs to qualify for, not the clerk's). Two
    queries."""
    return _kinds_startable(person=person, user=None)


def _kinds_startable(*, person, user) -> list[DefinitionVersion]:
    if person.municipality is None:
        return []
    versions = definitions_published_for(municipality=person.municipality)
    offers = {offer.eservice.pk: offer.eservice for offer in eservice_list_startable(
        municipality=person.municipality, user=user, person=person)}
    startable = []
    for version in versions:
        definition = version.definition
        if definition.eservice_id in offers:
            definition.eservice = offers[definition.eservice_id]
            if definition_is_offered_online(definition):
                startable.append(version)
    return startable


def case_list_for_applicant(*, user) -> QuerySet[Case]:
    """The user's own transactions, newest first: submitted by them or in their name."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    person = person_for_user(user)
    # What a clerk filed at the counter is the applicant's, not the clerk's own.
    mine = Q(submitted_by_id=user.pk) & ~Q(channel=CaseChannel.COUNTER)
    if person is not None:
        # The establishments' ids are read first (one small query): a join or a subquery
        # inside the OR would make PostgreSQL scan every case, where three plain conditions
        # on indexed columns are read through their indexes (a BitmapOr) at any table size.
        establishment_ids = list(person.establishments.values_list("pk", flat=True))
        mine |= Q(applicant_person_id=person.pk) | Q(
            applicant_establishment_id__in=establishment_ids)
    return (Case.objects.filter(mine).select_related(*CASE_RELATED)
            .order_by("-submitted_at", "-id"))


@dataclass(frozen=True)
class ActionOption:
    action: str
    name_ar: str
    name_en: str
    to_category: str
    comment_required: bool
    document_required: bool
    # False when a guard refuses the action right now; the page shows it greyed out with
    # the guard's reason, so staff know what is missing instead of meeting a refusal.
    enabled: bool = True
    disabled_code: str = ""
    disabled_reason_ar: str = ""
    disabled_reason_en: str = ""

    def disabled_reason(self, language: str = "ar") -> str:
        return self.disabled_reason_en if language.startswith("en") else self.disabled_reason_ar

    def name(self, language: str = "ar") -> str:
        return self.name_en if language.startswith("en") else self.name_ar


@dataclass
class CaseDetail:
    case: Case
    viewer_kind: str  # ActorKind.STAFF or ActorKind.APPLICANT
    events: list[CaseEvent]
    # Staff see every version of every document (an old one's `replaced_by` names its
    # correction); the applicant sees the current version of each document they may see.
    attachments: list[CaseAttachment]
    comments: list[CaseComment]
    actions_available: list[ActionOption]
    can_claim: bool = False
    can_assign: bool = False
    can_transfer: bool = False
    transfer_departments: list[Department] = field(default_factory=list)
    assignable_users: list = field(default_factory=list)
    # For the timeline in words: the version's transitions by (from state, action), and the
    # people named by assignment events (staff view only).
    transition_labels: dict = field(default_factory=dict)
    assignees_named: dict = field(default_factory=dict)
    # The current documents this user may upload a corrected version of.
    attachments_replaceable: list[CaseAttachment] = field(default_factory=list)
    # A timeline in pages (case_get_for_user's timeline_limit): the `timeline_before` asked
    # for (None: the latest entries) and the seq to ask for to see the entries before these
    # (None: these are the first).
    timeline_before: int | None = None
    timeline_older_before: int | None = None
    # Staff of a department that worked on the case before: they read it, and nothing more.
    is_read_only: bool = False

    @property
    def is_staff_view(self) -> bool:
        return self.viewer_kind == ActorKind.STAFF


def _case_for_user(case_id: int, user) -> tuple[Case, str, bool]:
    """The case, how the user sees it, and whether only to read it; NotFound alike for a
    missing case and a forbidden one.

    Staff of a department that worked on the case before (it was routed or transferred away)
    read it as staff do, and may do nothing on it: the services refuse them, since they hold
    no role in the holding department. That costs one query, only for such a reader."""
    case = Case.objects.select_related(*CASE_RELATED, "version", "submitted_by").filter(
        pk=case_id).first()
    if case is None or not getattr(user, "is_authenticated", False):
        raise errors.case_not_found()
    if staff_roles_in(user, case.department_id) or is_admin(user):
        return case, ActorKind.STAFF, False
    if user_is_applicant(case, user):
        return case, ActorKind.APPLICANT, False
    department_ids = staff_department_ids(user)
    if department_ids and Case.objects.filter(pk=case.pk).filter(
            worked_on_by(department_ids)).exists():
        return case, ActorKind.STAFF, True
    raise errors.case_not_found()


def case_get_visible(*, case_id: int, user, include_read_only: bool = True) -> Case:
    """The case if the user may see it (staff of its department, its applicant, or, unless
    `include_read_only` is False, staff of a department that worked on it); else the same
    NotFound as for a case that does not exist."""
    case, _viewer, read_only = _case_for_user(case_id, user)
    if read_only and not include_read_only:
        raise errors.case_not_found()
    return case


TIMELINE_PAGE_SIZE = 50


def case_get_for_user(*, case_id: int, user, timeline_limit: int | None = None,
                      timeline_before: int | None = None) -> CaseDetail:
    """The case page: timeline, documents, and what this user may do with it right now.

    With `timeline_limit`, the timeline is the latest `timeline_limit` events before seq
    `timeline_before` (or the very latest), oldest first, and `comments` those made while
    they happened: a case with a thousand comments costs what one with fifty does, read
    through the (case, seq) unique index. Without it, the whole history (the API's detail).

    Each action the user's role allows is also put to its guards (cheap functions from the
    registry; the built-in ones cost at most one query per guarded action, and a definition
    has a handful of actions per state). An action a guard refuses is listed disabled with
    the guard's reason rather than hidden: "attach the report first" tells staff what to do.
    The guards run again, with the case locked, when the action is taken.
    """
    case, viewer, read_only = _case_for_user(case_id, user)
    staff = viewer == ActorKind.STAFF
    events = CaseEvent.objects.filter(case=case).select_related(
        "actor", "from_state", "to_state", "department", "from_department", "to_department")
    # Who added each document is read with it, not from the timeline's events: the event
    # may be on an older page of the timeline.
    attachments = (CaseAttachment.objects.filter(case=case)
                   .select_related("uploaded_by", "replaced_by")
                   .annotate(uploaded_as_kind=Subquery(
                       CaseEvent.objects.filter(case_id=OuterRef("case_id"),
                                                seq=OuterRef("event_seq"))
                       .values("actor_kind")[:1])))
    comments = CaseComment.objects.filter(case=case).select_related("author")
    if not staff:
        events, attachments, comments = (events.exclude(_INTERNAL),
                                         attachments.filter(is_internal=False,
                                                            replaced_by__isnull=True),
                                         comments.filter(is_internal=False))
    older_before = None
    if timeline_limit is None:
        event_list, comment_list = list(events.order_by("seq")), list(comments)
    else:
        if timeline_before is not None:
            events = events.filter(seq__lt=timeline_before)
        newest = list(events.order_by("-seq")[:timeline_limit + 1])
        event_list = newest[:timeline_limit][::-1]
        if len(newest) > timeline_limit:
            older_before = event_list[0].seq
            comments = comments.filter(created_at__gte=event_list[0].at)
        if timeline_before is not None:
            comments = comments.filter(created_at__lte=event_list[-1].at) if event_list \
                else comments.none()
        comment_list = list(comments)
    detail = CaseDetail(case=case, viewer_kind=viewer, events=event_list,
                        attachments=list(attachments), comments=comment_list,
                        actions_available=[], timeline_before=timeline_before,
                        timeline_older_before=older_before, is_read_only=read_only)
    transitions = list(Transition.objects.filter(version_id=case.version_id)
                       .select_related("to_state").order_by("position", "id"))
    detail.transition_labels = {(t.from_state_id, t.action): t for t in transitions}
    assignee_ids = {e.payload.get("assignee") for e in detail.events
                    if e.kind == CaseEventKind.ASSIGNED and e.payload.get("assignee")}
    if staff and assignee_ids:
        detail.assignees_named = {u.pk: u for u in get_user_model().objects.filter(
            pk__in=assignee_ids)}
    if not case.is_open or read_only:
        return detail
    is_applicant = viewer == ActorKind.APPLICANT or user_is_applicant(case, user)
    for transition in (t for t in transitions if t.from_state_id == case.state_id):
        if acting_as(case, transition, user, is_applicant=is_applicant) is not None:
            refusal = guard_refusal(case, transition, user)
            detail.actions_available.append(ActionOption(
                transition.action, transition.name_ar, transition.name_en,
                transition.to_state.category, transition.comment_required,
                transition.document_required, enabled=refusal is None,
                disabled_code=refusal.code if refusal else "",
                disabled_reason_ar=refusal.message_ar if refusal else "",
                disabled_reason_en=refusal.message_en if refusal else ""))
    roles = staff_roles_in(user, case.department_id)
    if roles or not staff:
        viewer_kind = ActorKind.STAFF if roles else ActorKind.APPLICANT
        detail.attachments_replaceable = [
            a for a in detail.attachments if getattr(a, "replaced_by", None) is None
            and attachment_may_replace(a, viewer_kind=viewer_kind,
                                       uploaded_as=a.uploaded_as_kind)]
    detail.can_claim = bool(roles & CLAIM_ROLES) and case.assignee_id is None
    detail.can_assign = bool(roles & ASSIGN_ROLES)
    codes = case.state.transfer_department_codes or []
    if roles & TRANSFER_ROLES and codes:
        for code in codes:
            department = department_resolve(code=code, municipality=case.municipality)
            if department is not None and department.pk != case.department_id:
                detail.transfer_departments.append(department)
        detail.can_transfer = bool(detail.transfer_departments)
    if detail.can_assign:
        detail.assignable_users = sorted(
            {m.user for m in StaffMembership.objects.filter(
                department_id=case.department_id, is_active=True).select_related("user")},
            key=lambda u: u.username)
    return detail


def attachment_get_for_user(*, attachment_id: int, user) -> CaseAttachment:
    """A document the user may download: staff of the holding department, or of one that
    worked on the case (every version), or the applicant for the current version of documents
    that are not internal. Anything else looks like it does not exist."""
    attachment = (CaseAttachment.objects.select_related("case", "replaced_by")
                  .filter(pk=attachment_id).first())
    if attachment is None or not getattr(user, "is_authenticated", False):
        raise _attachment_not_found()
    case = attachment.case
    if staff_roles_in(user, case.department_id) or is_admin(user):
        return attachment
    department_ids = staff_department_ids(user)
    if department_ids and Case.objects.filter(pk=case.pk).filter(
            worked_on_by(department_ids)).exists():
        return attachment
    if (not attachment.is_internal and getattr(attachment, "replaced_by", None) is None
            and user_is_applicant(case, user)):
        return attachment
    raise _attachment_not_found()


def _attachment_not_found() -> NotFound:
    return NotFound("workflow.attachment_not_found", "لم يتم العثور على المرفق.",
                    "Document not found.")


def case_get_filed_at_counter(*, case_id: int, clerk) -> Case:
    """A case as its counter clerk sees it right after filing (its number to hand over): only
    the clerk who filed it. NotFound alike for any other. One query."""
    case = (Case.objects.select_related("definition", "applicant_person", "municipality")
            .filter(pk=case_id, channel=CaseChannel.COUNTER,
                    submitted_by_id=getattr(clerk, "pk", None)).first())
    if case is None:
        raise errors.case_not_found()
    return case
