"""Recording SADAD payments: the one place money enters the portal (spec §3)."""

import datetime as dt
import hashlib
import io
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models.expressions import RawSQL

from amanah import clock
from amanah.dates import business_date
from amanah.db import insert_row, insert_unless_conflict, update_row
from amanah.dispatch import task_on_commit
from amanah.statuses import StatusTransitions, row_lock_ensure, row_lock_mark

from ..enums import (
    BillEventKind,
    BillStatus,
    PaymentEventKind,
    PaymentOutcome,
    PaymentSource,
    PaymentStatus,
    SuspenseReason,
)
from ..locks import bill_locked_by_account, bill_qs_for_update, payment_qs_for_update
from ..models import Bill, InboundMessage, Payment, PaymentEvent, Receipt
from ..notify import payment_held_notify
from ..records import PaymentRecord
from ..registry import payable_get
from .bills import (
    bill_event_record,
    bill_status_change,
    billing_account_lock,
    billing_accounts_lock,
)

logger = logging.getLogger("payments.payments")

# SADAD reports money that already left the citizen's account. A bill that is still waiting
# for SADAD's acceptance answer can be paid: SADAD evidently knew it.
_PAYABLE_FOR_INCOMING = (BillStatus.PENDING_REGISTRATION, BillStatus.UNPAID)


@dataclass(frozen=True)
class PaymentRecordResult:
    payment: Payment
    outcome: str  # PaymentOutcome
    created: bool


# Where a payment's status may go. Applied, refunded and written off are final; only money in
# suspense is worked on by staff (allocated, refunded with four eyes, or written off).
PAYMENT_TRANSITIONS = StatusTransitions("payment", PaymentStatus, {
    PaymentStatus.SUSPENSE: {PaymentStatus.APPLIED, PaymentStatus.REFUNDED,
                             PaymentStatus.WRITTEN_OFF},
})


def _payment_relock(payment: Payment) -> None:
    row_lock_ensure(payment, payment_qs_for_update())


def _payment_event_save(payment: Payment, *, kind: str, from_status: str, to_status: str,
                        actor, reason: str, payload: dict | None,
                        fields: list[str]) -> PaymentEvent:
    event = PaymentEvent(kind=kind, from_status=from_status, to_status=to_status, actor=actor,
                         reason=reason[:2000], payload=payload or {}, at=clock.now())
    event.link(payment)
    update_row(payment, fields=[*fields, "last_event_seq", "last_event_hash"])
    insert_row(event)
    return event


def payment_event_record(*, payment: Payment, kind: str, actor=None, reason: str = "",
                         payload: dict | None = None, changes: dict | None = None,
                         statuses: tuple[str, str] | None = None) -> PaymentEvent:
    """Something happened to a payment that leaves its status as it is (a refund asked for or
    decided, a review): `changes` and an event, under its lock. `statuses` (from, to) are given
    when the event is about another record's status, e.g. the refund request's."""
    _payment_relock(payment)
    changes = changes or {}
    for name, value in changes.items():
        setattr(payment, name, value)
    from_status, to_status = statuses or (payment.status, payment.status)
    return _payment_event_save(payment, kind=kind, from_status=from_status, to_status=to_status,
                               actor=actor, reason=reason, payload=payload, fields=list(changes))


def payment_status_change(*, payment: Payment, to_status: str, kind: str, actor=None,
                          reason: str = "", payload: dict | None = None,
                          changes: dict | None = None) -> PaymentEvent:
    """The one writer of `Payment.status` after it is recorded: under the payment's lock, only
    along PAYMENT_TRANSITIONS, with its event in the same transaction."""
    _payment_relock(payment)
    PAYMENT_TRANSITIONS.check(payment.status, to_status)
    from_status = payment.status
    payment.status = to_status
    changes = changes or {}
    for name, value in changes.items():
        setattr(payment, name, value)
    return _payment_event_save(payment, kind=kind, from_status=from_status, to_status=to_status,
                               actor=actor, reason=reason, payload=payload,
                               fields=["status", *changes])


def payment_disposition(*, bill: Bill | None, amount: Decimal) -> tuple[str, str]:
    """(PaymentStatus, SuspenseReason or "") for money arriving for `bill` (§3 table).

    Overpayment: the whole payment goes to suspense and the bill stays unpaid, so the
    citizen's money is kept intact in one place for a refund or re-allocation by staff.
    """
    if bill is None:
        return PaymentStatus.SUSPENSE, SuspenseReason.UNKNOWN_BILL
    if bill.status == BillStatus.PAID:
        return PaymentStatus.SUSPENSE, SuspenseReason.ALREADY_PAID
    if bill.status not in _PAYABLE_FOR_INCOMING:
        return PaymentStatus.SUSPENSE, SuspenseReason.NOT_PAYABLE
    if amount < bill.amount:
        return PaymentStatus.SUSPENSE, SuspenseReason.UNDERPAID
    if amount > bill.amount:
        return PaymentStatus.SUSPENSE, SuspenseReason.OVERPAID
    return PaymentStatus.APPLIED, ""


def receipt_number_for(payment: Payment) -> str:
    return f"RC-{payment.business_date:%Y%m%d}-{payment.pk:08d}"


def _payment_flag_for_review(payment: Payment) -> None:
    payment.needs_review = True
    payment.save(update_fields=["needs_review"])


def _on_paid_call(kind, *, bill: Bill, payment: Payment) -> None:
    """The paid thing records it (registry.py's rule). A failure there is its own: rolled back
    to a savepoint, logged and flagged for staff, and the money is recorded all the same."""
    try:
        with transaction.atomic():
            kind.on_paid(bill=bill, payment=payment)
    except Exception:
        logger.exception("on_paid of %r failed for bill %s; the payment is kept for review",
                         bill.payable_kind, bill.billing_account)
        _payment_flag_for_review(payment)


def bill_pay(*, bill: Bill, payment: Payment, actor=None) -> Receipt:
    """An applied payment pays its bill: the bill (locked, payable) becomes paid, the thing
    billed records it through its payable kind in the same transaction (see registry.py: it
    only schedules anything further), and after the commit the payer is told and the
    receipt's PDF is made."""
    bill_status_change(bill=bill, to_status=BillStatus.PAID, kind=BillEventKind.PAID,
                       actor=actor, payload={"sptn": payment.sptn, "amount": str(payment.amount)},
                       changes={"amount_paid": payment.amount, "paid_at": payment.processed_at})
    try:
        kind = payable_get(bill.payable_kind)
    except LookupError:
        # The money is recorded whatever happens; staff finish what the missing kind would do.
        logger.error("bill %s is paid but payable kind %r is not registered",
                     bill.billing_account, bill.payable_kind)
        _payment_flag_for_review(payment)
    else:
        if kind.on_paid is not None:
            _on_paid_call(kind, bill=bill, payment=payment)
    # The payer is told by the receipt's task, after the commit (payments.notify
    # `receipt_paid_notify`): a notification INSERT and the payer's SELECT stay off the money's
    # hot path, and a payment rolled back has no receipt, so nobody is told of it.
    receipt = Receipt(number=receipt_number_for(payment), bill=bill, payment=payment,
                      issued_at=clock.now())
    insert_row(receipt)
    # After the response, batched: the PDF is made by the worker a moment later either way,
    # and the receipt sweeper makes it if the message is lost with the process.
    task_on_commit("payments.receipt_ensure", after_response=True, receipt_id=receipt.pk)
    return receipt


# No savepoint of its own: a failure anywhere rolls back the caller's whole transaction (the
# notification is all or nothing), and one savepoint fewer per payment is measurable.
@transaction.atomic(savepoint=False)
def payment_record(*, sptn: str, amount: Decimal, billing_account: str, bank_id: str,
                   channel: str, method: str, processed_at: dt.datetime,
                   effective_at: dt.datetime | None = None, bnkptn: str = "",
                   biller_id: str | None = None, source: str = PaymentSource.NOTIFICATION,
                   source_reference: str = "", inbound_message: InboundMessage | None = None,
                   needs_review: bool = False) -> PaymentRecordResult:
    """Records a SADAD payment exactly once per SPTN, whatever the state of its bill.

    Used by the notification endpoint and by reconciliation (MISSING_IN_PORTAL). A second
    call with a known SPTN changes nothing and answers DUPLICATE.
    """
    # The bill row lock serialises every payment for one bill: two payments can never both
    # find it unpaid.
    bill = bill_locked_by_account(billing_account)
    if bill is None:
        # Maybe the bill is being issued right now: wait for that, then look again.
        billing_account_lock(billing_account)
        bill = bill_locked_by_account(billing_account)
    status, reason = payment_disposition(bill=bill, amount=amount)
    payment = Payment(
        sptn=sptn, bnkptn=bnkptn, amount=amount, billing_account=billing_account,
        biller_id=biller_id or settings.SADAD_BILLER_ID, bill=bill, status=status,
        suspense_reason=reason, bank_id=bank_id, channel=channel, method=method,
        processed_at=processed_at, effective_at=effective_at,
        business_date=business_date(processed_at), received_at=clock.now(), source=source,
        source_reference=source_reference, inbound_message=inbound_message,
        needs_review=needs_review)
    # The first link is keyed by the SPTN, so it is made before the insert: the payment row is
    # written once, with its chain head, and a duplicate writes nothing at all.
    recorded = PaymentEvent(kind=PaymentEventKind.RECORDED, to_status=status,
                            payload={"source": source, "reference": source_reference,
                                     "reason": reason}, at=clock.now())
    recorded.link(payment)
    # The unique constraint on SPTN decides between concurrent copies of one payment: the
    # second insert waits for the first to commit, then inserts nothing.
    if not insert_unless_conflict(payment, conflict_fields=["sptn"]):
        existing = Payment.objects.get(sptn=sptn)
        return _duplicate(existing, amount=amount, billing_account=billing_account)
    recorded.payment = payment
    insert_row(recorded)
    row_lock_mark(payment)
    if status == PaymentStatus.APPLIED:
        bill_pay(bill=bill, payment=payment)
        return PaymentRecordResult(payment=payment, outcome=PaymentOutcome.ACCEPTED, created=True)
    if bill is not None:
        bill_event_record(bill=bill, kind=BillEventKind.PAYMENT_HELD,
                          payload={"sptn": sptn, "amount": str(amount), "reason": reason})
        # The payer is told their money is held, and why; the bill's page says the same.
        payment_held_notify(payment=payment, bill=bill)
    return PaymentRecordResult(payment=payment, outcome=PaymentOutcome.SUSPENSE, created=True)



def _bills_lock_for(records: Sequence[PaymentRecord]) -> dict[str, Bill]:
    """The bills of a batch's accounts, locked in one statement; for the accounts without one,
    their account locks (as `billing_account_lock`) and one look again for a bill issued
    meanwhile."""
    accounts = sorted({r.billing_account for r in records})
    bills = {bill.billing_account: row_lock_mark(bill) for bill in
             bill_qs_for_update().filter(billing_account__in=_one_of(accounts)).order_by("pk")}
    unknown = [a for a in accounts if a not in bills]
    if unknown:
        # Maybe a bill is being issued right now: wait for that, then look again.
        billing_accounts_lock(unknown)
        bills.update({bill.billing_account: row_lock_mark(bill) for bill in
                      bill_qs_for_update().filter(billing_account__in=_one_of(unknown))
                      .order_by("pk")})
    return bills


def _one_of(values: list[str]):
    """The right side of an `__in` for a batch's thousands of values: on PostgreSQL one array
    parameter (Django prepares each value of a list on its own, a measurable part of a batch)."""
    if connection.vendor != "postgresql":
        return values
    return RawSQL("SELECT unnest(%s::text[])", [values])


# A chain key no SPTN can be (SPTNs are tokens: no control characters): it marks where the key
# sits in the canonical form of a batch's first link, which differs only by the key.
_CHAIN_KEY_MARK = "\x00chain\x00"

_PAYMENT_COLUMNS = ("sptn", "bnkptn", "amount", "billing_account", "biller_id", "bill_id",
                    "status", "suspense_reason", "bank_id", "channel", "method", "processed_at",
                    "effective_at", "business_date", "received_at", "source",
                    "inbound_message_id", "source_reference", "needs_review", "last_event_seq",
                    "last_event_hash")
_EVENT_COLUMNS = ("payment_id", "seq", "prev_hash", "hash", "kind", "actor_id", "at",
                  "from_status", "to_status", "reason", "payload")


def _suspense_insert(records: list[PaymentRecord], *, source: str, source_reference: str,
                     needs_review: bool) -> dict[str, int]:
    """Money for no known bill, recorded as plain rows: on PostgreSQL the batch COPYed into a
    temporary table and moved by one statement into the payments (a known SPTN inserting
    nothing) and their RECORDED events. Returns {sptn: id} of those inserted. The SPTNs are
    distinct; the caller holds the accounts' locks.

    The rows and hashes are exactly those `payment_record` writes through model instances:
    every first link of a batch has the same content but its chain key, so its canonical form
    is made once by the model's own `canonical_content` and only the key is put in per row."""
    if not records:
        return {}
    now = clock.now()
    status, reason = payment_disposition(bill=None, amount=records[0].amount)
    payload = {"source": source, "reference": source_reference, "reason": reason}
    first = PaymentEvent(kind=PaymentEventKind.RECORDED, seq=1, prev_hash="", to_status=status,
                         payload=payload, at=now)
    prefix, suffix = first.canonical_content(chain_key=_CHAIN_KEY_MARK).split(
        json.dumps(_CHAIN_KEY_MARK, ensure_ascii=False))
    hashes = {r.sptn: hashlib.sha256((prefix + json.dumps(r.sptn, ensure_ascii=False) + suffix)
                                     .encode("utf-8")).hexdigest() for r in records}
    if connection.vendor == "postgresql":
        return _suspense_copy(records, hashes, now=now, status=status, reason=reason,
                              source=source, source_reference=source_reference,
                              needs_review=needs_review, payload=payload)
    # Elsewhere (SQLite): the same rows by a multi-row INSERT.
    # The connection itself, not the proxy: the proxy costs a thread-local lookup per value.
    ops = connections[DEFAULT_DB_ALIAS].ops
    at = ops.adapt_datetimefield_value(now)
    rows = []
    for r in records:
        rows.append((r.sptn, r.bnkptn, ops.adapt_decimalfield_value(r.amount, 14, 2),
                     r.billing_account, r.biller_id or settings.SADAD_BILLER_ID, None, status,
                     reason, r.bank_id, r.channel, r.method,
                     ops.adapt_datetimefield_value(r.processed_at),
                     ops.adapt_datetimefield_value(r.effective_at),
                     ops.adapt_datefield_value(business_date(r.processed_at)), at, source, None,
                     source_reference, needs_review, 1, hashes[r.sptn]))
    with connection.cursor() as cursor:
        cursor.execute(_values_insert("payments_payment", _PAYMENT_COLUMNS, len(rows))
                       + " ON CONFLICT (sptn) DO NOTHING RETURNING id, sptn",
                       [value for row in rows for value in row])
        inserted = dict((sptn, pk) for pk, sptn in cursor.fetchall())
        if inserted:
            payload_db = PaymentEvent._meta.get_field("payload").get_db_prep_save(
                payload, connections[DEFAULT_DB_ALIAS])
            cursor.execute(
                _values_insert("payments_paymentevent", _EVENT_COLUMNS, len(inserted)),
                [value for sptn, pk in inserted.items()
                 for value in (pk, 1, "", hashes[sptn], PaymentEventKind.RECORDED, None, at, "",
                               status, "", payload_db)])
    return inserted


# COPY's text format: these four would end or split a field.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

# A batch's own rows, COPYed in (a multi-row INSERT's parameters cost more to quote and parse
# than the insert itself) and moved into the payments by one statement; emptied at commit.
_BATCH_TABLE_CREATE = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS payment_record_many_rows (sptn text, bnkptn text,"
    " amount numeric, billing_account text, biller_id text, bank_id text, channel text,"
    " method text, processed_at timestamp with time zone,"
    " effective_at timestamp with time zone, business_date date, hash text)"
    " ON COMMIT DELETE ROWS")
# The batch's rows are taken out of the table as they are inserted (so the table is empty again
# for another batch in the same transaction); a known SPTN inserts nothing and gets no event.
_BATCH_INSERT = """
WITH batch AS (DELETE FROM payment_record_many_rows RETURNING *),
inserted AS (
    INSERT INTO payments_payment (sptn, bnkptn, amount, billing_account, biller_id, bill_id,
        status, suspense_reason, bank_id, channel, method, processed_at, effective_at,
        business_date, received_at, source, inbound_message_id, source_reference, needs_review,
        last_event_seq, last_event_hash)
    SELECT sptn, bnkptn, amount, billing_account, biller_id, NULL, %(status)s, %(reason)s,
        bank_id, channel, method, processed_at, effective_at, business_date, %(now)s,
        %(source)s, NULL, %(reference)s, %(review)s, 1, hash
    FROM batch
    ON CONFLICT (sptn) DO NOTHING
    RETURNING id, sptn, last_event_hash),
events AS (
    INSERT INTO payments_paymentevent (payment_id, seq, prev_hash, hash, kind, actor_id, at,
        from_status, to_status, reason, payload)
    SELECT id, 1, '', last_event_hash, %(kind)s, NULL, %(now)s, '', %(status)s, '',
        %(payload)s::jsonb
    FROM inserted)
SELECT id, sptn FROM inserted
"""


def _suspense_copy(records: list[PaymentRecord], hashes: dict[str, str], *, now: dt.datetime,
                   status: str, reason: str, source: str, source_reference: str,
                   needs_review: bool, payload: dict) -> dict[str, int]:
    lines = []
    for r in records:
        effective = r.effective_at.isoformat() if r.effective_at is not None else "\\N"
        fields = (r.sptn, r.bnkptn, r.billing_account, r.biller_id or settings.SADAD_BILLER_ID,
                  r.bank_id, r.channel, r.method)
        (sptn, bnkptn, account, biller, bank, channel,
         method) = (f.translate(_COPY_ESCAPES) for f in fields)
        lines.append(f"{sptn}\t{bnkptn}\t{r.amount}\t{account}\t{biller}\t{bank}\t{channel}\t"
                     f"{method}\t{r.processed_at.isoformat()}\t{effective}\t"
                     f"{business_date(r.processed_at).isoformat()}\t{hashes[r.sptn]}\n")
    with connection.cursor() as cursor:
        cursor.execute(_BATCH_TABLE_CREATE)
        cursor.copy_expert("COPY payment_record_many_rows FROM STDIN",
                           io.StringIO("".join(lines)))
        cursor.execute(_BATCH_INSERT, {
            "status": status, "reason": reason, "now": now, "source": source,
            "reference": source_reference, "review": needs_review,
            "kind": PaymentEventKind.RECORDED, "payload": json.dumps(payload)})
        return {sptn: pk for pk, sptn in cursor.fetchall()}


def _values_insert(table: str, columns: tuple[str, ...], count: int) -> str:
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 - constant identifiers, values bound
            f"{', '.join([row] * count)}")


def _record_many(records: Sequence[PaymentRecord], *, source: str, source_reference: str,
                 needs_review: bool) -> list[tuple[int, str, bool, Payment | None]]:
    """(payment id, outcome, created, the instance when one was made) per record, in order."""
    bills = _bills_lock_for(records)
    answers: dict[int, tuple[int, str, bool, Payment | None]] = {}
    fresh: dict[str, PaymentRecord] = {}  # the first record of each SPTN with no bill
    again: list[int] = []  # an SPTN already met earlier in the batch
    for index, r in enumerate(records):
        if r.billing_account in bills:
            result = payment_record(
                sptn=r.sptn, bnkptn=r.bnkptn, amount=r.amount,
                billing_account=r.billing_account, bank_id=r.bank_id, channel=r.channel,
                method=r.method, processed_at=r.processed_at, effective_at=r.effective_at,
                biller_id=r.biller_id, source=source, source_reference=source_reference,
                needs_review=needs_review)
            answers[index] = (result.payment.pk, result.outcome, result.created, result.payment)
        elif r.sptn in fresh:
            again.append(index)
        else:
            fresh[r.sptn] = r
    inserted = _suspense_insert(list(fresh.values()), source=source,
                                source_reference=source_reference, needs_review=needs_review)
    known = {sptn for sptn in fresh if sptn not in inserted}
    known.update(records[index].sptn for index in again)
    existing = {}
    if known:
        existing = {sptn: (pk, amount, account) for pk, sptn, amount, account in
                    Payment.objects.filter(sptn__in=known).values_list(
                        "pk", "sptn", "amount", "billing_account")}
    for index, r in enumerate(records):
        if index in answers:
            continue
        if r.sptn in inserted and fresh[r.sptn] is r:
            answers[index] = (inserted[r.sptn], PaymentOutcome.SUSPENSE, True, None)
            continue
        pk, amount, account = existing[r.sptn]
        _duplicate_warn(r.sptn, amount=r.amount, billing_account=r.billing_account,
                        recorded=(amount, account))
        answers[index] = (pk, PaymentOutcome.DUPLICATE, False, None)
    return [answers[index] for index in range(len(records))]


@transaction.atomic(savepoint=False)
def payment_record_many_ids(*, records: Sequence[PaymentRecord], source: str,
                            source_reference: str = "", needs_review: bool = False
                            ) -> list[int]:
    """`payment_record_many` answering only the payments' ids, in the order given (a known
    SPTN's existing payment): what reconciliation needs, without a model instance per row."""
    return [pk for pk, _, _, _ in _record_many(records, source=source,
                                                source_reference=source_reference,
                                                needs_review=needs_review)]


@transaction.atomic(savepoint=False)
def payment_record_many(*, records: Sequence[PaymentRecord], source: str,
                        source_reference: str = "", needs_review: bool = False
                        ) -> list[PaymentRecordResult]:
    """`payment_record` for a batch: the same rows, events, locks and answers, in the order
    given.

    The bills of the whole batch are locked in one statement; a record whose account has a
    bill goes through `payment_record` itself (paying a bill is rare here and has more to do).
    The rest — money for no known bill, held in suspense — are written in a fixed number of
    statements: the accounts' locks (as `billing_account_lock`), one look again for a bill
    issued meanwhile, one INSERT of the payments (each with its first link already hashed, a
    known SPTN inserting nothing), one of their RECORDED events, and one read of the payments
    as instances for the answers."""
    answers = _record_many(records, source=source, source_reference=source_reference,
                           needs_review=needs_review)
    read = Payment.objects.in_bulk([pk for pk, _, _, instance in answers if instance is None])
    # A payment made here is locked by this transaction (it inserted the row); one already
    # known is not.
    return [PaymentRecordResult(
        payment=instance or (row_lock_mark(read[pk]) if created else read[pk]),
        outcome=outcome, created=created)
        for pk, outcome, created, instance in answers]


def _duplicate_warn(sptn: str, *, amount: Decimal, billing_account: str,
                    recorded: tuple[Decimal, str]) -> None:
    if recorded != (amount, billing_account):
        # Same SPTN, different content: still the same payment for SADAD; staff should know.
        logger.warning("SPTN %s seen again with amount %s / account %s (recorded: %s / %s)",
                       sptn, amount, billing_account, *recorded)


def _duplicate(existing: Payment, *, amount: Decimal, billing_account: str) -> PaymentRecordResult:
    _duplicate_warn(existing.sptn, amount=amount, billing_account=billing_account,
                    recorded=(existing.amount, existing.billing_account))
    return PaymentRecordResult(payment=existing, outcome=PaymentOutcome.DUPLICATE, created=False)


def payment_match_to_bill(*, payment: Payment, bill: Bill) -> Payment:
    """A suspense payment for an unknown BillingAcct meets the bill that now carries it.
    Both rows are locked by the caller (bill_issue)."""
    status, reason = payment_disposition(bill=bill, amount=payment.amount)
    changes = {"bill": bill, "suspense_reason": reason}
    payload = {"bill": bill.billing_account, "reason": reason}
    if status == PaymentStatus.APPLIED:
        payment_status_change(payment=payment, to_status=status, kind=PaymentEventKind.MATCHED,
                              payload=payload, changes=changes)
        bill_pay(bill=bill, payment=payment)
    else:
        payment_event_record(payment=payment, kind=PaymentEventKind.MATCHED,
                             payload=payload, changes=changes)
        payment_held_notify(payment=payment, bill=bill)
        bill_event_record(bill=bill, kind=BillEventKind.PAYMENT_HELD,
                          payload={"sptn": payment.sptn, "amount": str(payment.amount),
                                   "reason": reason})
    return payment
