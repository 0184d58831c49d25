import logging

import pytest

from payments.models import (
    Bill,
    BillEvent,
    InboundMessage,
    Payment,
    PaymentEvent,
    Receipt,
    SadadOutbox,
    SuspenseResolution,
)
from payments.registry import payable_register, register_builtin_kinds


@pytest.fixture
def paid_calls():
    """A payable kind `test_kind` whose on_paid calls are recorded."""
    calls = []
    payable_register("test_kind", describe=lambda ref: (f"اختبار {ref}", f"Test {ref}"),
                     on_paid=lambda *, bill, payment: calls.append((bill.pk, payment.sptn)))
    yield calls
    register_builtin_kinds()


def _snapshot():
    return {
        "bills": list(Bill.objects.order_by("pk").values_list(
            "pk", "status", "amount", "amount_paid", "version", "cancel_requested_at")),
        "bill_events": BillEvent.objects.count(),
        "payments": list(Payment.objects.order_by("pk").values_list(
            "pk", "sptn", "status", "suspense_reason", "bill_id")),
        "payment_events": PaymentEvent.objects.count(),
        "inbound": InboundMessage.objects.count(),
        "receipts": Receipt.objects.count(),
        "outbox": list(SadadOutbox.objects.order_by("pk").values_list("pk", "status",
                                                                      "attempts")),
        "resolutions": list(SuspenseResolution.objects.order_by("pk").values_list(
            "pk", "status")),
    }


@pytest.fixture
def db_snapshot():
    """Call it before and after a refused action: the two must be equal."""
    return _snapshot


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.WARNING, logger="payments.security")
    return lambda: [r for r in caplog.records if r.name == "payments.security"]
