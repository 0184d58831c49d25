"""What the workflow's reads share: the rows a case is shown with, and who holds which queue."""

from django.db.models import QuerySet

from amanah.permissions import staff_memberships

from ..models import Case

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
