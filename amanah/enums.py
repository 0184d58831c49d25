from django.db import models
from django.utils.translation import gettext_lazy as _


class MunicipalityKind(models.TextChoices):
    AMANAH = "amanah", _("Amanah")
    BRANCH = "branch", _("Branch municipality")


class StaffRole(models.TextChoices):
    CLERK = "clerk", _("Clerk")
    REVIEWER = "reviewer", _("Reviewer")
    INSPECTOR = "inspector", _("Field inspector")
    HEAD = "head", _("Head of department")
    CASHIER = "cashier", _("Cashier")
    ADMIN = "admin", _("System administrator")


class EstablishmentSize(models.TextChoices):
    """By the commercial registry's classification (employees and turnover)."""

    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class IdType(models.TextChoices):
    """The kinds of official number, by SADAD's codes (`OfficialIdType`); which one a number is
    comes from `amanah.identity.official_id_type`."""

    NATIONAL_ID = "NAT", _("National ID")
    IQAMA = "IQA", _("Iqama")
    UNIFIED_NUMBER = "UNN", _("Unified number")


class OwningApp(models.TextChoices):
    WORKFLOW = "workflow", _("Transactions")
    PAYMENTS = "payments", _("Payments")
    PERMITS = "permits", _("Licences and permits")
    VIOLATIONS = "violations", _("Violations")


class RolloutState(models.TextChoices):
    OFF = "off", _("Off")
    PILOT = "pilot", _("Pilot")
    LIVE = "live", _("Live")


class OneTimeCodePurpose(models.TextChoices):
    MOBILE_CONFIRM = "mobile_confirm", _("Mobile number confirmation")
    NEW_DEVICE = "new_device", _("Sign-in from a new device")
    PASSWORD_RESET = "password_reset", _("Password reset")


class AccountEventKind(models.TextChoices):
    """What happened to a citizen's account; one append-only row per happening."""

    REGISTERED = "registered", _("Registered")
    CODE_ISSUED = "code_issued", _("Code sent")
    CODE_FAILED = "code_failed", _("Wrong code entered")
    MOBILE_CONFIRMED = "mobile_confirmed", _("Mobile confirmed")
    DEVICE_CONFIRMED = "device_confirmed", _("New device confirmed")
    PASSWORD_RESET = "password_reset", _("Password reset")


class IdentityVerificationPurpose(models.TextChoices):
    """Why the portal asked the identity provider (Nafath) to verify someone."""

    SIGN_UP = "sign_up", _("Sign-up")
    PASSWORD_RESET = "password_reset", _("Password reset")


class IdentityVerificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval in Nafath")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    USED = "used", _("Used")


class ThresholdBound(models.TextChoices):
    """Whether a pilot's figure must reach a threshold (at least) or stay under it (at most)."""

    MIN = "min", _("At least")
    MAX = "max", _("At most")


class NotificationChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED_NO_ADDRESS = "skipped_no_address", _("Not sent: no address")
