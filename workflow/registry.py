"""Named guards and effects that definitions refer to. Other apps fill these in
`AppConfig.ready()`; workflow never imports them.

A guard is `fn(*, case, transition, actor) -> bool | None`, called inside the transaction with
the case locked, and also, without the lock, when the case page lists the actions (an action
a guard refuses is shown disabled with its reason). So a guard must be cheap and must not
change anything. Returning False refuses with a generic message; raising `DomainError` refuses
with the guard's own (the better choice: staff see it next to the disabled button).

An effect is `fn(*, case_id, event_id) -> None`, called inside the transaction that moved the
case (the case is locked, the event written). It must only schedule work — a task through
`amanah.dispatch.task_on_commit`, an outbox row — so nothing leaves before the commit and a
failure after it cannot undo the step. Work that other apps must do when a case moves is
scheduled this way, never done inline.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

_guards: dict[str, Callable] = {}
_effects: dict[str, Callable] = {}


def _register(table: dict[str, Callable], kind: str, name: str):
    def decorator(fn: Callable) -> Callable:
        existing = table.get(name)
        if existing is not None and existing is not fn:
            raise ValueError(f"{kind} {name!r} is already registered by {existing.__module__}")
        table[name] = fn
        return fn

    return decorator


def guard_register(name: str):
    return _register(_guards, "guard", name)


def effect_register(name: str):
    return _register(_effects, "effect", name)


def guard_get(name: str) -> Callable | None:
    return _guards.get(name)


def effect_get(name: str) -> Callable | None:
    return _effects.get(name)


def guard_names() -> frozenset[str]:
    return frozenset(_guards)


def effect_names() -> frozenset[str]:
    return frozenset(_effects)


# --- The generic ones every deployment has -------------------------------------------------


@guard_register("always")
def guard_always(*, case, transition, actor) -> bool:
    return True


@guard_register("has_attachment")
def guard_has_attachment(*, case, transition, actor) -> bool:
    """At least one document on the case (e.g. before a review can be completed)."""
    return case.attachments.exists()


@guard_register("is_assigned")
def guard_is_assigned(*, case, transition, actor) -> bool:
    """Someone in the department has taken the case before it can be decided."""
    return case.assignee_id is not None


@effect_register("notify_applicant")
def effect_notify_applicant(*, case_id: int, event_id: int) -> None:
    # Recorded in the step's transaction, sent after its commit (amanah/notify.py).
    from .notify import case_event_notify

    case_event_notify(event_id=event_id)


@effect_register("log")
def effect_log(*, case_id: int, event_id: int) -> None:
    logger.info("workflow effect: case %s event %s", case_id, event_id)


# --- Links from the case page to other apps' pages about the same case --------------------

# fn(*, case, user, is_staff_view) -> (label, url) | None, e.g. permits links a case to the
# application behind it. Called once per case page; each should cost at most one query.
_case_links: list[Callable] = []


def case_link_register(fn: Callable) -> Callable:
    """Register a link the case page shows (once, however often the app registers it)."""
    if fn not in _case_links:
        _case_links.append(fn)
    return fn


def case_links(*, case, user, is_staff_view: bool) -> list[tuple[str, str]]:
    """The (label, url) links the registered apps give for this case and viewer."""
    links = []
    for fn in _case_links:
        link = fn(case=case, user=user, is_staff_view=is_staff_view)
        if link:
            links.append(link)
    return links
