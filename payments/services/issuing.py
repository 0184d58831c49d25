"""Issuing a bill: priced, numbered, written with its first event, its BillNew queued, and
matched at once to payments SADAD reported for its BillingAcct before it existed.

Apart from `bills.py` because it is the one bill service that needs the payment services
(the waiting suspense payments), while those need the bill services: both sit below it.
"""

import datetime as dt
import re
from decimal import Decimal

from django.db import transaction

from amanah import clock
from amanah.dates import business_date
from amanah.errors import Conflict, DomainError
from amanah.identity import luhn_is_valid
from amanah.models import EService, Establishment, Municipality, Person
from amanah.money import sar
from amanah.statuses import row_lock_mark

from ..enums import (
    BillCategory,
    BillEventKind,
    FeeComponent,
    OutboxKind,
    PaymentStatus,
    SuspenseReason,
)
from ..locks import locked_all, payment_qs_for_update
from ..models import Bill, BillEvent
from ..notify import bill_notify
from ..registry import payable_get
from .bills import bill_dates_check, billing_account_allocate, billing_account_lock
from .fees import fee_calculate
from .outbox_queue import outbox_enqueue
from .payments import payment_match_to_bill

DEFAULT_DUE_DAYS = 30
DEFAULT_EXPIRY_AFTER_DUE_DAYS = 90


@transaction.atomic
def bill_issue(*, payable_kind: str, payable_ref: str, municipality: Municipality,
               eservice: EService, category: str = BillCategory.FEE,
               payer_person: Person | None = None,
               payer_establishment: Establishment | None = None,
               amount: Decimal | str | None = None, fee_quantity: Decimal | str | None = None,
               fee_component: str = FeeComponent.MAIN, fee_variant: str = "",
               due_date: dt.date | None = None, expiry_date: dt.date | None = None,
               description_ar: str = "", description_en: str = "", issued_by=None,
               billing_account: str | None = None, channel: str = "") -> Bill:
    """Issues a bill (by the fee schedule of `fee_component` unless an amount is given) and
    queues its BillNew. `channel` ("counter") says where it was issued, in its first event.

    A suspense payment already received for its BillingAcct is matched to it at once.
    """
    try:
        kind = payable_get(payable_kind)
    except LookupError:
        raise DomainError("bill.unknown_payable_kind", "نوع المستحق غير معروف.",
                          "Unknown payable kind.", field="payable_kind") from None
    if (payer_person is None) == (payer_establishment is None):
        raise DomainError("bill.payer_required", "حدد دافعاً واحداً: فرداً أو منشأة.",
                          "Give exactly one payer: a person or an establishment.",
                          field="payer")
    if category not in BillCategory.values:
        raise DomainError("bill.bad_category", "فئة الفاتورة غير معروفة.",
                          "Unknown bill category.", field="category")
    if not payable_ref or len(payable_ref) > 64:
        raise DomainError("bill.bad_reference", "مرجع المستحق مطلوب (٦٤ حرفاً على الأكثر).",
                          "A payable reference (at most 64 characters) is required.",
                          field="payable_ref")
    today = business_date(clock.now())
    if amount is None:
        quote = fee_calculate(eservice=eservice, municipality=municipality, on=today,
                              quantity=fee_quantity, component=fee_component,
                              variant=fee_variant)
        amount, fee_schedule, snapshot = quote.amount, quote.schedule, quote.snapshot
    else:
        try:
            amount = sar(amount)
        except (TypeError, ArithmeticError, ValueError):
            amount = None
        if amount is None or not amount.is_finite() or amount <= 0:
            raise DomainError("bill.bad_amount", "المبلغ يجب أن يكون أكبر من صفر.",
                              "The amount must be greater than zero.", field="amount")
        fee_schedule, snapshot = None, {"kind": "explicit", "amount": str(amount)}
    if amount >= Decimal("10000000000"):
        raise DomainError("bill.amount_too_large", "المبلغ أكبر من المسموح.",
                          "The amount is too large.", field="amount")
    due_date = due_date or today + dt.timedelta(days=DEFAULT_DUE_DAYS)
    expiry_date = expiry_date or due_date + dt.timedelta(days=DEFAULT_EXPIRY_AFTER_DUE_DAYS)
    bill_dates_check(due_date=due_date, expiry_date=expiry_date, today=today)
    if billing_account is None:
        billing_account = billing_account_allocate()
        # An account given by hand (a migrated legacy bill) may sit ahead in the sequence.
        while Bill.objects.filter(billing_account=billing_account).exists():
            billing_account = billing_account_allocate()
    elif (not re.fullmatch(r"\d{2,15}", billing_account, re.ASCII)
          or not luhn_is_valid(billing_account)):
        raise DomainError("bill.bad_billing_account",
                          "رقم الفاتورة أرقام فقط (١٥ على الأكثر) وآخرها رقم تحقق.",
                          "A bill number is at most 15 digits ending in a Luhn check digit.",
                          field="billing_account")
    elif Bill.objects.filter(billing_account=billing_account).exists():
        raise Conflict("bill.billing_account_taken", "رقم الفاتورة مستخدم من قبل.",
                       "This bill number was already used.", field="billing_account")
    billing_account_lock(billing_account)
    if not (description_ar and description_en):
        described_ar, described_en = kind.describe(payable_ref)
        description_ar = description_ar or described_ar
        description_en = description_en or described_en
    bill = Bill(
        billing_account=billing_account, municipality=municipality, eservice=eservice,
        category=category, payer_person=payer_person, payer_establishment=payer_establishment,
        amount=amount, due_date=due_date, expiry_date=expiry_date, payable_kind=payable_kind,
        payable_ref=payable_ref, description_ar=description_ar[:300],
        description_en=description_en[:300], fee_schedule=fee_schedule, fee_snapshot=snapshot,
        issued_by=issued_by)
    # The first link is keyed by the BillingAcct, so it is made before the insert and the bill
    # is written once, with its chain head.
    issued = BillEvent(kind=BillEventKind.ISSUED, to_status=bill.status, version=bill.version,
                       actor=issued_by, payload={"amount": str(amount), "fee": snapshot,
                                                 **({"channel": channel} if channel else {})},
                       at=clock.now())
    issued.link(bill)
    bill.save()
    issued.bill = bill
    issued.save()
    # A row this transaction inserted is invisible to every other until the commit.
    row_lock_mark(bill)
    outbox_enqueue(bill=bill, kind=OutboxKind.BILL_NEW)
    bill_notify(bill=bill, event="bill.issued")
    _suspense_match_new_bill(bill)
    return bill


def _suspense_match_new_bill(bill: Bill) -> None:
    """Payments SADAD reported for this BillingAcct before the bill existed now meet it."""
    waiting = locked_all(payment_qs_for_update()
                         .filter(billing_account=bill.billing_account, bill__isnull=True,
                                 status=PaymentStatus.SUSPENSE,
                                 suspense_reason=SuspenseReason.UNKNOWN_BILL)
                         .order_by("processed_at", "pk"))
    for payment in waiting:
        payment_match_to_bill(payment=payment, bill=bill)
