"""Writes of the workflow engine. Every change of a case goes through `cases.py`."""

from .cases import (
    case_assign,
    case_attachment_add,
    case_cancel,
    case_claim,
    case_comment_add,
    case_resume,
    case_return_to_applicant,
    case_route,
    case_route_sweep,
    case_submit,
    case_transfer,
    case_transition,
)
from .definitions import (
    DefinitionInvalid,
    definition_export,
    definition_import,
    definition_resolve,
    definition_start_check,
    department_resolve,
    version_draft_create,
    version_publish,
    version_validate,
)
from .moves import MoveOutcome, case_move_apply, case_move_request, case_move_sweep
from .online import case_submit_at_counter, case_submit_online
from .sla import SweepResult, sla_sweep

__all__ = [
    "DefinitionInvalid",
    "MoveOutcome",
    "SweepResult",
    "case_assign",
    "case_attachment_add",
    "case_cancel",
    "case_claim",
    "case_comment_add",
    "case_move_apply",
    "case_move_request",
    "case_move_sweep",
    "case_resume",
    "case_return_to_applicant",
    "case_route",
    "case_route_sweep",
    "case_submit",
    "case_submit_at_counter",
    "case_submit_online",
    "case_transfer",
    "case_transition",
    "definition_export",
    "definition_import",
    "definition_resolve",
    "definition_start_check",
    "department_resolve",
    "sla_sweep",
    "version_draft_create",
    "version_publish",
    "version_validate",
]
