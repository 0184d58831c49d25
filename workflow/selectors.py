"""Reads of the workflow engine, each with a fixed number of queries whatever the data size."""

import datetime as dt
import hmac
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet

from amanah import clock
from amanah.dates import RIYADH
from amanah.errors import NotFound
from amanah.identity import digits_normalise
from amanah.models import Department, Municipality, StaffMembership
from amanah.permissions import is_admin, is_staff_member, person_for_user, staff_memberships
from amanah.selectors import eservice_list_startable

from . import working_time
from .enums import ActorKind, CaseEventKind, SlaStatus, StatusCategory, VersionStatus
from .models import (
    Case,
    CaseAttachment,
    CaseComment,
    CaseEvent,
    DefinitionVersion,
    State,
    Transition,
    WorkflowDefinition,
)
from .services import errors
from .services.acting import (
    ASSIGN_ROLES,
    CLAIM_ROLES,
    TRANSFER_ROLES,
    acting_as,
    staff_roles_in,
    user_is_applicant,
)
from .services.definitions import (
    definition_is_offered_online,
    definitions_published_for,
    department_resolve,
)
from .services.documents import attachment_may_replace, attachment_uploaded_as
from .services.steps import guard_refusal

__all__ = [
    "ActionOption",
    "CaseDetail",
    "PublicStatus",
    "attachment_get_for_user",
    "case_get_for_user",
    "case_get_visible",
    "case_kind_list_startable",
    "case_list_for_applicant",
    "case_list_for_caller",
    "case_list_for_staff",
    "case_queue_for_department",
    "case_status_public",
    "definitions_published_for",
    "procedure_analytics",
]

QUEUE_SCOPES = ("all", "mine", "unassigned")
_CASE_RELATED = ("state", "definition", "department__municipality", "assignee",
                 "applicant_person", "applicant_establishment", "municipality")
# Events an applicant never sees on their timeline: internal notes and staff-only documents.
# has_key first: on PostgreSQL a missing key compares as NULL, and NOT (NULL) would hide
# every ordinary event from the applicant.
_INTERNAL = Q(payload__has_key="internal") & Q(payload__internal=True)


def _staff_department_ids(user) -> set[int]:
    return {m.department_id for m in staff_memberships(user)}


def case_queue_for_department(*, department: Department, user, scope: str = "all",
                              state_code: str | None = None, category: str | None = None,
                              sla_status: str | None = None, assignee_id: int | None = None,
                              kind: str | None = None, include_closed: bool = False,
                              page: int = 1, per_page: int = 25) -> Page:
    """A department's queue, soonest step deadline first (cases with none last). Members only."""
    if department.pk not in _staff_department_ids(user) and not is_admin(user):
        raise NotFound("workflow.queue_not_found", "لا يمكنك الاطلاع على هذه القائمة.",
                       "You cannot see this queue.")
    queryset = Case.objects.filter(department=department).select_related(*_CASE_RELATED)
    if not include_closed:
        queryset = queryset.exclude(category__in=StatusCategory.terminal())
    queryset = _case_filter(queryset, user=user, scope=scope, state_code=state_code,
                            category=category, sla_status=sla_status, assignee_id=assignee_id,
                            kind=kind)
    queryset = queryset.order_by(F("state_due_at").asc(nulls_last=True), "submitted_at", "id")
    return Paginator(queryset, max(1, min(per_page, 200))).get_page(page)


def _case_filter(queryset: QuerySet[Case], *, user, scope: str | None = None,
                 state_code: str | None = None, category: str | None = None,
                 sla_status: str | None = None, assignee_id: int | None = None,
                 kind: str | None = None) -> QuerySet[Case]:
    """The filters a queue and the case list share; an empty one filters nothing."""
    if scope == "mine":
        queryset = queryset.filter(assignee_id=user.pk)
    elif scope == "unassigned":
        queryset = queryset.filter(assignee__isnull=True)
    if state_code:
        queryset = queryset.filter(state__code=state_code)
    if category:
        queryset = queryset.filter(category=category)
    if sla_status:
        queryset = queryset.filter(sla_status=sla_status)
    if assignee_id:
        queryset = queryset.filter(assignee_id=assignee_id)
    if kind:
        queryset = queryset.filter(definition__code=kind)
    return queryset


def department_get(*, department_id: int) -> Department | None:
    return Department.objects.select_related("municipality").filter(pk=department_id).first()


@dataclass(frozen=True)
class QueueChoices:
    """What the queue's filters offer: (code, name_ar, name_en) of states and kinds, and the
    department's people as (user id, name)."""

    states: list[tuple[str, str, str]]
    kinds: list[tuple[str, str, str]]
    assignees: list[tuple[int, str]]


def queue_filter_choices(*, department: Department) -> QueueChoices:
    """Three queries whatever the size of the queue."""
    states = list(State.objects.filter(version__status=VersionStatus.PUBLISHED)
                  .values_list("code", "name_ar", "name_en").order_by("code").distinct())
    kinds = list(WorkflowDefinition.objects.values_list("code", "name_ar", "name_en")
                 .order_by("code").distinct())
    assignees = sorted({(m.user_id, m.user.get_full_name() or m.user.username)
                        for m in department.memberships.filter(is_active=True)
                        .select_related("user")}, key=lambda pair: pair[1])
    return QueueChoices(states=states, kinds=kinds, assignees=assignees)


def municipality_list() -> list[Municipality]:
    return list(Municipality.objects.order_by("kind", "code"))


def case_list_for_staff(*, user, department_id: int | None = None) -> QuerySet[Case]:
    """Open and closed cases held by the user's departments (one of them, if given)."""
    department_ids = _staff_department_ids(user)
    if department_id is not None:
        department_ids &= {department_id}
    return (Case.objects.filter(department_id__in=department_ids)
            .select_related(*_CASE_RELATED)
            .order_by(F("state_due_at").asc(nulls_last=True), "submitted_at", "id"))


def case_list_for_caller(*, user, department_id: int | None = None, scope: str | None = None,
                         category: str | None = None, sla_status: str | None = None,
                         kind: str | None = None) -> QuerySet[Case]:
    """The API's case list: a staff member's departments' cases (one department's, if given;
    `scope` mine or unassigned), anyone else's own cases; either by category, SLA status and
    kind when given."""
    if is_staff_member(user):
        cases = _case_filter(case_list_for_staff(user=user, department_id=department_id),
                             user=user, scope=scope)
    else:
        cases = case_list_for_applicant(user=user)
    return _case_filter(cases, user=user, category=category, sla_status=sla_status, kind=kind)


def user_get_active(*, user_id: int):
    """An active user account by id, or None: whom a case may be assigned to is the service's
    rule (a member of the case's department)."""
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def case_kind_list_startable(*, user) -> list[DefinitionVersion]:
    """The kinds the signed-in person may submit on the portal's form where they live: published
    there (or at the Amanah), offered online, and open to them by the e-service's rollout.
    Three queries (the person, the published versions, the rollouts)."""
    person = person_for_user(user)
    if person is None or person.municipality is None:
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
    mine = Q(submitted_by_id=user.pk)
    if person is not None:
        mine |= Q(applicant_person_id=person.pk) | Q(
            applicant_establishment__representatives=person.pk)
    return (Case.objects.filter(mine).distinct().select_related(*_CASE_RELATED)
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

    @property
    def is_staff_view(self) -> bool:
        return self.viewer_kind == ActorKind.STAFF


def _case_for_user(case_id: int, user) -> tuple[Case, str]:
    """The case and how the user sees it; NotFound alike for a missing case and a forbidden one."""
    case = Case.objects.select_related(*_CASE_RELATED, "version", "submitted_by").filter(
        pk=case_id).first()
    if case is None or not getattr(user, "is_authenticated", False):
        raise errors.case_not_found()
    if staff_roles_in(user, case.department_id) or is_admin(user):
        return case, ActorKind.STAFF
    if user_is_applicant(case, user):
        return case, ActorKind.APPLICANT
    raise errors.case_not_found()


def case_get_visible(*, case_id: int, user) -> Case:
    """The case if the user may see it (staff of its department, or its applicant); else the
    same NotFound as for a case that does not exist."""
    return _case_for_user(case_id, user)[0]


def case_get_for_user(*, case_id: int, user) -> CaseDetail:
    """The case page: timeline, documents, and what this user may do with it right now.

    Each action the user's role allows is also put to its guards (cheap functions from the
    registry; the built-in ones cost at most one query per guarded action, and a definition
    has a handful of actions per state). An action a guard refuses is listed disabled with
    the guard's reason rather than hidden: "attach the report first" tells staff what to do.
    The guards run again, with the case locked, when the action is taken.
    """
    case, viewer = _case_for_user(case_id, user)
    staff = viewer == ActorKind.STAFF
    events = CaseEvent.objects.filter(case=case).select_related(
        "actor", "from_state", "to_state", "department", "from_department", "to_department")
    attachments = CaseAttachment.objects.filter(case=case).select_related("uploaded_by",
                                                                           "replaced_by")
    comments = CaseComment.objects.filter(case=case).select_related("author")
    if not staff:
        events, attachments, comments = (events.exclude(_INTERNAL),
                                         attachments.filter(is_internal=False,
                                                            replaced_by__isnull=True),
                                         comments.filter(is_internal=False))
    detail = CaseDetail(case=case, viewer_kind=viewer, events=list(events.order_by("seq")),
                        attachments=list(attachments), comments=list(comments),
                        actions_available=[])
    transitions = list(Transition.objects.filter(version_id=case.version_id)
                       .select_related("to_state").order_by("position", "id"))
    detail.transition_labels = {(t.from_state_id, t.action): t for t in transitions}
    assignee_ids = {e.payload.get("assignee") for e in detail.events
                    if e.kind == CaseEventKind.ASSIGNED and e.payload.get("assignee")}
    if staff and assignee_ids:
        detail.assignees_named = {u.pk: u for u in get_user_model().objects.filter(
            pk__in=assignee_ids)}
    if not case.is_open:
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
        events_by_seq = {e.seq: e for e in detail.events}
        detail.attachments_replaceable = [
            a for a in detail.attachments if getattr(a, "replaced_by", None) is None
            and attachment_may_replace(a, viewer_kind=viewer_kind,
                                       uploaded_as=attachment_uploaded_as(a, events_by_seq))]
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
    """A document the user may download: staff of the holding department (every version), or
    the applicant for the current version of documents that are not internal. Anything else
    looks like it does not exist."""
    attachment = (CaseAttachment.objects.select_related("case", "replaced_by")
                  .filter(pk=attachment_id).first())
    if attachment is None or not getattr(user, "is_authenticated", False):
        raise _attachment_not_found()
    case = attachment.case
    if staff_roles_in(user, case.department_id) or is_admin(user):
        return attachment
    if (not attachment.is_internal and getattr(attachment, "replaced_by", None) is None
            and user_is_applicant(case, user)):
        return attachment
    raise _attachment_not_found()


def _attachment_not_found() -> NotFound:
    return NotFound("workflow.attachment_not_found", "لم يتم العثور على المرفق.",
                    "Document not found.")


@dataclass(frozen=True)
class PublicStep:
    at: dt.datetime
    name_ar: str
    name_en: str
    category: str


@dataclass(frozen=True)
class PublicStatus:
    number: str
    kind_ar: str
    kind_en: str
    state_ar: str
    state_en: str
    category: str
    submitted_at: dt.datetime
    expected_completion: dt.datetime | None
    closed_at: dt.datetime | None
    steps: list[PublicStep]


def case_status_public(*, number: str, national_id: str) -> PublicStatus:
    """Status by case number and the applicant's ID; one answer for "no such case" and
    "wrong ID", so the check cannot be used to discover case numbers."""
    number = digits_normalise(number).upper()
    national_id = digits_normalise(national_id)
    case = (Case.objects.select_related("state", "definition", "applicant_person",
                                        "submitted_by__person")
            .filter(number=number).first())
    owner_ids = []
    if case is not None:
        if case.applicant_person is not None:
            owner_ids.append(case.applicant_person.national_id)
        submitter = getattr(case.submitted_by, "person", None) if case.submitted_by else None
        if submitter is not None:
            owner_ids.append(submitter.national_id)
    matched = any(hmac.compare_digest(owner.encode(), national_id.encode())
                  for owner in owner_ids)
    if case is None or not national_id or not matched:
        raise NotFound("workflow.status_not_found",
                       "لا توجد معاملة بهذا الرقم لصاحب هذه الهوية.",
                       "No transaction with this number for this ID.")
    steps = [PublicStep(e.at, e.to_state.name_ar, e.to_state.name_en,
                        e.to_state.category)
             for e in CaseEvent.objects.filter(case=case, to_state__isnull=False)
             .exclude(kind=CaseEventKind.TRANSFERRED).select_related("to_state").order_by("seq")]
    return PublicStatus(case.number, case.definition.name_ar, case.definition.name_en,
                        case.state.name_ar, case.state.name_en, case.category,
                        case.submitted_at, case.due_at, case.closed_at, steps)


# --- Procedure analytics ------------------------------------------------------------------

_TERMINAL_SQL = ", ".join(f"'{c}'" for c in sorted(StatusCategory.terminal()))

# One row per stay: consecutive events that leave the key (state or department) unchanged are
# one stay; a final state ends the stay and is not itself timed.
_STAYS_SQL = """
WITH ev AS (
    SELECT e.case_id, e.seq, e.at AS created_at,
           CASE WHEN s.category IN ({terminal}) THEN NULL ELSE e.{key} END AS key
    FROM workflow_caseevent e
    JOIN workflow_case c ON c.id = e.case_id
    JOIN workflow_state s ON s.id = e.to_state_id
    WHERE c.definition_id = %s {municipality} AND e.kind IN ({kinds})
), marked AS (
    SELECT ev.*, LAG(key) OVER (PARTITION BY case_id ORDER BY seq) AS previous_key,
           ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY seq) AS position
    FROM ev
), changes AS (
    SELECT case_id, seq, created_at, key FROM marked
    WHERE position = 1 OR key IS DISTINCT FROM previous_key
), stays AS (
    SELECT key, created_at,
           LEAD(created_at) OVER (PARTITION BY case_id ORDER BY seq) AS left_at
    FROM changes
)
"""

_STAYS_SELECT_SQL = "SELECT key, created_at, left_at FROM stays WHERE key IS NOT NULL"

# Each stay measured twice: wall-clock hours, and working hours on the SLA calendar of
# working_time.py (Sunday–Thursday, 08:00–15:00 Riyadh, minus admins' holidays), computed in the
# database: one generated row per calendar day a stay spans, clipped to that day's working
# hours. Cost: O(calendar days covered by all stays), a few hundred thousand rows for ten
# thousand cases, in the same single query as before.
_PERCENTILES_SQL = """
, calendar AS (
    SELECT %s::timestamptz AS now, %s::text AS tz, %s::time AS day_start, %s::time AS day_end,
           %s::int[] AS weekend
), spans AS (
    SELECT stays.key, stays.created_at AS entered,
           COALESCE(stays.left_at, calendar.now) AS left_at, calendar.*
    FROM stays CROSS JOIN calendar WHERE stays.key IS NOT NULL
), measured AS (
    SELECT spans.key,
           EXTRACT(EPOCH FROM (spans.left_at - spans.entered)) / 3600.0 AS hours,
           COALESCE((
               SELECT SUM(GREATEST(0, EXTRACT(EPOCH FROM (
                   LEAST(spans.left_at, (days.day::date + spans.day_end) AT TIME ZONE spans.tz)
                   - GREATEST(spans.entered,
                              (days.day::date + spans.day_start) AT TIME ZONE spans.tz)))))
               FROM generate_series((spans.entered AT TIME ZONE spans.tz)::date,
                                    (spans.left_at AT TIME ZONE spans.tz)::date,
                                    interval '1 day') AS days(day)
               WHERE EXTRACT(ISODOW FROM days.day)::int <> ALL(spans.weekend)
                 AND NOT EXISTS (SELECT 1 FROM workflow_holiday h
                                 WHERE h.date = days.day::date)
           ), 0) / 3600.0 AS working_hours
    FROM spans
)
SELECT key, COUNT(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY hours),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY hours),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY working_hours),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY working_hours)
FROM measured
GROUP BY key
"""


def _calendar_params(now: dt.datetime) -> list:
    """The working_time calendar as SQL parameters, so the database and Python agree."""
    return [now, str(RIYADH), working_time.DAY_START, working_time.DAY_END,
            # ISO day numbers (Monday 1 … Sunday 7) from Python's weekday (Monday 0).
            sorted(day + 1 for day in working_time.WEEKEND)]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


Spent = tuple[int, float, float, float, float]


def _time_spent(definition: WorkflowDefinition, key: str, now: dt.datetime,
                municipality: Municipality | None) -> dict[int, Spent]:
    """{state or department id: (stays, median and p90 wall-clock hours, median and p90
    working hours)}. One query on PostgreSQL; two elsewhere (the holidays)."""
    # A transfer keeps the state, so it starts a department stay but not a state stay.
    kinds = ("'submitted', 'routed', 'transition'" if key == "to_state_id"
             else "'submitted', 'routed', 'transition', 'transferred'")
    # Only constants of this module are formatted in; every value goes as a parameter.
    sql = _STAYS_SQL.format(terminal=_TERMINAL_SQL, key=key, kinds=kinds,
                            municipality="AND c.municipality_id = %s" if municipality else "")
    params = [definition.pk] + ([municipality.pk] if municipality else [])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql + _PERCENTILES_SQL, [*params, *_calendar_params(now)])
            return {row[0]: (row[1], *(float(v) for v in row[2:])) for row in cursor.fetchall()}
        # Other databases (SQLite for `make run`) lack percentile_cont and generate_series:
        # the same numbers in Python, working time with working_time.py itself.
        cursor.execute(sql + _STAYS_SELECT_SQL, params)
        rows = cursor.fetchall()
    from .models import Holiday

    holidays = frozenset(Holiday.objects.values_list("date", flat=True))
    spans: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for item, entered, left in rows:
        entered_at, left_at = _as_datetime(entered), _as_datetime(left) if left else now
        spans[item].append((
            (left_at - entered_at).total_seconds() / 3600,
            working_time.working_hours_between(entered_at, left_at, holidays=holidays)))
    result = {}
    for item, pairs in spans.items():
        wall, work = [p[0] for p in pairs], [p[1] for p in pairs]
        result[item] = (len(pairs), statistics.median(wall), _percentile(wall, 0.9),
                        statistics.median(work), _percentile(work, 0.9))
    return result


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def procedure_analytics(*, definition: WorkflowDefinition,
                        municipality: Municipality | None = None) -> dict:
    """Where a procedure spends its time: median and 90th percentile hours per state and per
    department, how often cases go back to the applicant, how many are overdue.

    Each time is given twice: `*_working_hours` on the SLA calendar (what the SLA counts, so
    the figure to compare with a step's SLA and the one rows are sorted by) and `*_hours` by
    the wall clock (what the citizen waits). Five queries whatever the number of cases.
    """
    now = clock.now()
    cases = Case.objects.filter(definition=definition)
    if municipality is not None:
        cases = cases.filter(municipality=municipality)
    totals = cases.aggregate(
        total=Count("id", distinct=True),
        open=Count("id", distinct=True, filter=~Q(category__in=StatusCategory.terminal())),
        overdue_open=Count("id", distinct=True, filter=Q(sla_status=SlaStatus.OVERDUE)
                           & ~Q(category__in=StatusCategory.terminal())),
        at_risk_open=Count("id", distinct=True, filter=Q(sla_status=SlaStatus.AT_RISK)
                           & ~Q(category__in=StatusCategory.terminal())),
        returned=Count("id", distinct=True, filter=Q(
            events__to_state__category=StatusCategory.AWAITING_APPLICANT)),
        escalated=Count("escalations__case", distinct=True),
    )
    by_state = _time_spent(definition, "to_state_id", now, municipality)
    by_department = _time_spent(definition, "to_department_id", now, municipality)
    states = {s.pk: s for s in State.objects.filter(pk__in=by_state)}
    departments = {d.pk: d for d in Department.objects.filter(pk__in=by_department)
                   .select_related("municipality")}
    # States of different versions share a code; the analysis is per step, not per version.
    merged: dict[str, dict] = {}
    for state_id, spent in by_state.items():
        state = states[state_id]
        row = merged.setdefault(state.code, {"code": state.code, "name_ar": state.name_ar,
                                             "name_en": state.name_en,
                                             "category": state.category,
                                             "sla_hours": state.sla_hours, "rows": []})
        row["rows"].append(spent)
    state_rows = []
    for row in merged.values():
        parts = row.pop("rows")
        visits = sum(p[0] for p in parts)

        def blend(index: int, parts=parts, visits=visits) -> float:
            # Exact when one version is in play (the usual case); visit-weighted otherwise.
            return round(sum(p[0] * p[index] for p in parts) / visits, 2)

        row.update(visits=visits, **_figures(*(blend(i) for i in range(1, 5))))
        state_rows.append(row)
    department_rows = [{
        "department_id": pk, "code": departments[pk].code,
        "municipality": departments[pk].municipality.code,
        "name_ar": departments[pk].name_ar, "name_en": departments[pk].name_en,
        "visits": spent[0], **_figures(*(round(v, 2) for v in spent[1:])),
    } for pk, spent in by_department.items()]
    total = totals["total"]
    return {
        "definition": definition.code,
        "municipality": municipality.code if municipality else None,
        "cases_total": total,
        "cases_open": totals["open"],
        "returned_to_applicant": totals["returned"],
        "returned_share": round(totals["returned"] / total, 4) if total else 0.0,
        "overdue_open": totals["overdue_open"],
        "at_risk_open": totals["at_risk_open"],
        "escalated_cases": totals["escalated"],
        "states": sorted(state_rows, key=_slowest_first),
        "departments": sorted(department_rows, key=_slowest_first),
    }


def _figures(median: float, p90: float, median_working: float, p90_working: float) -> dict:
    return {"median_hours": median, "p90_hours": p90,
            "median_working_hours": median_working, "p90_working_hours": p90_working}


def _slowest_first(row: dict) -> tuple[float, float]:
    return (-row["median_working_hours"], -row["median_hours"])


def definition_list(*, municipality: Municipality | None = None) -> QuerySet[WorkflowDefinition]:
    """Definitions with their published version prefetched, for admin screens and analytics."""
    queryset = WorkflowDefinition.objects.select_related("municipality").prefetch_related(
        Prefetch("versions", queryset=DefinitionVersion.objects.order_by("-number")))
    if municipality is not None:
        queryset = queryset.filter(municipality=municipality)
    return queryset.order_by("code", "municipality__code")
