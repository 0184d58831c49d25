"""Department queues: what waits for a department, its filters, and whom a case may go to."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Page

from amanah.errors import NotFound
from amanah.models import Department
from amanah.pagination import CappedPaginator
from amanah.permissions import is_admin

from ..enums import VersionStatus
from ..models import QUEUE_ORDER, TERMINAL_CATEGORIES, Case, State, WorkflowDefinition
from ._common import CASE_RELATED, case_filter, staff_department_ids

QUEUE_SCOPES = ("all", "mine", "unassigned")


def case_queue_for_department(*, department: Department, user, scope: str = "all",
                              state_code: str | None = None, category: str | None = None,
                              sla_status: str | None = None, assignee_id: int | None = None,
                              kind: str | None = None, include_closed: bool = False,
                              page: int = 1, per_page: int = 25) -> Page:
    """A department's queue, soonest step deadline first (cases with none last). Members only.

    Read through the case_open_queue_idx (case_department_queue_idx with closed cases): the
    filter and the order are the index's, so a page costs the same at a million cases. The
    count stops at amanah.pagination.COUNT_CAP."""
    queryset = case_queue_queryset(department=department, user=user, scope=scope,
                                   state_code=state_code, category=category,
                                   sla_status=sla_status, assignee_id=assignee_id, kind=kind,
                                   include_closed=include_closed)
    return CappedPaginator(queryset, max(1, min(per_page, 200))).get_page(page)


def case_queue_queryset(*, department: Department, user, scope: str = "all",
                        state_code: str | None = None, category: str | None = None,
                        sla_status: str | None = None, assignee_id: int | None = None,
                        kind: str | None = None, include_closed: bool = False):
    """Every case of the department's queue with these filters, in the queue's order (its page
    shows them page by page; its export all of them). Members only."""
    if department.pk not in staff_department_ids(user) and not is_admin(user):
        raise NotFound("workflow.queue_not_found", "لا يمكنك الاطلاع على هذه القائمة.",
                       "You cannot see this queue.")
    queryset = Case.objects.filter(department=department).select_related(*CASE_RELATED)
    if not include_closed:
        queryset = queryset.exclude(category__in=TERMINAL_CATEGORIES)
    queryset = case_filter(queryset, user=user, scope=scope, state_code=state_code,
                           category=category, sla_status=sla_status, assignee_id=assignee_id,
                           kind=kind)
    return queryset.order_by(*QUEUE_ORDER)


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


def user_get_active(*, user_id: int):
    """An active user account by id, or None: whom a case may be assigned to is the service's
    rule (a member of the case's department)."""
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()
