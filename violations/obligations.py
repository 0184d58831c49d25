"""Violations' provider for amanah's obligations registry: fines unpaid past their bill's due
date, one obligation per notice (category "fine", reference = the notice number), with the
reason and a link to pay its bill.

Payments' own provider lists overdue bills too; it is told to leave the bills of kind
"violation_fine" to this one (`payable_obligations_provided_elsewhere`), so a fine appears
once, with what it is for.
"""

from collections.abc import Iterable
from decimal import Decimal

from amanah import clock
from amanah.dates import business_date, dual_date_format
from amanah.money import sar_format
from amanah.obligations import Obligation, obligation_provider_register
from payments.obligations import payable_obligations_provided_elsewhere
from payments.services.bills import OPEN_STATUSES

from .enums import LineStatus, NoticeKind
from .models import ViolationLine
from .payables import PAYABLE_KIND

CODE = "violations.fine_overdue"
CATEGORY = "fine"


def fine_obligations(*, person=None, establishment=None, parcel_ref: str | None = None,
                     categories: Iterable[str] | None = None) -> list[Obligation]:
    """The person's or establishment's notices with payable lines on an open bill past its
    due date. One query."""
    if person is None and establishment is None:
        return []
    if categories is not None and CATEGORY not in set(categories):
        return []
    today = business_date(clock.now())
    lines = ViolationLine.objects.filter(
        violation__kind=NoticeKind.FINE, status=LineStatus.PAYABLE,
        bill__status__in=OPEN_STATUSES, bill__cancel_requested_at__isnull=True,
        bill__due_date__lt=today)
    if person is not None and establishment is not None:
        from django.db.models import Q

        lines = lines.filter(Q(violation__person=person)
                             | Q(violation__establishment=establishment))
    elif person is not None:
        lines = lines.filter(violation__person=person)
    else:
        lines = lines.filter(violation__establishment=establishment)
    rows = lines.order_by("bill__due_date", "violation__number", "pk").values_list(
        "violation__number", "amount", "bill__billing_account", "bill__due_date")
    by_notice: dict[str, list] = {}
    for number, amount, account, due in rows:
        entry = by_notice.setdefault(number, [Decimal("0"), account, due])
        entry[0] += amount
    return [Obligation(
        code=CODE,
        reason_ar=(f"غرامة المخالفة رقم {number} بمبلغ {sar_format(owed, 'ar')} لم تُسدَّد، "
                   f"وكان موعد سدادها {dual_date_format(due, 'ar')} (فاتورة سداد {account})."),
        reason_en=(f"The fine of violation {number} for {sar_format(owed, 'en')} is unpaid; it "
                   f"was due on {dual_date_format(due, 'en')} (SADAD bill {account})."),
        reference=number, category=CATEGORY, amount=owed,
        pay_url_name="payments:bill_detail", pay_url_args=(account,),
    ) for number, (owed, account, due) in by_notice.items()]


def register() -> None:
    obligation_provider_register("violations", fine_obligations)
    payable_obligations_provided_elsewhere(PAYABLE_KIND)
