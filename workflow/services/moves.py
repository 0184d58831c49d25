"""Moves other apps ask for, made after their transaction commits.

The rule for cross-app moves: an app that must move a case because of something it recorded
(a payable's `on_paid`: the fee is paid, the case continues) never calls `case_transition`
inside its own transaction. It calls `case_move_request` there, which only inserts a row —
no case lock is taken, so paying never waits on, or fails because of, a clerk who has the case
open. The move itself is made by the task `workflow.case_move_apply` after the commit; while
the case is busy it retries, and `case_move_sweep` finds the requests whose task was lost
(broker down, worker killed). The request row and the transition are written in one
transaction, so a move is made exactly once however often it is tried.
"""

import datetime as dt
import logging
from enum import StrEnum

from django.db import transaction
from django.db.models import F

from amanah import clock
from amanah.db import insert_unless_conflict
from amanah.dispatch import task_on_commit
from amanah.errors import DomainError

from ..models import CaseMove
from .acting import acting_as
from .steps import case_lock, case_step_take, transition_find

logger = logging.getLogger(__name__)
alerts = logging.getLogger("workflow.alerts")

# A request older than this with no move made is the sweeper's: its task was lost or is
# still retrying; either way trying once more does no harm.
SWEEP_AFTER = dt.timedelta(seconds=60)


class MoveOutcome(StrEnum):
    MOVED = "moved"
    ALREADY_DONE = "already_done"  # made (or given up) by an earlier try, or being made now
    CASE_BUSY = "case_busy"  # someone holds the case: try again later
    GIVEN_UP = "given_up"  # the case can no longer take the action


def case_move_request(*, case_id: int, action: str, source: str) -> CaseMove:
    """Ask for the system action `action` on the case, from inside the caller's transaction.

    Inserts one row (the same request twice is one row) and queues the task for after the
    commit. Takes no lock on the case; nothing about the case can make it fail."""
    move = CaseMove(case_id=case_id, action=action, source=source[:100],
                    requested_at=clock.now())
    if insert_unless_conflict(move, conflict_fields=["case", "action", "source"]):
        task_on_commit("workflow.case_move_apply", move_id=move.pk)
        return move
    return CaseMove.objects.get(case_id=case_id, action=action, source=source[:100])


def case_move_apply(*, move_id: int) -> MoveOutcome:
    """Make a requested move if the case is free: once, with the transition's own checks."""
    with transaction.atomic():
        move = (CaseMove.objects.select_for_update(skip_locked=True)
                .filter(pk=move_id, moved_at__isnull=True, given_up_at__isnull=True).first())
        if move is None:
            return MoveOutcome.ALREADY_DONE
        try:
            with transaction.atomic():
                case = case_lock(move.case_id, nowait=True)
                transition = transition_find(case, move.action)
                acting = acting_as(case, transition, None)
                if acting is None:
                    raise DomainError("workflow.move_not_for_system",
                                      "هذا الإجراء لا يقوم به النظام.",
                                      "This action is not one the system takes.")
                event = case_step_take(case, transition, user=None, acting=acting,
                                       comment="", document=None)
        except DomainError as refusal:
            if refusal.code == "workflow.case_busy":
                CaseMove.objects.filter(pk=move.pk).update(
                    attempts=F("attempts") + 1, last_error=refusal.message_en[:300])
                return MoveOutcome.CASE_BUSY
            # The case moved on without it (withdrawn, decided by staff): staff must look.
            move.attempts += 1
            move.given_up_at = clock.now()
            move.last_error = f"{refusal.code}: {refusal.message_en}"[:300]
            move.save(update_fields=["attempts", "given_up_at", "last_error"])
            alerts.error("case %s: requested move %r from %s given up: %s", move.case_id,
                         move.action, move.source, move.last_error)
            return MoveOutcome.GIVEN_UP
        move.attempts += 1
        move.moved_at = event.at
        move.event = event
        move.last_error = ""
        move.save(update_fields=["attempts", "moved_at", "event", "last_error"])
        return MoveOutcome.MOVED


def case_move_sweep(*, limit: int = 500) -> dict[str, int]:
    """Periodic: makes the requested moves whose task was lost or has not managed yet."""
    due = clock.now() - SWEEP_AFTER
    ids = list(CaseMove.objects.filter(moved_at__isnull=True, given_up_at__isnull=True,
                                       requested_at__lte=due)
               .order_by("requested_at", "pk").values_list("pk", flat=True)[:limit])
    counts = {outcome.value: 0 for outcome in MoveOutcome}
    for move_id in ids:
        counts[case_move_apply(move_id=move_id)] += 1
    return counts
