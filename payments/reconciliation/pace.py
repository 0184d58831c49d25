"""How much one batch of a run does, so that every attempt commits progress.

A batch ends at its row cap or after about `seconds` of work, whichever comes first. The
Celery task sets `seconds` from its own soft time limit, so even a worker whose limit is short
commits several batches per attempt and the run finishes however often it is interrupted.
"""

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Pace:
    seconds: float = 5.0
    stage_rows: int = 20_000  # records read and staged per commit
    classify_rows: int = 50_000  # staged positions classified per statement
    portal_ids: int = 50_000  # payment ids looked at per statement (the portal's side)
    record_rows: int = 5_000  # payments recorded per commit (a batch: payment_record_many_ids)

    @classmethod
    def for_time_limit(cls, soft_seconds: float | None) -> "Pace":
        """A quarter of the limit per batch, at most the default."""
        if not soft_seconds:
            return cls()
        return cls(seconds=min(cls.seconds, soft_seconds / 4))


class BatchSizer:
    """The size of the next range-shaped SQL batch, steered towards the pace's seconds:
    doubled at most after a quick batch, cut in proportion after a slow one."""

    def __init__(self, max_rows: int, seconds: float, *, first: int = 2_000):
        self.max_rows = max_rows
        self.seconds = seconds
        self.size = min(max_rows, first)
        self._started = 0.0

    def start(self) -> int:
        self._started = time.monotonic()
        return self.size

    def done(self) -> None:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        scale = min(2.0, self.seconds / elapsed * 0.8)
        self.size = max(1, min(self.max_rows, int(self.size * scale)))


class Stopwatch:
    def __init__(self):
        self._started = time.monotonic()

    def restart(self) -> None:
        self._started = time.monotonic()

    def over(self, seconds: float) -> bool:
        return time.monotonic() - self._started >= seconds
