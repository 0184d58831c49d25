"""Reads of the payments app, each a fixed number of queries."""

from django.db.models import Q, QuerySet

from amanah.errors import NotFound
from amanah.models import Person

from .enums import BillStatus, PaymentStatus, ResolutionStatus
from .models import Bill, Payment, Receipt, SuspenseResolution

_BILL_RELATED = ("municipality", "eservice", "payer_person", "payer_establishment")


def bill_get(*, pk: int | None = None, billing_account: str | None = None) -> Bill:
    qs = Bill.objects.select_related(*_BILL_RELATED)
    bill = (qs.filter(pk=pk) if pk is not None else qs.filter(billing_account=billing_account)
            ).first()
    if bill is None:
        raise NotFound("bill.not_found", "الفاتورة غير موجودة.", "No such bill.")
    return bill


def bill_list_for_person(*, person: Person) -> QuerySet[Bill]:
    """A citizen's bills and those of establishments they represent, newest first.
    Bills still waiting for SADAD's acceptance are included (shown as not yet payable)."""
    return (Bill.objects.select_related(*_BILL_RELATED)
            .filter(Q(payer_person=person)
                    | Q(payer_establishment__in=person.establishments.values("pk")))
            .order_by("-created_at", "-pk"))


def bill_list_payable_for_person(*, person: Person) -> QuerySet[Bill]:
    return (Bill.objects.select_related(*_BILL_RELATED)
            .filter(payer_person=person, status=BillStatus.UNPAID,
                    cancel_requested_at__isnull=True)
            .order_by("due_date", "pk"))


def payment_get(*, pk: int | None = None, sptn: str | None = None) -> Payment:
    qs = Payment.objects.select_related("bill")
    payment = (qs.filter(pk=pk) if pk is not None else qs.filter(sptn=sptn)).first()
    if payment is None:
        raise NotFound("payment.not_found", "الدفعة غير موجودة.", "No such payment.")
    return payment


def payment_list_suspense() -> QuerySet[Payment]:
    """The staff queue: every payment still in suspense, oldest first."""
    return (Payment.objects.select_related("bill__municipality")
            .filter(status=PaymentStatus.SUSPENSE).order_by("processed_at", "pk"))


def refund_list_awaiting_approval() -> QuerySet[SuspenseResolution]:
    return (SuspenseResolution.objects.select_related("payment", "requested_by")
            .filter(status=ResolutionStatus.REQUESTED).order_by("requested_at", "pk"))


def receipt_get(*, pk: int | None = None, number: str | None = None,
                verify_token: str | None = None) -> Receipt:
    qs = Receipt.objects.select_related("bill__eservice", "bill__municipality", "payment")
    if pk is not None:
        qs = qs.filter(pk=pk)
    elif number is not None:
        qs = qs.filter(number=number)
    else:
        qs = qs.filter(verify_token=verify_token)
    receipt = qs.first()
    if receipt is None:
        raise NotFound("receipt.not_found", "الإيصال غير موجود.", "No such receipt.")
    return receipt
