"""What payers are told, through amanah's notifications (amanah/notify.py): a bill issued,
paid, about to expire, expired; money held for it in suspense.

Each call is made inside the transaction that records the change, so the message is
recorded with it, sent after the commit, and never sent for a change rolled back. The payer
is the bill's person, or the representatives of its establishment.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction

from amanah import clock
from amanah.dates import business_date, dual_date_format
from amanah.money import sar_format
from amanah.notify import notification_request, recipients_of

from .enums import BillStatus, SuspenseReason
from .models import Bill, Payment

# As payments.services.bills.OPEN_STATUSES (not imported: the services import this module).
OPEN_STATUSES = (BillStatus.PENDING_REGISTRATION, BillStatus.UNPAID)


def _both(render) -> dict[str, str]:
    return {"ar": render("ar"), "en": render("en")}


def _bill_context(bill: Bill) -> dict:
    return {"bill_number": bill.billing_account,
            "amount": _both(lambda language: sar_format(bill.amount, language)),
            "description": {"ar": bill.description_ar,
                            "en": bill.description_en or bill.description_ar},
            "due_date": _both(lambda language: dual_date_format(bill.due_date, language)),
            "expiry_date": _both(lambda language: dual_date_format(bill.expiry_date, language))}


def _payers(bill: Bill):
    return recipients_of(person=bill.payer_person, establishment=bill.payer_establishment)


def bill_notify(*, bill: Bill, event: str) -> list[int]:
    """The payer hears that `bill` was issued, paid or expired (once per bill and event)."""
    return notification_request(event=event, key=f"{event}:{bill.pk}", recipients=_payers(bill),
                                context=_bill_context(bill))


def receipt_paid_notify(*, receipt_id: int) -> list[int]:
    """The payer hears their bill was paid: run after the payment's commit by the receipt's
    task (and its sweeper), keyed by the bill, so however often it runs one message goes."""
    from .models import Receipt

    receipt = (Receipt.objects.select_related("bill__payer_person", "bill__payer_establishment")
               .filter(pk=receipt_id).first())
    if receipt is None:
        return []
    with transaction.atomic():
        return bill_notify(bill=receipt.bill, event="bill.paid")


def bill_expiring_notify_due(*, today: dt.date | None = None, days: int | None = None) -> int:
    """Daily: each open bill expiring within `days` (BILL_EXPIRY_NOTICE_DAYS) is announced to
    its payer once per expiry date (a rescheduled bill is announced again)."""
    today = today or business_date(clock.now())
    days = settings.BILL_EXPIRY_NOTICE_DAYS if days is None else days
    bills = list(Bill.objects.filter(status__in=OPEN_STATUSES, expiry_date__gte=today,
                                     expiry_date__lte=today + dt.timedelta(days=days))
                 .select_related("payer_person", "payer_establishment").order_by("pk"))
    requested = 0
    for bill in bills:
        context = {**_bill_context(bill), "days_left": str((bill.expiry_date - today).days)}
        with transaction.atomic():
            requested += bool(notification_request(
                event="bill.expiring", key=f"bill.expiring:{bill.pk}:{bill.expiry_date}",
                recipients=_payers(bill), context=context))
    return requested


def _held_reason(payment: Payment, bill: Bill, language: str) -> str:
    due = sar_format(bill.amount, language)
    english = language == "en"
    if payment.suspense_reason == SuspenseReason.UNDERPAID:
        return (f"less than the {due} due, so it is not paid" if english
                else f"وهو أقل من المستحق ({due})، فلم تُسدَّد")
    if payment.suspense_reason == SuspenseReason.OVERPAID:
        return (f"more than the {due} due, so it is not paid" if english
                else f"وهو أكثر من المستحق ({due})، فلم تُسدَّد")
    if payment.suspense_reason == SuspenseReason.ALREADY_PAID:
        return "which was already paid" if english else "وكانت مسددة من قبل"
    return "which could no longer be paid" if english else "ولم تعد قابلة للسداد"


def payment_held_notify(*, payment: Payment, bill: Bill) -> list[int]:
    """The payer hears that money arrived for their bill and is held, and why."""
    return notification_request(
        event="payment.suspense", key=f"payment.suspense:{payment.pk}",
        recipients=_payers(bill),
        context={"bill_number": bill.billing_account,
                 "amount": _both(lambda language: sar_format(payment.amount, language)),
                 "due_amount": _both(lambda language: sar_format(bill.amount, language)),
                 "reason": _both(lambda language: _held_reason(payment, bill, language))})
