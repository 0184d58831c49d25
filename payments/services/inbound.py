"""A delivery of payments from the biller network, handled all or nothing.

The domain's half of spec §3: a delivery's RqUID is claimed once, every payment it carries is
recorded (or none is), and the answer it got is stored in the same transaction, so a retry of
the same RqUID can be given the same bytes. It takes plain records and stores the answer as
the adapter built it (`payments/sadad/inbound.py` parses and builds the XML).
"""

from collections.abc import Callable, Sequence

from django.db import transaction

from amanah import clock
from amanah.db import insert_unless_conflict, update_row

from ..enums import PaymentSource
from ..models import InboundMessage
from ..records import PaymentRecord
from .payments import payment_record


class InboundMessageTaken(Exception):
    """Another delivery of this RqUID committed first (or while this one waited on its unique
    index): nothing of this one was recorded."""


@transaction.atomic
def inbound_message_record(*, rq_uid: str, msg_code: str, body_sha256: str,
                           records: Sequence[PaymentRecord],
                           answer_build: Callable[[list[str]], bytes],
                           answer_status: int) -> bytes:
    """Records every payment of one delivery exactly once, all or nothing, with its answer.

    `answer_build` gets each record's outcome (ACCEPTED, DUPLICATE, SUSPENSE) in the
    delivery's order and returns the answer to store and send; it runs inside the transaction,
    so no answer exists for a delivery that was not recorded. Raises InboundMessageTaken when
    the RqUID was claimed by another delivery; any database error rolls back everything.
    """
    message = InboundMessage(rq_uid=rq_uid, msg_code=msg_code, body_sha256=body_sha256,
                             record_count=len(records), response_status=answer_status,
                             response_body=b"", received_at=clock.now())
    # Claims the RqUID: a concurrent delivery of the same RqUID waits here for our commit.
    if not insert_unless_conflict(message, conflict_fields=["rq_uid"]):
        raise InboundMessageTaken(rq_uid)
    # Bills are locked in one global order (by BillingAcct) whatever the order of the records,
    # so two deliveries touching the same bills cannot deadlock each other.
    order = sorted(range(len(records)), key=lambda i: (records[i].billing_account, i))
    outcomes: dict[int, str] = {}
    for index in order:
        record = records[index]
        result = payment_record(
            sptn=record.sptn, bnkptn=record.bnkptn, amount=record.amount,
            billing_account=record.billing_account, biller_id=record.biller_id,
            bank_id=record.bank_id, channel=record.channel, method=record.method,
            processed_at=record.processed_at, effective_at=record.effective_at,
            source=PaymentSource.NOTIFICATION, source_reference=rq_uid,
            inbound_message=message)
        outcomes[index] = str(result.outcome)
    body = answer_build([outcomes[i] for i in range(len(records))])
    message.response_body = body
    update_row(message, fields=["response_body"])
    return body
