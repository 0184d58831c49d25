"""One writer per status: the pieces every status-writing service shares.

Each status field of the portal (a bill's, a payment's, a case's step and SLA...) is changed by
exactly one service function. That function
1. holds the row's lock (`row_lock_ensure`: taken by the row's named lock query, or taken now),
2. checks the move against the field's explicit table (`StatusTransitions.check`),
3. writes the change and an event row in the same transaction,
4. schedules side effects after the commit (`amanah.dispatch.task_on_commit`).
The table "status field → its one function" is in docs/architecture.md, and
tests/test_status_writers.py walks the code and fails when a status is assigned anywhere else.
"""

from collections.abc import Callable, Mapping

from django.db import connections, models
from django.utils import translation

from .errors import Conflict

_LOCK_ATTRIBUTE = "_amanah_locked_in"


def _transaction_token(alias: str) -> int | None:
    connection = connections[alias]
    if not connection.in_atomic_block or not connection.atomic_blocks:
        return None
    # The outermost atomic block lives exactly as long as the transaction, and a row lock
    # taken inside it is held until that transaction ends.
    return id(connection.atomic_blocks[0])


def row_lock_mark(instance: models.Model) -> models.Model:
    """Called by a named lock query (…_qs_for_update) on each row it returns."""
    setattr(instance, _LOCK_ATTRIBUTE, _transaction_token(instance._state.db or "default"))
    return instance


def row_is_locked(instance: models.Model) -> bool:
    token = getattr(instance, _LOCK_ATTRIBUTE, None)
    return token is not None and token == _transaction_token(instance._state.db or "default")


def row_lock_ensure(instance: models.Model, relock: Callable[[int], models.Model]) -> models.Model:
    """The instance if this transaction already holds its lock, else `relock(pk)` (which locks
    and returns a fresh copy). Saves a round trip where the caller locked the row already."""
    if row_is_locked(instance):
        return instance
    return relock(instance.pk)


class StatusTransitions:
    """The allowed moves of one status field, written out so they can be read and tested."""

    def __init__(self, name: str, choices: type[models.TextChoices],
                 allowed: Mapping[str, set[str] | frozenset[str]]):
        unknown = {s for pair in allowed.items() for s in (pair[0], *pair[1])} - set(
            choices.values)
        if unknown:
            raise ValueError(f"{name}: unknown statuses {sorted(unknown)}")
        self.name = name
        self.choices = choices
        self.allowed = {source: frozenset(targets) for source, targets in allowed.items()}

    def is_allowed(self, source: str, target: str) -> bool:
        return target in self.allowed.get(source, frozenset())

    def _label(self, value: str, language: str) -> str:
        with translation.override(language):
            return str(self.choices(value).label) if value in self.choices.values else value

    def check(self, source: str, target: str) -> None:
        """Refuse a move the table does not list, in both languages, with a stable code."""
        if self.is_allowed(source, target):
            return
        raise Conflict(
            f"{self.name}.transition_not_allowed",
            f"لا يمكن تغيير الحالة من «{self._label(source, 'ar')}» "
            f"إلى «{self._label(target, 'ar')}».",
            f"The status cannot change from '{self._label(source, 'en')}' "
            f"to '{self._label(target, 'en')}'.")
