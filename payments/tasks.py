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


@shared_task(name="payments.bill_expiring_notify")
def bill_expiring_notify() -> int:
    """Daily: payers of bills about to expire are reminded (payments/notify.py)."""
    from .notify import bill_expiring_notify_due

    return bill_expiring_notify_due()


@shared_task(name="payments.receipt_ensure")
def receipt_ensure(receipt_id: int) -> None:
    """After a payment's commit: the payer is told, then the PDF is made. In that order: a PDF
    on file is how the sweeper knows a receipt is done, so it must come last."""
    from .notify import receipt_paid_notify
    from .receipts import receipt_pdf_ensure

    receipt_paid_notify(receipt_id=receipt_id)
    receipt_pdf_ensure(receipt_id=receipt_id)


@shared_task(name="payments.receipt_sweep")
def receipt_sweep() -> int:
    """Periodic: receipts whose after-commit task never ran (broker down) get their payer told
    (once: the notification is keyed by the bill) and their PDF."""
    import datetime as dt

    from amanah import clock

    from .models import Receipt
    from .notify import receipt_paid_notify
    from .receipts import receipt_pdf_ensure

    stale = clock.now() - dt.timedelta(minutes=5)
    ids = list(Receipt.objects.filter(pdf="", issued_at__lt=stale)
               .order_by("pk").values_list("pk", flat=True)[:200])
    for receipt_id in ids:
        receipt_paid_notify(receipt_id=receipt_id)
        receipt_pdf_ensure(receipt_id=receipt_id)
    return len(ids)


# Best effort, like the workflow's SMS: nothing records a message yet for a sweeper to find
# (the notification outbox, issue 12); the page shows the same facts whenever the payer looks.
@shared_task(name="payments.payment_notify_payer")
def payment_notify_payer(event_id: int) -> int:
    """Tells the payer of the bill money was held for what happened to it (notices.py)."""
    from amanah.notifications import sms_send

    from .models import Bill, PaymentEvent, SuspenseResolution
    from .notices import payer_mobiles, payer_notice_body

    event = PaymentEvent.objects.select_related("payment").filter(pk=event_id).first()
    if event is None:
        return 0
    # The bill the money came for: its number as received, whichever bill it paid since.
    bill = (Bill.objects.select_related("payer_person", "payer_establishment")
            .filter(billing_account=event.payment.billing_account).first())
    if bill is None:
        return 0
    resolution_id = (event.payload or {}).get("resolution")
    resolution = (SuspenseResolution.objects.select_related("target_bill")
                  .filter(pk=resolution_id).first() if resolution_id else None)
    body = payer_notice_body(event=event, bill=bill, resolution=resolution)
    if body is None:
        return 0
    mobiles = payer_mobiles(bill)
    for mobile in mobiles:
        sms_send(to=mobile, body=body)
    return len(mobiles)
