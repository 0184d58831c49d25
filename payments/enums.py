"""Statuses and kinds of the payments app. No bare status strings elsewhere."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BillStatus(models.TextChoices):
    PENDING_REGISTRATION = "pending_registration", _("Awaiting SADAD registration")
    UNPAID = "unpaid", _("Unpaid")
    PAID = "paid", _("Paid")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class BillCategory(models.TextChoices):
    FEE = "FEE", _("Fee")
    FINE = "FINE", _("Fine")


class BillEventKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    AMOUNT_UPDATED = "amount_updated", _("Amount updated")
    RESCHEDULED = "rescheduled", _("Dates changed")
    REGISTERED = "registered", _("Accepted by SADAD")
    REJECTED_BY_SADAD = "rejected_by_sadad", _("Rejected by SADAD")
    CANCEL_REQUESTED = "cancel_requested", _("Cancellation requested")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    PAID = "paid", _("Paid")
    PAYMENT_HELD = "payment_held", _("Payment held in suspense")


class FeeRuleKind(models.TextChoices):
    FIXED = "fixed", _("Fixed amount")
    RATE = "rate", _("Rate × quantity")


class FeeComponent(models.TextChoices):
    """Which stage of a service a fee schedule prices. "" is the service's main fee, the only
    one a service billed before stages existed (a miscellaneous fee still bills only that)."""

    MAIN = "", _("Main fee")
    APPLICATION = "application", _("Application fee")
    ISSUANCE = "issuance", _("Issuance fee")
    RENEWAL = "renewal", _("Renewal fee")
    LATE_RENEWAL = "late_renewal", _("Late renewal fine")
    AMENDMENT = "amendment", _("Amendment fee")
    REPLACEMENT = "replacement", _("Replacement of a lost certificate")
    CANCELLATION = "cancellation", _("Cancellation fee")
    SIGNAGE = "signage", _("Signage fee")


class PaymentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied to its bill")
    SUSPENSE = "suspense", _("In suspense")
    REFUNDED = "refunded", _("Refunded")
    WRITTEN_OFF = "written_off", _("Written off")


class SuspenseReason(models.TextChoices):
    UNDERPAID = "underpaid", _("Underpaid")
    OVERPAID = "overpaid", _("Overpaid")
    ALREADY_PAID = "already_paid", _("Bill already paid")
    NOT_PAYABLE = "not_payable", _("Bill not payable")
    UNKNOWN_BILL = "unknown_bill", _("Unknown bill")


class PaymentSource(models.TextChoices):
    NOTIFICATION = "notification", _("SADAD notification")
    RECONCILIATION = "reconciliation", _("Reconciliation file")


class PaymentOutcome(models.TextChoices):
    """The `Result` of one PmtRec in the notification response (spec §3)."""

    ACCEPTED = "ACCEPTED", _("Accepted")
    DUPLICATE = "DUPLICATE", _("Duplicate")
    SUSPENSE = "SUSPENSE", _("Suspense")


class AccessChannel(models.TextChoices):
    ATM = "ATM", _("ATM")
    INTERNET = "INTERNET", _("Internet banking")
    MOBILE = "MOBILE", _("Mobile banking")
    IVR = "IVR", _("Phone banking")
    BTELLER = "BTELLER", _("Bank branch")
    POS = "POS", _("Point of sale")


class PaymentMethod(models.TextChoices):
    ACTDEB = "ACTDEB", _("Account debit")
    CCARD = "CCARD", _("Credit card")
    CASH = "CASH", _("Cash")


class PaymentEventKind(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    REFUNDED = "refunded", _("Refunded")
    DUPLICATE_SEEN = "duplicate_seen", _("Duplicate seen")
    MATCHED = "matched", _("Matched to a bill that appeared later")
    ALLOCATED = "allocated", _("Allocated to a bill")
    REFUND_REQUESTED = "refund_requested", _("Refund requested")
    REFUND_APPROVED = "refund_approved", _("Refund approved")
    REFUND_REJECTED = "refund_rejected", _("Refund rejected")
    WRITTEN_OFF = "written_off", _("Written off")
    REVIEWED = "reviewed", _("Reviewed")


class ResolutionKind(models.TextChoices):
    ALLOCATE = "allocate", _("Allocate to a bill")
    REFUND = "refund", _("Refund")
    WRITE_OFF = "write_off", _("Write off")


class ResolutionStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting approval")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")


class OutboxKind(models.TextChoices):
    """The SADAD `BillStatusCode` each upload carries."""

    BILL_NEW = "BillNew", _("New bill")
    BILL_UPDATED = "BillUpdated", _("Bill updated")
    BILL_EXPIRED = "BillExpired", _("Bill expired")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted by SADAD")
    REJECTED = "rejected", _("Rejected by SADAD")


class OutboxEventKind(models.TextChoices):
    ATTEMPT = "attempt", _("Sending")
    FAILED = "failed", _("No usable answer; will retry")
    ACCEPTED = "accepted", _("Accepted by SADAD")
    REJECTED = "rejected", _("Rejected by SADAD")
