"""Row locks, named once and reused, so every writer takes them the same way."""

from django.db.models import QuerySet

from .models import Bill, Payment, SadadOutbox, SuspenseResolution


def bill_qs_for_update() -> QuerySet[Bill]:
    return Bill.objects.select_for_update(of=("self",))


def payment_qs_for_update() -> QuerySet[Payment]:
    return Payment.objects.select_for_update(of=("self",))


def resolution_qs_for_update() -> QuerySet[SuspenseResolution]:
    return SuspenseResolution.objects.select_for_update(of=("self",))


def outbox_qs_for_update(*, skip_locked: bool = False) -> QuerySet[SadadOutbox]:
    return SadadOutbox.objects.select_for_update(skip_locked=skip_locked, of=("self",))
