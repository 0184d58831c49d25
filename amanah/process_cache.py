"""Configuration that changes rarely but is read on every hot path (the holiday calendar, the
departments) is kept by each process, tagged with a generation token held in the shared Django
cache (Redis in production). A writer calls `changed()`, which moves the token, and every process
reloads on its next use. Reading the token is one cache GET (all the copies share one token; a
hot path reads it once with `CONFIGURATION.pinned()`), instead of a query per use.

The token moves twice per write: at once (the writer's own transaction then reads its change),
and after the commit (a process that reloaded in between read the rows without the uncommitted
change, and must reload once more). The writer's process may keep what it reads inside its own
transaction; if that transaction is rolled back, its copy is dropped on the next use.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import connection, transaction

T = TypeVar("T")


def _token() -> str:
    return secrets.token_hex(8)


def _waiting(callback: Callable[[], None] | None) -> bool:
    """Whether `callback` still waits for the commit of the current transaction (a rollback of
    the transaction or of its savepoint discards it; a commit runs it)."""
    return callback is not None and any(entry[1] is callback
                                        for entry in connection.run_on_commit)


class Generation:
    """The shared token of the configuration. Inside `pinned()` it is read once: a hot path
    (routing one case) works on one snapshot of the configuration, as it does on its rows."""

    def __init__(self, key: str):
        self.key = key
        self._local = threading.local()  # per thread: the pinned depth and token

    @contextlib.contextmanager
    def pinned(self) -> Iterator[None]:
        local = self._local
        local.depth = getattr(local, "depth", 0) + 1
        try:
            yield
        finally:
            local.depth -= 1
            if not local.depth:
                local.token = None

    def current(self) -> str | None:
        local = self._local
        pinned = getattr(local, "depth", 0) > 0
        if pinned and getattr(local, "token", None) is not None:
            return local.token
        token = cache.get(self.key)
        if token is None:
            # First use or an emptied cache: start a generation (add: a racing writer's wins).
            cache.add(self.key, _token(), timeout=None)
            token = cache.get(self.key)
        if pinned:
            local.token = token
        return token

    def move(self) -> None:
        cache.set(self.key, _token(), timeout=None)
        self._local.token = None


# Holidays and departments share one token: either changing reloads both (a few times a year).
CONFIGURATION = Generation("amanah:configuration:generation")


class GenerationCache(Generic[T]):
    """`get()` returns what `load()` returns, reloaded whenever the shared token moved."""

    def __init__(self, load: Callable[[], T], generation: Generation = CONFIGURATION):
        self.load, self.generation = load, generation
        self._kept: tuple[str, T] | None = None
        # The after-commit callback of this process's last write, while it is still waiting.
        self._pending: Callable[[], None] | None = None

    def get(self) -> T:
        if self._pending is not None and not _waiting(self._pending):
            # The write was rolled back (a commit would have cleared `_pending`).
            self._kept, self._pending = None, None
        token = self.generation.current()
        if token is None:  # no shared cache to agree on: never keep a copy
            return self.load()
        kept = self._kept
        if kept is not None and kept[0] == token:
            return kept[1]
        value = self.load()
        self._kept = (token, value)
        return value

    def changed(self) -> None:
        """Called by every writer of the rows behind the value, inside its transaction."""
        self._kept = None
        self.generation.move()

        def committed() -> None:
            if self._pending is committed:
                self._pending = None
            self.generation.move()

        self._pending = committed
        transaction.on_commit(committed)

    def forget(self) -> None:
        """Every process drops its copy (tests: their rows are rolled back or flushed without
        going through a writer)."""
        self._kept, self._pending = None, None
        self.generation.move()
