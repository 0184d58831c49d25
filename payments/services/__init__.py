"""Writes of the payments app. Import from here; the modules are split by sub-domain."""

from .bills import (
    bill_cancel,
    bill_cancel_confirm,
    bill_event_record,
    bill_expire_due,
    bill_mark_registered,
    bill_mark_rejected,
    bill_reschedule,
    bill_status_change,
    bill_update_amount,
    billing_account_allocate,
)
from .fees import (
    FeeQuote,
    fee_calculate,
    fee_schedule_create,
    fee_schedule_find,
    fee_schedule_validate,
)
from .inbound import InboundMessageTaken, inbound_message_record
from .issuing import bill_issue
from .misc_fees import misc_fee_issue
from .outbox import outbox_flush, outbox_send, outbox_status_change
from .payments import (
    PaymentRecordResult,
    payment_event_record,
    payment_match_to_bill,
    payment_record,
    payment_record_many,
    payment_record_many_ids,
    payment_status_change,
)
from .suspense import (
    refund_approve,
    refund_reject,
    refund_request,
    resolution_decide,
    suspense_allocate,
    suspense_write_off,
)

__all__ = [
    "FeeQuote",
    "InboundMessageTaken",
    "PaymentRecordResult",
    "bill_cancel",
    "bill_cancel_confirm",
    "bill_event_record",
    "bill_expire_due",
    "bill_issue",
    "bill_mark_registered",
    "bill_mark_rejected",
    "bill_reschedule",
    "bill_status_change",
    "bill_update_amount",
    "billing_account_allocate",
    "fee_calculate",
    "fee_schedule_create",
    "fee_schedule_find",
    "fee_schedule_validate",
    "inbound_message_record",
    "misc_fee_issue",
    "outbox_flush",
    "outbox_send",
    "outbox_status_change",
    "payment_event_record",
    "payment_match_to_bill",
    "payment_record",
    "payment_record_many",
    "payment_record_many_ids",
    "payment_status_change",
    "refund_approve",
    "refund_reject",
    "refund_request",
    "resolution_decide",
    "suspense_allocate",
    "suspense_write_off",
]
