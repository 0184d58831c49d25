"""Inbound payment notifications (spec §3): authenticate, parse, hand the domain plain
records, answer in XML.

`notification_handle` is the whole protocol minus HTTP framing (media type and size, which the
view checks); the simulated bank calls it directly with the same bytes it would POST. What is
recorded, all or nothing per message with the stored first answer, is the domain's
`inbound_message_record`; this module decides what to refuse and what the answer says.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import Error as DatabaseFailure

from amanah import clock

from ..selectors import inbound_answer_get
from ..services.inbound import InboundMessageTaken, inbound_message_record
from . import wire
from .keys import inbound_keys
from .signing import SignatureInvalid, SignatureStale, signature_verify

security = logging.getLogger("payments.security")
logger = logging.getLogger("payments.notifications")

MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class InboundResponse:
    status: int
    body: bytes
    code: str = "0"


def refusal(status: int, code: str, short_desc: str, *, rq_uid: str = "",
            remote: str = "", what: str = "notification") -> InboundResponse:
    """A refused message: nothing recorded, one security log line that says what was refused
    (a payment notification, a reconciliation file) so the log can be read on its own."""
    # The description may quote the sender's bytes: never echo more than a line of them.
    short_desc = short_desc if len(short_desc) <= 200 else short_desc[:197] + "..."
    security.warning("refused SADAD %s: %s %s rq_uid=%s remote=%s: %s", what, status, code,
                     rq_uid or "-", remote or "-", short_desc)
    return InboundResponse(status=status, code=code,
                           body=wire.error_response_build(rq_uid=rq_uid, code=code,
                                                          short_desc=short_desc))


def _replay(rq_uid: str, digest: str, *, remote: str) -> InboundResponse | None:
    stored = inbound_answer_get(rq_uid=rq_uid)
    if stored is None:
        return None
    if stored.body_sha256 != digest:
        return refusal(409, "E_RQUID_REUSED", "this RqUID was seen with a different body",
                       rq_uid=rq_uid, remote=remote)
    logger.info("replaying the stored answer to RqUID %s", rq_uid)
    return InboundResponse(status=stored.status, body=stored.body)


def notification_handle(*, body: bytes, signature: str | None,
                        remote: str = "") -> InboundResponse:
    """Answer one notification body as §3 says; the 200 comes only after the commit."""
    try:
        signature_verify(signature, body, keys=inbound_keys(),
                         now=int(clock.now().timestamp()))
    except SignatureInvalid as exc:
        return refusal(401, "E_SIGNATURE", str(exc), remote=remote)
    except SignatureStale as exc:
        return refusal(401, "E_STALE", str(exc), remote=remote)
    try:
        message = wire.payment_notification_parse(body)
    except wire.WireError as exc:
        return refusal(400, "E_SCHEMA", str(exc), rq_uid=exc.rq_uid, remote=remote)
    except Exception:  # a parser surprise is still the sender's malformed document, not a 500
        logger.exception("unexpected error parsing a SADAD notification")
        return refusal(400, "E_SCHEMA", "malformed document", remote=remote)
    biller = settings.SADAD_BILLER_ID
    if message.receiver != biller or any(r.biller_id != biller for r in message.records):
        return refusal(403, "E_WRONG_BILLER", "Receiver or BillerId is not this biller",
                       rq_uid=message.rq_uid, remote=remote)
    digest = hashlib.sha256(body).hexdigest()
    try:
        try:
            # A replay is found by the domain's RqUID claim: no query up front.
            answer = inbound_message_record(
                rq_uid=message.rq_uid, msg_code=wire.MSG_PAYMENT_NOTIFY, body_sha256=digest,
                records=message.records, answer_status=200,
                answer_build=lambda outcomes: wire.payment_notification_response_build(
                    rq_uid=message.rq_uid,
                    results=[(record.sptn, outcome)
                             for record, outcome in zip(message.records, outcomes,
                                                        strict=True)]))
        except InboundMessageTaken:
            replayed = _replay(message.rq_uid, digest, remote=remote)
            if replayed is not None:
                return replayed
            return refusal(503, "E_RETRY", "concurrent delivery of this RqUID; retry",
                           rq_uid=message.rq_uid, remote=remote)
    except DatabaseFailure as exc:
        # Lock timeout, deadlock, lost connection…: the transaction rolled back whole.
        logger.warning("notification %s not recorded, asking SADAD to retry: %s",
                       message.rq_uid, exc)
        return refusal(503, "E_RETRY", "transient failure; nothing was recorded",
                       rq_uid=message.rq_uid, remote=remote)
    return InboundResponse(status=200, body=answer)
