"""What the workflow's reads share: the rows a case is shown with, and who holds which queue."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from amanah.permissions import is_admin, staff_memberships

from ..models import Case, CaseEvent

CASE_RELATED = ("state", "definition", "department__municipality", "assignee",
                "applicant_person", "applicant_establishment", "municipality")


def staff_department_ids(user) -> set[int]:
    return {m.department_id for m in staff_memberships(user)}


def case_filter(queryset: QuerySet[Case], *, user, scope: str | None = None,
                state_code: str | None = None, category: str | None = None,
                sla_status: str | None = None, assignee_id: int | None = None,
                kind: str | None = None) -> QuerySet[Case]:
    """The filters a queue and the API's case list share; an empty one filters nothing."""
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


def worked_on_by(department_ids) -> Q:
    """Cases any of these departments held at some step: named as the actor's department, or
    as the source or target of a routing or transfer in the case's events. Correlated by case,
    so it is read through the (case, seq) index for the few cases a filter already chose."""
    ids = list(department_ids)
    if not ids:
        return Q(pk__in=[])
    events = CaseEvent.objects.filter(case_id=OuterRef("pk")).filter(
        Q(department_id__in=ids) | Q(from_department_id__in=ids) | Q(to_department_id__in=ids))
    return Q(Exists(events))


def readable_by_staff(user) -> Q:
    """The cases a staff member may read: held by one of their departments, or worked on by
    one of them before (read only); an admin reads every case."""
    if is_admin(user):
        return Q()
    ids = staff_department_ids(user)
    if not ids:
        return Q(pk__in=[])
    return Q(department_id__in=ids) | worked_on_by(ids)
