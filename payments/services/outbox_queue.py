"""Putting a bill upload in the outbox, inside the bill change's transaction.

Apart from `outbox.py`, which sends uploads and applies SADAD's answers through the bill
services: the bill services queue uploads, so queueing must not depend on them.
"""

import uuid

from amanah import clock
from amanah.dispatch import task_on_commit

from ..models import Bill, SadadOutbox


def outbox_enqueue(*, bill: Bill, kind: str) -> SadadOutbox:
    """Called by the bill services inside their transaction; sent after commit (and by the
    sweeper, `outbox_flush`, if that task is lost)."""
    now = clock.now()
    row = SadadOutbox.objects.create(rq_uid=uuid.uuid4(), kind=kind, bill=bill,
                                     version=bill.version, next_attempt_at=now, created_at=now)
    task_on_commit("payments.outbox_send", outbox_id=row.pk)
    return row
