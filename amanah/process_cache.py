"""Configuration that changes rarely but is read on every hot path (the holiday calendar, the
departments) is kept by each process, tagged with a generation token held in the shared Django
cache (Redis in production). A writer calls `changed()`, which moves the token, and every process
reloads on its next use. Reading the token is one cache GET (all the copies share one token; a
hot path reads it once with `CONFIGURATION.pinned()`), instead of a query per use.

The token moves twice per write: at once (the writer's own transaction then reads its change),
and after the commit (a process that reloaded in between read the rows without the uncommitted
change, and must reload once more). The writer's process may keep what it reads inside its own
transaction; if that transaction is rolled back, its copy is dropped on the next use.

A process asks for the token at most once every `CHECK_SECONDS` (a GET per routed case was a
sixth of routing's time under load). In exchange the writer, after its commit, moves the token
and then waits `CHECK_SECONDS` before it returns. Why that is enough: a process that checked the
token at c before that move m uses its copy only until c + CHECK_SECONDS < m + CHECK_SECONDS,
i.e. never after the writer has returned; a process that checked after m saw a token newer
than the commit and reloads (or reloaded) rows that include the change. So, as before, once a
writer returns every process sees its change — what started in between is concurrent with the
write, as it always was. The writer's own thread drops its copy at once. The wait is paid by
writes of holidays, departments and municipalities only (a few a year, once per transaction).
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from django.conf import settings
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


def _check_seconds() -> float:
    return float(getattr(settings, "CONFIGURATION_CHECK_SECONDS", 0.1))


class Generation:
    """The shared token of the configuration, asked for at most once every `CHECK_SECONDS`
    per thread (see the module's docstring). Inside `pinned()` it is not asked again at all: a
    hot path (routing one case) works on one snapshot of the configuration, as it does on its
    rows."""

    def __init__(self, key: str):
        self.key = key
        # Per thread: the pinned depth and token, and the last token asked for, with when.
        self._local = threading.local()
        # One callable, so that `_waiting` finds it among the transaction's callbacks.
        self._committed_move_once = self._committed_move

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
        checked = getattr(local, "checked", None)
        now = time.monotonic()
        if checked is not None and now - checked[1] < _check_seconds():
            token = checked[0]
        else:
            token = cache.get(self.key)
            if token is None:
                # First use or an emptied cache: start a generation (add: a racing writer's
                # wins).
                cache.add(self.key, _token(), timeout=None)
                token = cache.get(self.key)
            local.checked = (token, now) if token is not None else None
        if pinned:
            local.token = token
        return token

    def move(self) -> None:
        cache.set(self.key, _token(), timeout=None)
        self._local.token = None
        self._local.checked = None

    def _committed_move(self) -> None:
        # After the writer's commit: move, then outwait every other process's last check.
        self.move()
        time.sleep(_check_seconds())

    def move_after_commit(self) -> None:
        """Move the token once the current transaction commits, and return to the writer only
        after every process has had to ask for the token again. Once per transaction."""
        if not _waiting(self._committed_move_once):
            transaction.on_commit(self._committed_move_once)


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

        self._pending = committed
        transaction.on_commit(committed)
        self.generation.move_after_commit()

    def forget(self) -> None:
        """Every process drops its copy (tests: their rows are rolled back or flushed without
        going through a writer)."""
        self._kept, self._pending = None, None
        self.generation.move()


class TellsKeptCopies:
    """Mixin for a model whose rows processes keep a copy of: every save and delete tells them
    to reload (`kept_copy`, set once the cache exists). A bulk update or delete bypasses
    these, so it calls `kept_copy.changed()` itself (the admin's "delete selected" does)."""

    kept_copy: GenerationCache

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.kept_copy.changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.kept_copy.changed()
        return result
