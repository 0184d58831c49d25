"""Statuses and categories of reconciliation. No bare status strings elsewhere."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReconRunStatus(models.TextChoices):
    RECEIVED = "RECEIVED", _("Received")
    PROCESSING = "PROCESSING", _("Processing")
    COMPLETED = "COMPLETED", _("Completed")
    COMPLETED_WITH_EXCEPTIONS = "COMPLETED_WITH_EXCEPTIONS", _("Completed with exceptions")
    FAILED_VALIDATION = "FAILED_VALIDATION", _("Failed validation")
    DUPLICATE_FILE = "DUPLICATE_FILE", _("Duplicate file")
    SUPERSEDED = "SUPERSEDED", _("Superseded")


# A run in one of these states is finished: its file is never processed again.
RUN_FINAL = frozenset({
    ReconRunStatus.COMPLETED, ReconRunStatus.COMPLETED_WITH_EXCEPTIONS,
    ReconRunStatus.FAILED_VALIDATION, ReconRunStatus.DUPLICATE_FILE, ReconRunStatus.SUPERSEDED,
})


# What §4 reports for a delivery whose run another worker is processing right now (exit 75).
# An answer, never a stored status: the run itself stays PROCESSING.
IN_PROGRESS = "IN_PROGRESS"


class ReconPhase(models.TextChoices):
    """The stage a run is in; each resumes from the checkpoint its last batch committed."""

    STAGING = "staging", _("Reading the file")
    CLASSIFYING = "classifying", _("Classifying the file's records")
    PORTAL = "portal", _("Looking for portal payments absent from the file")
    RECORDING = "recording", _("Recording payments missing in the portal")
    DONE = "done", _("Done")


class ReconSource(models.TextChoices):
    ENDPOINT = "endpoint", _("Delivered to the endpoint")
    INBOX = "inbox", _("Dropped in the inbox folder")
    COMMAND = "command", _("Run by an operator")


class ReconCategory(models.TextChoices):
    MATCHED = "MATCHED", _("Matched")
    MISSING_IN_PORTAL = "MISSING_IN_PORTAL", _("Missing in the portal")
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH", _("Amount mismatch")
    ACCOUNT_MISMATCH = "ACCOUNT_MISMATCH", _("Account mismatch")
    DUPLICATE_IN_FILE = "DUPLICATE_IN_FILE", _("Duplicate in the file")
    MISSING_IN_FILE = "MISSING_IN_FILE", _("Missing in the file")
    PENDING_NEXT_FILE = "PENDING_NEXT_FILE", _("Pending the next file")


# Categories staff must look at; MATCHED and PENDING_NEXT_FILE need nobody (yet).
EXCEPTION_CATEGORIES = frozenset({
    ReconCategory.MISSING_IN_PORTAL, ReconCategory.AMOUNT_MISMATCH,
    ReconCategory.ACCOUNT_MISMATCH, ReconCategory.DUPLICATE_IN_FILE,
    ReconCategory.MISSING_IN_FILE,
})


class ReviewStatus(models.TextChoices):
    NONE = "none", _("Nothing to review")
    OPEN = "open", _("Awaiting review")
    RESOLVED = "resolved", _("Reviewed")


class ReconEventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    STARTED = "started", _("Started")
    FAILED_VALIDATION = "failed_validation", _("Failed validation")
    DUPLICATE = "duplicate", _("Duplicate file")
    SUPERSEDED = "superseded", _("Superseded")
    COMPLETED = "completed", _("Completed")
    ITEM_REVIEWED = "item_reviewed", _("Exception reviewed")
