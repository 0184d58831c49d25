"""Statuses and kinds of the violations app. What a municipality tunes (items, fines, shares,
periods, penalties, checklists) is data; what a status *means* is code."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ShareSize(models.TextChoices):
    """Whose share of an item's maximum fine applies: an establishment's size, or an individual
    (a person, or a place nobody is licensed for)."""

    LARGE = "large", _("Large establishment")
    MEDIUM = "medium", _("Medium establishment")
    SMALL = "small", _("Small establishment")
    MICRO = "micro", _("Micro establishment")
    INDIVIDUAL = "individual", _("Individual or unlicensed place")


class OffenderKind(models.TextChoices):
    ESTABLISHMENT = "establishment", _("An establishment (through its licence)")
    PERMIT = "permit", _("A permit or building site")
    PERSON = "person", _("A person")
    PLACE = "place", _("An unlicensed place")


class PenaltyKind(models.TextChoices):
    CLOSURE = "closure", _("Closure of the premises")
    LICENCE_SUSPENSION = "licence_suspension", _("Suspension of the licence or permit")
    REMOVAL = "removal", _("Removal of the offending work")
    CONFISCATION = "confiscation", _("Confiscation of goods")


# The penalties that stop a licence or permit from being valid while they run.
SUSPENDING_PENALTIES = frozenset({PenaltyKind.CLOSURE, PenaltyKind.LICENCE_SUSPENSION})


class PenaltyLift(models.TextChoices):
    """When a penalty ends."""

    SERVED = "served", _("When its days are served")
    PAID = "paid", _("When the fine is paid")
    SERVED_AND_PAID = "served_and_paid", _("When its days are served and the fine is paid")


class PenaltyStatus(models.TextChoices):
    PENDING = "pending", _("Not yet in force")
    ACTIVE = "active", _("In force")
    LIFTED = "lifted", _("Lifted")
    CANCELLED = "cancelled", _("Cancelled")


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("Routine (planned by risk)")
    COMPLAINT = "complaint", _("After a complaint")
    SAMPLE = "sample", _("Sample after an instant licence")
    REINSPECTION = "reinspection", _("Re-inspection after a warning")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DRAFT = "draft", _("Being recorded")
    SUBMITTED = "submitted", _("Submitted")
    CANCELLED = "cancelled", _("Cancelled")


class Answer(models.TextChoices):
    YES = "yes", _("Complies")
    NO = "no", _("Does not comply")
    NOT_APPLICABLE = "na", _("Not applicable")


class NoticeKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    FINE = "fine", _("Fine")


class ViolationStatus(models.TextChoices):
    # a warning notice
    WARNED = "warned", _("Warned: correction due")
    CLOSED = "closed", _("Closed after re-inspection")
    # a fine notice
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed by the approver")
    ISSUED = "issued", _("Issued")
    SETTLED = "settled", _("Settled")


class LineStatus(models.TextChoices):
    # warning lines
    WARNED = "warned", _("Warned")
    CORRECTED = "corrected", _("Corrected")
    UNCORRECTED = "uncorrected", _("Not corrected: fined")
    # fine lines
    PROPOSED = "proposed", _("Proposed")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed")
    PAYABLE = "payable", _("Payable")
    OBJECTED = "objected", _("Under objection")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Under review")
    DECIDED = "decided", _("Decided")


class ObjectionDecision(models.TextChoices):
    PENDING = "pending", _("Not yet decided")
    ACCEPTED = "accepted", _("Accepted: the fine is cancelled")
    REDUCED = "reduced", _("Partly accepted: the fine is reduced")
    REJECTED = "rejected", _("Rejected: the fine stands")


class InspectionEventKind(models.TextChoices):
    PLANNED = "planned", _("Planned")
    STARTED = "started", _("Started")
    ANSWERED = "answered", _("Answer recorded")
    PHOTO_ADDED = "photo_added", _("Photo added")
    SUBMITTED = "submitted", _("Submitted and sealed")
    CANCELLED = "cancelled", _("Cancelled")


class ViolationEventKind(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    WARNING_SENT = "warning_sent", _("Warning sent")
    REINSPECTION_PLANNED = "reinspection_planned", _("Re-inspection planned")
    CORRECTED = "corrected", _("Corrected")
    UNCORRECTED = "uncorrected", _("Not corrected")
    APPROVED = "approved", _("Approved")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed")
    BILLED = "billed", _("Billed")
    NOTICE_SENT = "notice_sent", _("Notice sent")
    OBJECTED = "objected", _("Objection filed")
    OBJECTION_DECIDED = "objection_decided", _("Objection decided")
    PAID = "paid", _("Paid")
    PENALTY_APPLIED = "penalty_applied", _("Penalty applied")
    PENALTY_LIFTED = "penalty_lifted", _("Penalty lifted")
    SETTLED = "settled", _("Settled")
