"""Reads of the workflow engine, each with a fixed number of queries whatever the data size.

One package, split by what is read; callers keep `from workflow import selectors`:
queues (a department's queue and its filters), cases (the lists, the case page, documents),
public (the status check for anyone with the number and ID), analytics (procedure analytics).
"""

from ..services.definitions import definitions_published_for
from .analytics import definition_list, municipality_list, procedure_analytics
from .cases import (
    TIMELINE_PAGE_SIZE,
    ActionOption,
    CaseDetail,
    attachment_get_for_user,
    caller_is_staff,
    case_get_filed_at_counter,
    case_get_for_user,
    case_get_visible,
    case_kind_list_startable,
    case_kind_list_startable_at_counter,
    case_list_for_applicant,
    case_list_for_caller,
    case_list_for_staff,
)
from .public import PublicStatus, PublicStep, case_status_public
from .queues import (
    QUEUE_SCOPES,
    QueueChoices,
    case_queue_for_department,
    case_queue_queryset,
    department_get,
    queue_filter_choices,
    user_get_active,
)

__all__ = [
    "QUEUE_SCOPES",
    "TIMELINE_PAGE_SIZE",
    "ActionOption",
    "CaseDetail",
    "PublicStatus",
    "PublicStep",
    "QueueChoices",
    "attachment_get_for_user",
    "caller_is_staff",
    "case_get_filed_at_counter",
    "case_get_for_user",
    "case_get_visible",
    "case_kind_list_startable",
    "case_kind_list_startable_at_counter",
    "case_list_for_applicant",
    "case_list_for_caller",
    "case_list_for_staff",
    "case_queue_for_department",
    "case_queue_queryset",
    "case_status_public",
    "definition_list",
    "definitions_published_for",
    "department_get",
    "municipality_list",
    "procedure_analytics",
    "queue_filter_choices",
    "user_get_active",
]
