"""Row locks, named once and reused, so every writer takes them the same way.

The `…_locked` helpers mark the rows they return as locked in this transaction
(`amanah.statuses.row_lock_mark`), so a status writer called next does not lock them again.
"""

from django.db.models import QuerySet

from amanah.db import locked_row_get
from amanah.statuses import row_lock_mark

from .models import Bill, Payment, SadadOutbox, SuspenseResolution


def bill_qs_for_update() -> QuerySet[Bill]:
    return Bill.objects.select_for_update(of=("self",))


def bill_locked_by_account(billing_account: str) -> Bill | None:
    """The bill with this BillingAcct, locked FOR UPDATE and marked so, or None: the payment
    hot path's look-up, in one statement built once (the ORM compiles it anew each time)."""
    bill = locked_row_get(Bill, field="billing_account", value=billing_account)
    return row_lock_mark(bill) if bill is not None else None


def payment_qs_for_update() -> QuerySet[Payment]:
    return Payment.objects.select_for_update(of=("self",))


def resolution_qs_for_update() -> QuerySet[SuspenseResolution]:
    return SuspenseResolution.objects.select_for_update(of=("self",))


def outbox_qs_for_update(*, skip_locked: bool = False) -> QuerySet[SadadOutbox]:
    return SadadOutbox.objects.select_for_update(skip_locked=skip_locked, of=("self",))


def locked_first(queryset: QuerySet):
    """The first row of a `…_qs_for_update()` queryset, marked as locked, or None."""
    row = queryset.first()
    return row_lock_mark(row) if row is not None else None


def locked_all(queryset: QuerySet) -> list:
    return [row_lock_mark(row) for row in queryset]
