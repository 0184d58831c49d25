"""Configuration that changes rarely but is read on every hot path (the holiday calendar, the
departments) is kept by each process, tagged with a generation token held in the shared Django
cache (Redis in production). Each use costs one cache GET instead of a query; a writer calls
`changed()` and every process reloads on its next use.

The token moves twice per write: at once (the writer's own transaction then reads its change),
and after the commit (a process that reloaded in between read the rows without the uncommitted
change, and must reload once more). The writer's process may keep what it reads inside its own
transaction; if that transaction is rolled back, its copy is dropped on the next use.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import connection, transaction

T = TypeVar("T")


def _token() -> str:
    return secrets.token_hex(8)


class GenerationCache(Generic[T]):
    """`get()` returns what `load()` returns, reloaded whenever the shared token changed."""

    def __init__(self, key: str, load: Callable[[], T]):
        self.key, self.load = key, load
        self._kept: tuple[str, T] | None = None
        # The after-commit callback of this process's last write, while it is still waiting.
        self._pending: Callable[[], None] | None = None

    def _rolled_back(self) -> bool:
        # A rollback (of the transaction or of the savepoint the write was in) discards the
        # callback without running it; a commit runs it, which clears `_pending`.
        pending = self._pending
        return pending is not None and not any(
            entry[1] is pending for entry in connection.run_on_commit)

    def get(self) -> T:
        if self._rolled_back():
            self._kept, self._pending = None, None
        generation = cache.get(self.key)
        if generation is None:
            # First use or an emptied cache: start a generation (add: a racing writer's wins).
            cache.add(self.key, _token(), timeout=None)
            generation = cache.get(self.key)
            if generation is None:  # no shared cache to agree on: never keep a copy
                return self.load()
        kept = self._kept
        if kept is not None and kept[0] == generation:
            return kept[1]
        value = self.load()
        self._kept = (generation, value)
        return value

    def changed(self) -> None:
        """Called by every writer of the rows behind the value, inside its transaction."""
        self._kept = None
        cache.set(self.key, _token(), timeout=None)

        def committed() -> None:
            if self._pending is committed:
                self._pending = None
            cache.set(self.key, _token(), timeout=None)

        self._pending = committed
        transaction.on_commit(committed)

    def forget(self) -> None:
        """Every process drops its copy (tests: their rows are rolled back or flushed without
        going through a writer)."""
        self._kept, self._pending = None, None
        cache.set(self.key, _token(), timeout=None)
