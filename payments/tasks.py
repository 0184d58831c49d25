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
