"""Holding a row lock in another connection, the way a member of staff in the middle of an
action holds it, for tests of what must not wait on them (a payment) and what must (a move)."""

import threading

from django.db import connection, transaction

from workflow.services.steps import case_lock


class ClerkHoldsCase:
    """A clerk in the middle of an action on the case: its row locked as workflow's case_lock
    locks it, in another connection (a thread), from `with` until the block ends."""

    def __init__(self, case_id: int):
        self.case_id = case_id
        self.locked, self.release = threading.Event(), threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self):
        try:
            with transaction.atomic():
                case_lock(self.case_id)
                self.locked.set()
                self.release.wait(timeout=120)
        except BaseException as exc:  # reported by the test
            self.error = exc
            self.locked.set()
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(timeout=30)
        assert self.error is None, self.error
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(timeout=30)
