"""The payable kind "violation_fine": a fine notice's bill (payable_ref = the notice number).

`on_paid` runs inside the transaction that records the payment: it marks the bill's lines
paid under the notice's lock (`billing.fine_paid_record`) and only schedules the rest (a
penalty that lifts on payment, the receipt SMS) — paying never waits on a case.
"""

from payments.registry import payable_register

PAYABLE_KIND = "violation_fine"


def fine_describe(ref: str) -> tuple[str, str]:
    return (f"غرامة مخالفة بلدية رقم {ref}", f"Municipal violation fine {ref}")


def fine_on_paid(*, bill, payment) -> None:
    from .services.billing import fine_paid_record

    fine_paid_record(bill=bill, payment=payment)


def register() -> None:
    payable_register(PAYABLE_KIND, describe=fine_describe, on_paid=fine_on_paid)
