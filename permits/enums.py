"""Statuses and kinds of the permits app. Status *meanings* are code; everything a municipality
tunes (fields, documents, fees, checklists, zones) is data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FiledBy(models.TextChoices):
    """Who starts an application of a type (Balady: building services go through an office)."""

    OWNER = "owner", _("The owner or their agent")
    DESIGN_OFFICE = "design_office", _("A licensed engineering office")
    CONTRACTOR = "contractor", _("A licensed contractor")
    ESTABLISHMENT = "establishment", _("An establishment, through its delegate")


class FieldKind(models.TextChoices):
    TEXT = "text", _("Short text")
    TEXTAREA = "textarea", _("Long text")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("One of a list")
    BOOLEAN = "boolean", _("Yes or no")


class PartyRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    AGENT = "agent", _("Agent")
    DELEGATE = "delegate", _("Establishment delegate")
    DESIGN_OFFICE = "design_office", _("Engineering (design) office")
    SUPERVISING_OFFICE = "supervising_office", _("Supervising office")
    CONTRACTOR = "contractor", _("Contractor")


# The parties that are registered establishments (an office or a contractor).
OFFICE_ROLES = frozenset({PartyRole.DESIGN_OFFICE, PartyRole.SUPERVISING_OFFICE,
                          PartyRole.CONTRACTOR})


class ConsentStatus(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Not needed")
    PENDING = "pending", _("Awaiting consent")
    GIVEN = "given", _("Consented")
    DECLINED = "declined", _("Declined")


class DocumentSupplier(models.TextChoices):
    APPLICANT = "applicant", _("The applicant")
    OFFICE = "office", _("The engineering office")
    CONTRACTOR = "contractor", _("The contractor")


class OfficeKind(models.TextChoices):
    ENGINEERING_OFFICE = "engineering_office", _("Engineering office")
    CONTRACTOR = "contractor", _("Contractor")


class ApplicationKind(models.TextChoices):
    NEW = "new", _("New")
    RENEWAL = "renewal", _("Renewal")
    AMENDMENT = "amendment", _("Amendment")
    REPLACEMENT = "replacement", _("Replacement of a lost certificate")
    CANCELLATION = "cancellation", _("Cancellation at the holder's request")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_CONSENT = "awaiting_consent", _("Awaiting the owner's consent")
    CONSENT_DECLINED = "consent_declined", _("The owner declined")
    IN_REVIEW = "in_review", _("With the municipality")
    AWAITING_CORRECTION = "awaiting_correction", _("Corrections requested")
    AWAITING_FEE = "awaiting_fee", _("Approved, awaiting the issuance fee")
    ISSUED = "issued", _("Issued")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Statuses in which the municipality holds the application (a case is open).
APPLICATION_OPEN = frozenset({ApplicationStatus.IN_REVIEW, ApplicationStatus.AWAITING_CORRECTION,
                              ApplicationStatus.AWAITING_FEE})
APPLICATION_FINAL = frozenset({ApplicationStatus.CONSENT_DECLINED, ApplicationStatus.ISSUED,
                               ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN})


class ApplicationEventKind(models.TextChoices):
    CREATED = "created", _("Draft started")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ANSWERS_SAVED = "answers_saved", _("Answers saved")
    PARCEL_SET = "parcel_set", _("Parcel and location set")
    PARTY_ADDED = "party_added", _("Party added")
    PARTY_REMOVED = "party_removed", _("Party removed")
    CONSENT = "consent", _("Owner's consent")
    DOCUMENT_UPLOADED = "document_uploaded", _("Document uploaded")
    CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
    CORRECTION_ANSWERED = "correction_answered", _("Correction answered")
    PLAN_CHECKED = "plan_checked", _("Plan rules checked")
    INSPECTION = "inspection", _("Inspection")
    FEE_BILLED = "fee_billed", _("Fee billed")
    FEE_PAID = "fee_paid", _("Fee paid")
    ACTIVITIES_SET = "activities_set", _("Activities chosen")
    DECLARATION_SIGNED = "declaration_signed", _("Self-declaration signed")


class FeeStage(models.TextChoices):
    """A billed stage of a permit's life; each is a fee schedule component of its e-service."""

    APPLICATION = "application", _("Application fee")
    ISSUANCE = "issuance", _("Issuance fee")
    RENEWAL = "renewal", _("Renewal fee")
    LATE_RENEWAL = "late_renewal", _("Late renewal fine")
    AMENDMENT = "amendment", _("Amendment fee")
    REPLACEMENT = "replacement", _("Replacement fee")
    SIGNAGE = "signage", _("Signage fee")
    CANCELLATION = "cancellation", _("Cancellation fee")


class PermitStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class PermitEventKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    IMPORTED = "imported", _("Imported from paper records")
    RENEWED = "renewed", _("Renewed")
    AMENDED = "amended", _("Amended")
    REPLACED = "replaced", _("Certificate replaced")
    SUSPENDED = "suspended", _("Suspended")
    REINSTATED = "reinstated", _("Suspension lifted")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    CERTIFICATE_MADE = "certificate_made", _("Certificate made")
    SAMPLE_QUEUED = "sample_queued", _("Chosen for a sample inspection")


class InspectionStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class InspectionPurpose(models.TextChoices):
    SITE = "site", _("Site inspection")
    COMPLIANCE = "compliance", _("Compliance visit")
    REINSTATEMENT = "reinstatement", _("Reinstatement inspection")


class InspectionOutcome(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class FindingAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")


class SampleInspectionStatus(models.TextChoices):
    """A licence issued instantly and chosen for a check afterwards (issue 10); the visit
    itself is the violations app's, reached through permits.licences.sampling's hook."""

    QUEUED = "queued", _("Waiting for an inspector")
    HANDED_OVER = "handed_over", _("Handed to the inspection plan")
    DONE = "done", _("Inspected")
    CANCELLED = "cancelled", _("No longer needed")


class RegistrationStatus(models.TextChoices):
    """A commercial registration's status as the Ministry of Commerce reports it."""

    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    STRUCK_OFF = "struck_off", _("Struck off")
