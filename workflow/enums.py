"""What a workflow state or event *means* is fixed in code; how a procedure is routed is data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatusCategory(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    AWAITING_APPLICANT = "awaiting_applicant", _("Awaiting the applicant")
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")

    @classmethod
    def terminal(cls) -> frozenset[str]:
        return frozenset({cls.APPROVED, cls.REJECTED, cls.CLOSED, cls.CANCELLED})


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    APPLICANT = "applicant", _("Applicant")
    SYSTEM = "system", _("System")


# Who a transition may be taken by: a StaffRole value of the owning department, or one of these.
ACTOR_APPLICANT = "applicant"
ACTOR_SYSTEM = "system"


class CaseChannel(models.TextChoices):
    """Where a case was filed: online by the applicant, or at a counter by a clerk for a
    walk-in citizen (the clerk is `Case.submitted_by`). Adoption counts the online share."""

    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At the counter")


class CasePriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class SlaStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OVERDUE = "overdue", _("Overdue")


class CaseEventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ROUTED = "routed", _("Routed")
    TRANSITION = "transition", _("Action taken")
    CLAIMED = "claimed", _("Claimed")
    ASSIGNED = "assigned", _("Assigned")
    TRANSFERRED = "transferred", _("Transferred")
    COMMENTED = "commented", _("Comment")
    ATTACHMENT_ADDED = "attachment_added", _("Document added")
    SLA_AT_RISK = "sla_at_risk", _("Deadline at risk")
    SLA_OVERDUE = "sla_overdue", _("Deadline passed")
    SLA_RESTARTED = "sla_restarted", _("Deadline clock restarted")
    ESCALATED = "escalated", _("Escalated")


class EscalationKind(models.TextChoices):
    STATE_OVERDUE = "state_overdue", _("Step overdue")
    CASE_OVERDUE = "case_overdue", _("Transaction overdue")
