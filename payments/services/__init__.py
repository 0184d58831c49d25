"""Writes of the payments app. Import from here; the modules are split by sub-domain."""

from .bills import (
    bill_cancel,
    bill_cancel_confirm,
    bill_expire_due,
    bill_issue,
    bill_mark_registered,
    bill_mark_rejected,
    bill_reschedule,
    bill_update_amount,
    billing_account_allocate,
)
from .fees import FeeQuote, fee_calculate, fee_schedule_create, fee_schedule_validate
from .misc_fees import misc_fee_issue
from .notifications import InboundResponse, notification_handle
from .outbox import outbox_flush, outbox_send
from .payments import PaymentRecordResult, bill_pay, payment_match_to_bill, payment_record
from .suspense import (
    refund_approve,
    refund_reject,
    refund_request,
    suspense_allocate,
    suspense_write_off,
)

__all__ = [
    "FeeQuote",
    "InboundResponse",
    "PaymentRecordResult",
    "bill_cancel",
    "bill_cancel_confirm",
    "bill_expire_due",
    "bill_issue",
    "bill_mark_registered",
    "bill_mark_rejected",
    "bill_pay",
    "bill_reschedule",
    "bill_update_amount",
    "billing_account_allocate",
    "fee_calculate",
    "fee_schedule_create",
    "fee_schedule_validate",
    "misc_fee_issue",
    "notification_handle",
    "outbox_flush",
    "outbox_send",
    "payment_match_to_bill",
    "payment_record",
    "refund_approve",
    "refund_reject",
    "refund_request",
    "suspense_allocate",
    "suspense_write_off",
]
