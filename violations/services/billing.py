"""A fine notice's bills: one FINE bill for what is payable at approval, the lines re-billed
after an objection, payment recorded line by line, and the notice settled when nothing is left
to pay or decide.

A line asks for its amount on at most one bill at a time (`ViolationLine.bill`). Every
function here runs with the notice locked by its caller (`records.violation_lock`) and writes
only through the status writers of records.py; what follows a payment (a penalty that lifts on
payment, the receipt SMS) is scheduled after the commit, never done inside it.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from amanah import clock
from amanah.dates import business_date
from amanah.dispatch import task_on_commit
from amanah.models import EService
from payments.enums import BillCategory
from payments.models import Bill
from payments.services.bills import OPEN_STATUSES, bill_reschedule, bill_update_amount
from payments.services.issuing import DEFAULT_EXPIRY_AFTER_DUE_DAYS, bill_issue

from ..enums import LineStatus, NoticeKind, ViolationEventKind, ViolationStatus
from ..models import Violation, ViolationLine
from ..payables import PAYABLE_KIND
from .records import (
    line_status_change,
    violation_event_append,
    violation_lock,
    violation_save,
    violation_status_change,
)

FINE_DUE_DAYS = 30
VIOLATION_ESERVICE = "violation"
# After a payment commits: lift the penalties that wait for it, send the receipt SMS (the name
# is also written out where it is queued: tests/seams/test_lost_tasks.py reads it there).
FINE_PAID_TASK = "violations.fine_paid_effects"


def fine_payer(violation: Violation) -> dict | None:
    """Whom the fine's bill names: the establishment, else the person; None for a place with
    no offender identity (approved, but no bill can be made: "no payer on record")."""
    if violation.establishment_id:
        return {"payer_establishment": violation.establishment}
    if violation.person_id:
        return {"payer_person": violation.person}
    return None


def _due_dates(today: dt.date) -> tuple[dt.date, dt.date]:
    due = today + dt.timedelta(days=FINE_DUE_DAYS)
    return due, due + dt.timedelta(days=DEFAULT_EXPIRY_AFTER_DUE_DAYS)


def fine_bill_issue(*, violation: Violation, lines: list[ViolationLine], actor) -> Bill | None:
    """One FINE bill for the given PAYABLE lines of a notice (due in 30 days), the lines
    pointed at it; None, with an event saying so, when the notice has no payer on record."""
    lines = [line for line in lines if line.status == LineStatus.PAYABLE]
    if not lines:
        return None
    amount = sum((line.amount for line in lines), Decimal("0"))
    payer = fine_payer(violation)
    if payer is None or amount <= 0:
        violation_event_append(violation, kind=ViolationEventKind.BILLED, actor=actor,
                               reason="no payer on record" if payer is None else "nothing to pay",
                               payload={"bill": None, "lines": [line.pk for line in lines],
                                        "amount": str(amount)})
        violation_save(violation, [])
        return None
    today = business_date(clock.now())
    due, expiry = _due_dates(today)
    bill = bill_issue(payable_kind=PAYABLE_KIND, payable_ref=violation.number,
                      municipality=violation.municipality,
                      eservice=EService.objects.get(code=VIOLATION_ESERVICE),
                      category=BillCategory.FINE, amount=amount, due_date=due,
                      expiry_date=expiry, issued_by=_user(actor), **payer)
    ViolationLine.objects.filter(pk__in=[line.pk for line in lines]).update(bill=bill)
    for line in lines:
        line.bill = bill
    violation_event_append(violation, kind=ViolationEventKind.BILLED, actor=actor,
                           payload={"bill": bill.billing_account, "amount": str(amount),
                                    "lines": [line.pk for line in lines],
                                    "due_date": due.isoformat()})
    violation_save(violation, [])
    return bill


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def open_bill_of(violation: Violation) -> Bill | None:
    """The notice's bill that can still take a change: open, not paid, not being cancelled."""
    return (Bill.objects.filter(payable_kind=PAYABLE_KIND, payable_ref=violation.number,
                                status__in=OPEN_STATUSES, cancel_requested_at__isnull=True)
            .order_by("-pk").first())


def lines_rebill(*, violation: Violation, lines: list[ViolationLine], actor) -> Bill | None:
    """Lines back to PAYABLE (an objection rejected or reduced) are asked for again: on the
    notice's open bill (amount up: BillUpdated; due today + 30 days) or else on a new bill."""
    lines = [line for line in lines if line.status == LineStatus.PAYABLE]
    if not lines:
        return None
    bill = open_bill_of(violation)
    if bill is None:
        return fine_bill_issue(violation=violation, lines=lines, actor=actor)
    ids = {line.pk for line in lines}
    # What the bill asks for is recomputed from the lines, not incremented: a line counted
    # on this bill already is never counted twice.
    amount = sum(ViolationLine.objects.filter(violation=violation, status=LineStatus.PAYABLE)
                 .filter(Q(bill=bill) | Q(pk__in=ids)).values_list("amount", flat=True),
                 Decimal("0"))
    reason = f"violation {violation.number}: lines payable again"
    if amount != bill.amount:
        bill = bill_update_amount(bill_id=bill.pk, amount=amount, actor=_user(actor),
                                  reason=reason)
    due, expiry = _due_dates(business_date(clock.now()))
    if (due, expiry) != (bill.due_date, bill.expiry_date):
        bill = bill_reschedule(bill_id=bill.pk, due_date=due, expiry_date=expiry,
                               actor=_user(actor), reason=reason)
    ViolationLine.objects.filter(pk__in=ids).update(bill=bill)
    for line in lines:
        line.bill = bill
    violation_event_append(violation, kind=ViolationEventKind.BILLED, actor=actor,
                           payload={"bill": bill.billing_account, "amount": str(amount),
                                    "lines": sorted(ids), "due_date": due.isoformat(),
                                    "rebilled": True})
    violation_save(violation, [])
    return bill


def violation_settle_check(*, violation: Violation, actor) -> None:
    """SETTLED when no line is payable or under objection; ISSUED again when one is."""
    if violation.kind != NoticeKind.FINE:
        return
    open_lines = violation.lines.filter(
        status__in=(LineStatus.PAYABLE, LineStatus.OBJECTED)).exists()
    if open_lines and violation.status == ViolationStatus.SETTLED:
        violation_status_change(violation=violation, to_status=ViolationStatus.ISSUED,
                                kind=ViolationEventKind.BILLED, actor=actor,
                                reason="a line is payable again")
    elif not open_lines and violation.status == ViolationStatus.ISSUED:
        violation_status_change(violation=violation, to_status=ViolationStatus.SETTLED,
                                kind=ViolationEventKind.SETTLED, actor=actor)


def fine_paid_record(*, bill: Bill, payment) -> None:
    """In the payment's transaction: the bill's payable lines become PAID (once), the notice
    settles if nothing is left; penalty lifts and the receipt SMS are scheduled after commit."""
    notice_id = (Violation.objects.filter(number=bill.payable_ref)
                 .values_list("pk", flat=True).first())
    if notice_id is None:
        # payments flags the payment for review: a fine bill nobody recorded.
        raise LookupError(f"no violation notice {bill.payable_ref} for bill "
                          f"{bill.billing_account}")
    violation = violation_lock(notice_id)
    lines = list(violation.lines.select_for_update().filter(bill=bill,
                                                            status=LineStatus.PAYABLE))
    if not lines:
        return  # recorded already: the same payment told twice
    for line in lines:
        line_status_change(violation=violation, line=line, to_status=LineStatus.PAID,
                           payload={"bill": bill.billing_account, "payment": payment.pk,
                                    "sptn": payment.sptn})
    violation_settle_check(violation=violation, actor=None)
    task_on_commit("violations.fine_paid_effects", violation_id=violation.pk, bill_id=bill.pk)


def fine_paid_sweep(*, limit: int = 200) -> int:
    """Periodic: lines still PAYABLE on a bill that is PAID (its `on_paid` failed — e.g. lost a
    deadlock with an objection on the same notice — and payments flagged the payment for
    review) are recorded as paid now, as the payment would have. Returns how many bills."""
    from django.db import transaction

    from payments.enums import BillStatus, PaymentStatus
    from payments.models import Payment

    bill_ids = list(ViolationLine.objects.filter(status=LineStatus.PAYABLE,
                                                 bill__status=BillStatus.PAID)
                    .order_by("bill_id").values_list("bill_id", flat=True).distinct()[:limit])
    for bill_id in bill_ids:
        payment = (Payment.objects.filter(bill_id=bill_id, status=PaymentStatus.APPLIED)
                   .order_by("pk").first())
        if payment is None:
            continue
        with transaction.atomic():
            fine_paid_record(bill=Bill.objects.get(pk=bill_id), payment=payment)
    return len(bill_ids)
