"""Payments' provider for amanah's obligations registry: overdue unpaid bills of a payer."""

from collections.abc import Iterable

from django.utils import translation

from amanah import clock
from amanah.dates import business_date, dual_date_format
from amanah.money import sar_format
from amanah.obligations import Obligation

from .enums import BillCategory
from .models import Bill
from .selectors import bill_list_overdue_for_payer

CODE = "payments.bill_overdue"

# Payable kinds whose app lists their overdue bills itself, with its own reason and link
# (violations' fines): left out here so a debt appears once.
_provided_elsewhere: set[str] = set()


def payable_obligations_provided_elsewhere(kind: str) -> None:
    """Called by the app that owns payable kind `kind` and provides its obligations itself."""
    _provided_elsewhere.add(kind)


def _category_label(category: str, language: str) -> str:
    with translation.override(language):
        return str(BillCategory(category).label)


def _obligation(bill: Bill) -> Obligation:
    owed = bill.amount - bill.amount_paid
    return Obligation(
        code=CODE,
        reason_ar=(f"فاتورة {_category_label(bill.category, 'ar')} رقم {bill.billing_account} "
                   f"({bill.description_ar}) بمبلغ {sar_format(owed, 'ar')} لم تُسدَّد، "
                   f"وكان موعد سدادها {dual_date_format(bill.due_date, 'ar')}."),
        reason_en=(f"{_category_label(bill.category, 'en')} bill {bill.billing_account} "
                   f"({bill.description_en}) for {sar_format(owed, 'en')} is unpaid; it was "
                   f"due on {dual_date_format(bill.due_date, 'en')}."),
        reference=bill.billing_account,
        category=bill.category.lower(),
        amount=owed,
        pay_url_name="payments:bill_detail",
        pay_url_args=(bill.billing_account,),
    )


def bill_obligations(*, person=None, establishment=None, parcel_ref: str | None = None,
                     categories: Iterable[str] | None = None) -> list[Obligation]:
    """Bills of the person or establishment that are unpaid past their due date. One query."""
    # A bill names its payer, never a parcel: `parcel_ref` alone finds nothing here. What is
    # owed on a parcel (a violation's fine) is said by the app that knows parcels.
    if person is None and establishment is None:
        return []
    bill_categories = None
    if categories is not None:
        wanted = set(categories)
        bill_categories = [c for c in BillCategory.values if c.lower() in wanted]
        if not bill_categories:
            return []
    bills = bill_list_overdue_for_payer(person=person, establishment=establishment,
                                        categories=bill_categories,
                                        today=business_date(clock.now()))
    if _provided_elsewhere:
        bills = bills.exclude(payable_kind__in=sorted(_provided_elsewhere))
    return [_obligation(bill) for bill in bills]
