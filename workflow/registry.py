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
from dataclasses import dataclass

from django.utils.translation import get_language

logger = logging.getLogger(__name__)

_guards: dict[str, Callable] = {}
_effects: dict[str, Callable] = {}


@dataclass(frozen=True)
class HookLabel:
    """What an admin reads instead of a guard's or effect's code name, in both languages: a
    short label for the check box and one line saying what it does."""

    label_ar: str = ""
    label_en: str = ""
    help_ar: str = ""
    help_en: str = ""

    @property
    def label(self) -> str:
        return self.label_en if _english() else self.label_ar

    @property
    def help(self) -> str:
        return self.help_en if _english() else self.help_ar

    @property
    def is_complete(self) -> bool:
        return all((self.label_ar, self.label_en, self.help_ar, self.help_en))


def _english() -> bool:
    return (get_language() or "ar").startswith("en")


_labels: dict[tuple[str, str], HookLabel] = {}


def _register(table: dict[str, Callable], kind: str, name: str, label: HookLabel):
    def decorator(fn: Callable) -> Callable:
        existing = table.get(name)
        if existing is not None and existing is not fn:
            raise ValueError(f"{kind} {name!r} is already registered by {existing.__module__}")
        table[name] = fn
        _labels[kind, name] = label
        return fn

    return decorator


def guard_register(name: str, *, label_ar: str = "", label_en: str = "", help_ar: str = "",
                   help_en: str = ""):
    """Register a guard under `name`; the labels are what the procedure designer shows."""
    return _register(_guards, "guard", name, HookLabel(label_ar, label_en, help_ar, help_en))


def effect_register(name: str, *, label_ar: str = "", label_en: str = "", help_ar: str = "",
                    help_en: str = ""):
    """Register an effect under `name`; the labels are what the procedure designer shows."""
    return _register(_effects, "effect", name, HookLabel(label_ar, label_en, help_ar, help_en))


def hook_label(kind: str, name: str) -> HookLabel | None:
    """The labels of a registered guard (`kind="guard"`) or effect, None when unregistered."""
    return _labels.get((kind, name))


def guard_get(name: str) -> Callable | None:
    return _guards.get(name)


def effect_get(name: str) -> Callable | None:
    return _effects.get(name)


def guard_names() -> frozenset[str]:
    return frozenset(_guards)


def effect_names() -> frozenset[str]:
    return frozenset(_effects)


# --- The generic ones every deployment has -------------------------------------------------


@guard_register("always", label_ar="دون شرط", label_en="No condition",
                help_ar="يمكن اتخاذ الإجراء في أي وقت.",
                help_en="The action may be taken at any time.")
def guard_always(*, case, transition, actor) -> bool:
    return True


@guard_register("has_attachment", label_ar="يوجد مستند مرفق",
                label_en="A document is attached",
                help_ar="يلزم وجود مستند واحد على الأقل في المعاملة.",
                help_en="The transaction must have at least one document.")
def guard_has_attachment(*, case, transition, actor) -> bool:
    """At least one document on the case (e.g. before a review can be completed)."""
    return case.attachments.exists()


@guard_register("is_assigned", label_ar="المعاملة مسندة لموظف",
                label_en="Assigned to an employee",
                help_ar="يلزم أن يكون أحد موظفي الإدارة قد استلم المعاملة.",
                help_en="Someone in the department must have taken the transaction.")
def guard_is_assigned(*, case, transition, actor) -> bool:
    """Someone in the department has taken the case before it can be decided."""
    return case.assignee_id is not None


@effect_register("notify_applicant", label_ar="إشعار مقدم الطلب",
                 label_en="Notify the applicant",
                 help_ar="يُرسل إلى مقدم الطلب رسالة بما تم بعد حفظ الإجراء.",
                 help_en="Sends the applicant a message about the step once it is saved.")
def effect_notify_applicant(*, case_id: int, event_id: int) -> None:
    # Recorded in the step's transaction, sent after its commit (amanah/notify.py).
    from .notify import case_event_notify

    case_event_notify(event_id=event_id)


@effect_register("log", label_ar="تسجيل في سجل النظام", label_en="Write to the system log",
                 help_ar="يكتب سطراً في سجل النظام للمتابعة الفنية فقط.",
                 help_en="Writes a line to the system log, for technical follow-up only.")
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
