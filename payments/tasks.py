"""Celery tasks of the payments app: ids in, a service call inside, safe to run twice."""

from celery import shared_task


@shared_task(name="payments.outbox_send")
def outbox_send(outbox_id: int) -> None:
    from .services.outbox import outbox_send as send

    send(outbox_id=outbox_id)


@shared_task(name="payments.outbox_sweep")
def outbox_sweep() -> dict:
    """Periodic: whatever the after-commit task did not deliver (broker down, SADAD down)."""
    from .services.outbox import outbox_flush

    return outbox_flush()


@shared_task(name="payments.bill_expire_due")
def bill_expire_due() -> int:
    from .services.bills import bill_expire_due as expire

    return expire()


@shared_task(name="payments.receipt_ensure")
def receipt_ensure(receipt_id: int) -> None:
    from .receipts import receipt_pdf_ensure

    receipt_pdf_ensure(receipt_id=receipt_id)


@shared_task(name="payments.receipt_sweep")
def receipt_sweep() -> int:
    """Periodic: receipts whose after-commit task never ran (broker down) get their PDF."""
    import datetime as dt

    from amanah import clock

    from .models import Receipt
    from .receipts import receipt_pdf_ensure

    stale = clock.now() - dt.timedelta(minutes=5)
    ids = list(Receipt.objects.filter(pdf="", issued_at__lt=stale)
               .order_by("pk").values_list("pk", flat=True)[:200])
    for receipt_id in ids:
        receipt_pdf_ensure(receipt_id=receipt_id)
    return len(ids)
