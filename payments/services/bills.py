"""Bills: uploaded to SADAD, updated, cancelled, expired, paid (issuing is `issuing.py`)."""

import datetime as dt
import logging
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F

from amanah import clock
from amanah.dates import business_date
from amanah.db import insert_row, update_row
from amanah.errors import Conflict, DomainError, NotFound
from amanah.identity import luhn_check_digit
from amanah.money import sar
from amanah.statuses import StatusTransitions, row_lock_ensure

from ..enums import BillEventKind, BillStatus, OutboxKind
from ..locks import bill_qs_for_update, locked_first
from ..models import Bill, BillEvent, BillingAccountCounter
from ..notify import bill_notify
from .outbox_queue import outbox_enqueue

logger = logging.getLogger("payments.bills")

OPEN_STATUSES = (BillStatus.PENDING_REGISTRATION, BillStatus.UNPAID)


def billing_account_allocate() -> str:
    """A fresh BillingAcct: a ten-digit payload from a sequence plus its Luhn check digit.

    A sequence value is consumed even when the transaction rolls back, so a number is never
    handed out twice.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('payments_billing_account_seq')")
            payload = str(cursor.fetchone()[0])
    else:
        updated = BillingAccountCounter.objects.update(next_value=F("next_value") + 1)
        if not updated:
            BillingAccountCounter.objects.create(next_value=1000000001)
        payload = str(BillingAccountCounter.objects.values_list("next_value", flat=True)
                      .get() - 1)
    return payload + luhn_check_digit(payload)


_ACCOUNT_LOCK_NAMESPACE = 0x5AD0  # first key of the advisory lock pair; the account is the second


def billing_account_lock(billing_account: str) -> None:
    """Serialise "a bill with this BillingAcct appears" against "money for it arrives".

    Without it, a payment for a not-yet-committed bill and the bill's matching step could each
    miss the other. Held to the end of the transaction; a no-op on SQLite, which has one writer.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                       [_ACCOUNT_LOCK_NAMESPACE, int(billing_account) % 2**31])



def billing_accounts_lock(billing_accounts: list[str]) -> None:
    """`billing_account_lock` for many accounts in one statement (a batch of payments), taken
    in ascending key order so that two batches wait for each other instead of deadlocking."""
    if connection.vendor != "postgresql" or not billing_accounts:
        return
    keys = sorted({int(account) % 2**31 for account in billing_accounts})
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(pg_advisory_xact_lock(%s, k)) FROM "
                       "(SELECT k FROM unnest(%s::integer[]) AS k ORDER BY k) AS ordered",
                       [_ACCOUNT_LOCK_NAMESPACE, keys])

# Where a bill's status may go. Paid, expired and cancelled are final: money or SADAD's word
# closed them. A bill still waiting for SADAD's acceptance may be paid (SADAD took money for
# it, so it knew it) or cancelled (when SADAD rejected it, there is nothing to withdraw).
BILL_TRANSITIONS = StatusTransitions("bill", BillStatus, {
    BillStatus.PENDING_REGISTRATION: {BillStatus.UNPAID, BillStatus.PAID, BillStatus.EXPIRED,
                                      BillStatus.CANCELLED},
    BillStatus.UNPAID: {BillStatus.PAID, BillStatus.EXPIRED, BillStatus.CANCELLED},
})


def _bill_relock(bill: Bill) -> None:
    row_lock_ensure(bill, bill_qs_for_update())


def _bill_event_save(bill: Bill, *, kind: str, from_status: str, actor, reason: str,
                     payload: dict | None, fields: list[str]) -> BillEvent:
    """The next link of the bill's chain, and `fields` of the bill with its new head, written
    in one UPDATE and one INSERT."""
    event = BillEvent(kind=kind, from_status=from_status, to_status=bill.status,
                      version=bill.version, actor=actor, reason=reason[:2000],
                      payload=payload or {}, at=clock.now())
    event.link(bill)
    update_row(bill, fields=[*fields, "last_event_seq", "last_event_hash", "updated_at"])
    insert_row(event)
    return event


def bill_event_record(*, bill: Bill, kind: str, actor=None, reason: str = "",
                      payload: dict | None = None, changes: dict | None = None) -> BillEvent:
    """Something happened to a bill that leaves its status as it is (SADAD accepted it, its
    amount or dates changed, money for it was held): `changes` and an event, under its lock."""
    _bill_relock(bill)
    changes = changes or {}
    for name, value in changes.items():
        setattr(bill, name, value)
    return _bill_event_save(bill, kind=kind, from_status=bill.status, actor=actor, reason=reason,
                            payload=payload, fields=list(changes))


def bill_status_change(*, bill: Bill, to_status: str, kind: str, actor=None, reason: str = "",
                       payload: dict | None = None, changes: dict | None = None) -> BillEvent:
    """The one writer of `Bill.status`: under the bill's lock, only along BILL_TRANSITIONS,
    with its event (and any `changes` that go with the move) in the same transaction."""
    _bill_relock(bill)
    BILL_TRANSITIONS.check(bill.status, to_status)
    from_status = bill.status
    bill.status = to_status
    changes = changes or {}
    for name, value in changes.items():
        setattr(bill, name, value)
    return _bill_event_save(bill, kind=kind, from_status=from_status, actor=actor, reason=reason,
                            payload=payload, fields=["status", *changes])


def _bill_locked(bill_id: int) -> Bill:
    bill = locked_first(bill_qs_for_update().filter(pk=bill_id))
    if bill is None:
        raise NotFound("bill.not_found", "الفاتورة غير موجودة.", "No such bill.")
    return bill


def _refuse_unless_open(bill: Bill, *, action_en: str, action_ar: str) -> None:
    if bill.status not in OPEN_STATUSES:
        raise Conflict("bill.not_open",
                       f"لا يمكن {action_ar} لفاتورة حالتها «{BillStatus(bill.status).label}».",
                       f"Cannot {action_en} a bill that is {bill.status}.")
    if bill.cancel_requested_at is not None:
        raise Conflict("bill.cancel_pending",
                       f"لا يمكن {action_ar} لفاتورة طُلب إلغاؤها.",
                       f"Cannot {action_en} a bill whose cancellation is pending.")


@transaction.atomic
def bill_update_amount(*, bill_id: int, amount: Decimal | str, actor=None,
                       reason: str = "") -> Bill:
    """Changes what an open bill asks for; SADAD gets a BillUpdated at the next version."""
    bill = _bill_locked(bill_id)
    _refuse_unless_open(bill, action_en="change the amount of", action_ar="تعديل المبلغ")
    try:
        new_amount = sar(amount)
    except (TypeError, ArithmeticError, ValueError):
        new_amount = None
    if new_amount is None or not new_amount.is_finite() or new_amount <= 0 \
            or new_amount >= Decimal("10000000000"):
        raise DomainError("bill.bad_amount", "المبلغ يجب أن يكون أكبر من صفر.",
                          "The amount must be greater than zero.", field="amount")
    if new_amount == bill.amount:
        raise DomainError("bill.amount_unchanged", "المبلغ الجديد مساوٍ للحالي.",
                          "The new amount equals the current one.", field="amount")
    old_amount = bill.amount
    bill_event_record(bill=bill, kind=BillEventKind.AMOUNT_UPDATED, actor=actor, reason=reason,
                      payload={"from": str(old_amount), "to": str(new_amount)},
                      changes={"amount": new_amount, "version": bill.version + 1})
    outbox_enqueue(bill=bill, kind=OutboxKind.BILL_UPDATED)
    return bill


def bill_dates_check(*, due_date: dt.date, expiry_date: dt.date, today: dt.date) -> None:
    """A bill is due today or later and expires no earlier than it is due."""
    if due_date < today:
        raise DomainError("bill.due_in_past", "تاريخ الاستحقاق في الماضي.",
                          "The due date is in the past.", field="due_date")
    if expiry_date < due_date:
        raise DomainError("bill.expiry_before_due", "تاريخ الانتهاء قبل تاريخ الاستحقاق.",
                          "The expiry date is before the due date.", field="expiry_date")


@transaction.atomic
def bill_reschedule(*, bill_id: int, due_date: dt.date, expiry_date: dt.date, actor=None,
                    reason: str = "") -> Bill:
    """Moves an open bill's due and expiry dates; SADAD gets a BillUpdated at the next version."""
    bill = _bill_locked(bill_id)
    _refuse_unless_open(bill, action_en="reschedule", action_ar="تعديل مواعيد")
    today = business_date(clock.now())
    bill_dates_check(due_date=due_date, expiry_date=expiry_date, today=today)
    if (due_date, expiry_date) == (bill.due_date, bill.expiry_date):
        raise DomainError("bill.dates_unchanged", "المواعيد الجديدة مساوية للحالية.",
                          "The new dates equal the current ones.", field="due_date")
    old = {"due_date": bill.due_date.isoformat(), "expiry_date": bill.expiry_date.isoformat()}
    bill_event_record(bill=bill, kind=BillEventKind.RESCHEDULED, actor=actor, reason=reason,
                      payload={"from": old, "to": {"due_date": due_date.isoformat(),
                                                   "expiry_date": expiry_date.isoformat()}},
                      changes={"due_date": due_date, "expiry_date": expiry_date,
                               "version": bill.version + 1})
    outbox_enqueue(bill=bill, kind=OutboxKind.BILL_UPDATED)
    return bill


@transaction.atomic
def bill_cancel(*, bill_id: int, actor=None, reason: str = "") -> Bill:
    """Asks SADAD to stop accepting payments (BillExpired); final once SADAD accepted it."""
    bill = _bill_locked(bill_id)
    _refuse_unless_open(bill, action_en="cancel", action_ar="إلغاء")
    changes = {"cancel_requested_at": clock.now(), "cancel_reason": reason[:300]}
    if bill.registered_at is None and bill.sadad_rejection:
        # SADAD never accepted this bill, so there is nothing to withdraw there.
        bill_status_change(bill=bill, to_status=BillStatus.CANCELLED,
                           kind=BillEventKind.CANCELLED, actor=actor, reason=reason,
                           payload={"uploaded": False}, changes=changes)
        return bill
    bill_event_record(bill=bill, kind=BillEventKind.CANCEL_REQUESTED, actor=actor,
                      reason=reason, changes=changes)
    outbox_enqueue(bill=bill, kind=OutboxKind.BILL_EXPIRED)
    return bill


@transaction.atomic
def bill_cancel_confirm(*, bill_id: int, version: int) -> Bill:
    """SADAD accepted a BillExpired: a requested cancellation becomes final."""
    bill = _bill_locked(bill_id)
    if bill.cancel_requested_at is None or bill.status not in OPEN_STATUSES:
        # An expiry upload, or the bill was paid before SADAD stopped taking money:
        # the money won, and the bill keeps its status.
        bill_event_record(bill=bill, kind=BillEventKind.REGISTERED,
                          payload={"accepted": "BillExpired", "version": version})
        return bill
    bill_status_change(bill=bill, to_status=BillStatus.CANCELLED, kind=BillEventKind.CANCELLED,
                       reason=bill.cancel_reason, payload={"version": version})
    return bill


@transaction.atomic
def bill_mark_registered(*, bill_id: int, version: int) -> Bill:
    """SADAD accepted the bill: only now is it shown to the citizen as payable."""
    bill = _bill_locked(bill_id)
    changes = {"registered_at": clock.now()} if bill.registered_at is None else {}
    if bill.status == BillStatus.PENDING_REGISTRATION:
        bill_status_change(bill=bill, to_status=BillStatus.UNPAID,
                           kind=BillEventKind.REGISTERED, payload={"version": version},
                           changes=changes)
    else:
        bill_event_record(bill=bill, kind=BillEventKind.REGISTERED, payload={"version": version},
                          changes=changes)
    return bill


@transaction.atomic
def bill_mark_rejected(*, bill_id: int, version: int, kind: str, reason: str) -> Bill:
    """SADAD refused an upload: the bill stays unpayable there and staff must look at it."""
    bill = _bill_locked(bill_id)
    bill_event_record(bill=bill, kind=BillEventKind.REJECTED_BY_SADAD, reason=reason or "",
                      payload={"version": version, "upload": kind},
                      changes={"sadad_rejection": (reason or "rejected")[:300]})
    return bill


def bill_expire_due(*, today: dt.date | None = None, limit: int = 1000) -> int:
    """Periodic: open bills past their expiry date become expired and SADAD is told."""
    today = today or business_date(clock.now())
    candidates = list(Bill.objects.filter(status__in=OPEN_STATUSES, expiry_date__lt=today)
                      .order_by("pk").values_list("pk", flat=True)[:limit])
    expired = 0
    for bill_id in candidates:
        with transaction.atomic():
            bill = locked_first(bill_qs_for_update().filter(pk=bill_id))
            # Checked again under the lock: a payment may have landed in between.
            if bill is None or bill.status not in OPEN_STATUSES or bill.expiry_date >= today:
                continue
            bill_status_change(bill=bill, to_status=BillStatus.EXPIRED,
                               kind=BillEventKind.EXPIRED,
                               payload={"expiry_date": bill.expiry_date.isoformat()})
            if bill.registered_at is not None or not bill.sadad_rejection:
                outbox_enqueue(bill=bill, kind=OutboxKind.BILL_EXPIRED)
            bill_notify(bill=bill, event="bill.expired")
            expired += 1
    return expired
