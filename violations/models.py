"""Violations: the catalogue (items, fines, shares, penalties, checklists) as effective-dated
data; inspections with sealed evidence; warning and fine notices, their lines, bills,
penalties and objections.

Money is Decimal SAR with halalas. Every status field has one writer (see docs/architecture.md);
the events of an inspection and of a notice are links of hash chains checked by `audit_verify`.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from amanah import clock
from amanah.events import ChainedEvent, ChainHead
from amanah.models import Establishment, Municipality, Person
from workflow.storage import private_storage

from .enums import (
    Answer,
    InspectionEventKind,
    InspectionKind,
    InspectionStatus,
    LineStatus,
    NoticeKind,
    ObjectionDecision,
    ObjectionStatus,
    OffenderKind,
    PenaltyKind,
    PenaltyLift,
    PenaltyStatus,
    ShareSize,
    ViolationEventKind,
    ViolationStatus,
)

MONEY = {"max_digits": 12, "decimal_places": 2}


# --- catalogue -------------------------------------------------------------------------------


class ViolationGroup(models.Model):
    """A chapter of the catalogue: health, building, public space, signage..."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("violation group")
        verbose_name_plural = _("violation groups")
        ordering = ["display_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name_en}"


class ViolationItem(models.Model):
    """One item of the catalogue, in force from `effective_from` until `effective_to` (exclusive).

    A change to an item is a new row with the same code from a later date; the violation lines
    keep a snapshot of what was applied, so history never changes under a notice."""

    code = models.CharField(_("code"), max_length=16,
                            help_text=_("Stable across versions, e.g. HL-012"))
    group = models.ForeignKey(ViolationGroup, verbose_name=_("group"), on_delete=models.PROTECT,
                              related_name="items")
    name_ar = models.CharField(_("name in Arabic"), max_length=300)
    name_en = models.CharField(_("name in English"), max_length=300)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True,
                                    help_text=_("The first day it no longer applies; empty: open"))
    is_serious = models.BooleanField(_("serious"), default=False,
                                     help_text=_("Serious items are fined at once, never warned"))
    correction_days = models.PositiveSmallIntegerField(
        _("correction period (days)"), null=True, blank=True,
        help_text=_("Non-serious items only: warn first and give this many days to correct; "
                    "empty: fine at once"))
    repeat_multipliers = models.JSONField(
        _("repetition multipliers"), default=list, blank=True,
        help_text=_('For the 1st, 2nd, 3rd... occurrence, e.g. ["1", "2", "3"]; the last one '
                    "applies to every later occurrence"))
    repeat_cap_factor = models.DecimalField(
        _("cap (× the maximum fine)"), max_digits=5, decimal_places=2, default=Decimal("2"),
        validators=[MinValueValidator(Decimal("1"))],
        help_text=_("A repeated fine never exceeds this many times the class's maximum"))
    repeat_lookback_days = models.PositiveSmallIntegerField(
        _("repetition look-back (days)"), default=365)
    objectionable = models.BooleanField(_("may be objected to"), default=True)
    objection_days = models.PositiveSmallIntegerField(
        _("objection period (days)"), default=15,
        validators=[MinValueValidator(1), MaxValueValidator(180)])
    penalty_kind = models.CharField(_("penalty beyond the fine"), max_length=20, blank=True,
                                    choices=PenaltyKind.choices)
    penalty_days = models.PositiveSmallIntegerField(_("penalty days"), null=True, blank=True,
                                                    help_text=_("Closure or suspension length"))
    penalty_lifts_on = models.CharField(_("penalty lifts"), max_length=16, blank=True,
                                        choices=PenaltyLift.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("violation item")
        verbose_name_plural = _("violation items")
        ordering = ["code", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"],
                                    name="violation_item_version_unique"),
            models.CheckConstraint(condition=Q(effective_to__isnull=True)
                                   | Q(effective_to__gt=models.F("effective_from")),
                                   name="violation_item_period_forward"),
            models.CheckConstraint(condition=Q(is_serious=False) | Q(correction_days__isnull=True),
                                   name="violation_item_serious_not_warned"),
        ]
        indexes = [models.Index(fields=["code", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.code} ({self.effective_from}) — {self.name_en}"

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def name(self, language: str = "ar") -> str:
        return self.name_en if language.startswith("en") else self.name_ar


class ItemFine(models.Model):
    """An item's fine range in municipalities of one class."""

    item = models.ForeignKey(ViolationItem, on_delete=models.CASCADE, related_name="fines")
    municipality_class = models.PositiveSmallIntegerField(
        _("municipality class"), choices=[(n, str(n)) for n in range(1, 6)])
    fine_min = models.DecimalField(_("minimum fine"), **MONEY)
    fine_max = models.DecimalField(_("maximum fine"), **MONEY)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fine range")
        verbose_name_plural = _("fine ranges")
        ordering = ["item", "municipality_class"]
        constraints = [
            models.UniqueConstraint(fields=["item", "municipality_class"],
                                    name="item_fine_class_unique"),
            models.CheckConstraint(condition=Q(fine_min__gt=0)
                                   & Q(fine_max__gte=models.F("fine_min")),
                                   name="item_fine_range_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} class {self.municipality_class}: {self.fine_min}–{self.fine_max}"


class SizeShare(models.Model):
    """The share of an item's maximum fine charged by the offender's size, in force from a date
    (large 100% … micro 25%); the fine is never below the class's minimum."""

    size = models.CharField(_("size"), max_length=12, choices=ShareSize.choices)
    percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2,
                                  validators=[MinValueValidator(Decimal("1")),
                                              MaxValueValidator(Decimal("100"))])
    effective_from = models.DateField(_("in force from"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("share by size")
        verbose_name_plural = _("shares by size")
        ordering = ["size", "effective_from"]
        constraints = [models.UniqueConstraint(fields=["size", "effective_from"],
                                               name="size_share_version_unique")]

    def __str__(self) -> str:
        return f"{self.size} {self.percent}% from {self.effective_from}"


class Checklist(models.Model):
    """The questions an inspector answers for an activity or a permit type; each question maps
    to a catalogue item by code (the version in force on the inspection's day applies)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    # By code, not a foreign key: violations reads permits only through its public selectors.
    activity_code = models.CharField(_("activity code"), max_length=12, blank=True)
    permit_type_code = models.CharField(_("permit type code"), max_length=40, blank=True)
    is_general = models.BooleanField(_("general (any place)"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name_en}"


class ChecklistQuestion(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text_ar = models.CharField(_("question in Arabic"), max_length=300)
    text_en = models.CharField(_("question in English"), max_length=300)
    item_code = models.CharField(_("violation item code"), max_length=16)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist question")
        verbose_name_plural = _("checklist questions")
        ordering = ["checklist", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["checklist", "item_code"],
                                               name="checklist_item_once")]

    def __str__(self) -> str:
        return f"{self.checklist_id}.{self.position} → {self.item_code}"


# --- inspections -----------------------------------------------------------------------------


class Offender(models.Model):
    """Abstract: whom an inspection or a notice concerns. `offender_key` identifies the offender
    across notices for repeat detection: "E:<unified number>", "P:<national id>",
    "PM:<permit number>", "L:<place reference>"."""

    offender_kind = models.CharField(_("against"), max_length=16, choices=OffenderKind.choices)
    offender_key = models.CharField(max_length=80, db_index=True)
    establishment = models.ForeignKey(Establishment, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    # The licence or permit concerned (its number; a penalty reaches it through the registry).
    permit_number = models.CharField(_("licence or permit number"), max_length=40, blank=True)
    activity_codes = models.JSONField(default=list, blank=True)
    size = models.CharField(_("size"), max_length=12, choices=ShareSize.choices,
                            default=ShareSize.INDIVIDUAL)
    place_description = models.CharField(_("place"), max_length=300, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        abstract = True


class Inspection(Offender, ChainHead):
    CHAIN_KEY_FIELD = "number"

    number = models.CharField(_("number"), max_length=40, unique=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=InspectionStatus.choices,
                              default=InspectionStatus.PLANNED)
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="+")
    # A re-inspection asks only the items its warning named.
    only_item_codes = models.JSONField(default=list, blank=True)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The field device's idempotency key: a resend finds the inspection it already made.
    # NULL, not "": many inspections have no key, and the key is unique among those that do.
    client_key = models.CharField(max_length=64, null=True, blank=True,
                                  unique=True)
    follows_notice = models.ForeignKey("Violation", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="reinspections")
    source_reference = models.CharField(_("source reference"), max_length=64, blank=True,
                                        help_text=_("The complaint case or licence sample"))
    # SHA-256 of the evidence (answers, photos' bytes, coordinates, time, inspector) at submit;
    # also written into the SUBMITTED event, so the chain proves it.
    evidence_digest = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "status", "planned_for"]),
            models.Index(fields=["inspector", "status"]),
        ]

    def __str__(self) -> str:
        return self.number


class InspectionEvent(ChainedEvent):
    CHAIN_PARENT = "inspection"

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=InspectionEventKind.choices)

    class Meta(ChainedEvent.Meta):
        verbose_name = _("inspection event")
        verbose_name_plural = _("inspection events")
        constraints = [models.UniqueConstraint(fields=["inspection", "seq"],
                                               name="inspection_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.inspection_id}#{self.seq} {self.kind}"


class Finding(models.Model):
    """The inspector's answer to one question; "no" proposes the question's item."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    question = models.ForeignKey(ChecklistQuestion, on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField(max_length=16)
    answer = models.CharField(_("answer"), max_length=4, choices=Answer.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    answered_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["inspection", "question__position", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "question"],
                                               name="finding_one_per_question")]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.item_code}: {self.answer}"


def evidence_upload_to(instance, filename: str) -> str:
    return f"violations/inspections/{instance.inspection_id}/{filename}"


class EvidencePhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    item_code = models.CharField(max_length=16, blank=True,
                                 help_text=_("The item it shows; empty: the place in general"))
    file = models.FileField(upload_to=evidence_upload_to, storage=private_storage,
                            max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    taken_at = models.DateTimeField()
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)
    # Photos that show third parties (faces, plates) can be kept from the offender's page.
    visible_to_offender = models.BooleanField(_("offender may see it"), default=True)
    client_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "client_key"],
                                               name="evidence_photo_client_key_once")]

    def __str__(self) -> str:
        return f"{self.inspection_id} photo {self.sha256[:12]}"


# --- notices ---------------------------------------------------------------------------------


class Violation(Offender, ChainHead):
    """A notice: a warning (lines to correct by a date) or a fine (lines to approve, bill,
    object to and pay). One inspection makes at most one of each."""

    CHAIN_KEY_FIELD = "number"

    number = models.CharField(_("number"), max_length=40, unique=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=NoticeKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=ViolationStatus.choices)
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT,
                                   related_name="violations")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)
    # warnings: when the correction is due (the earliest of its lines)
    correction_due = models.DateField(_("correct by"), null=True, blank=True)
    # fines: the approval case and the decision
    approval_case = models.OneToOneField("workflow.Case", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    # The token the notice's QR code carries to the public verification page.
    verify_token = models.CharField(max_length=43, unique=True, null=True, blank=True)
    notice_pdf = models.FileField(storage=private_storage, max_length=300, blank=True)
    total = models.DecimalField(_("total"), default=Decimal("0"), **MONEY)

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "status", "-recorded_at"]),
            models.Index(fields=["establishment", "-recorded_at"]),
            models.Index(fields=["person", "-recorded_at"]),
            models.Index(fields=["offender_key", "-recorded_at"]),
        ]

    def __str__(self) -> str:
        return self.number


class ViolationLine(models.Model):
    """One item of a notice, with the fine computed for it and frozen at recording."""

    violation = models.ForeignKey(Violation, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(ViolationItem, on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField(max_length=16, db_index=True)
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=LineStatus.choices)
    # Which occurrence for this offender and item within the look-back (1 = first).
    occurrence = models.PositiveSmallIntegerField(default=1)
    # {"class", "min", "max", "size", "share", "base", "multiplier", "cap", "capped", "amount"}
    computation = models.JSONField(default=dict, blank=True)
    amount = models.DecimalField(_("fine"), default=Decimal("0"), **MONEY)
    correction_due = models.DateField(null=True, blank=True)
    objection_due = models.DateField(null=True, blank=True)
    # The bill that asks for this line's amount now (a line re-billed after an objection moves).
    bill = models.ForeignKey("payments.Bill", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    # A warning line that was not corrected points at the fine line it became.
    escalated_to = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="escalated_from")

    class Meta:
        ordering = ["violation", "id"]
        indexes = [models.Index(fields=["bill", "status"])]

    def __str__(self) -> str:
        return f"{self.violation_id} {self.item_code} {self.status}"


class ViolationEvent(ChainedEvent):
    CHAIN_PARENT = "violation"

    violation = models.ForeignKey(Violation, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=ViolationEventKind.choices)

    class Meta(ChainedEvent.Meta):
        verbose_name = _("violation event")
        verbose_name_plural = _("violation events")
        constraints = [models.UniqueConstraint(fields=["violation", "seq"],
                                               name="violation_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.violation_id}#{self.seq} {self.kind}"


class ViolationCounter(models.Model):
    """The last number given per municipality, Hijri year and series (V, W, INS, VO)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=4)
    hijri_year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "series", "hijri_year"],
                                               name="violation_counter_unique")]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.series} {self.hijri_year}: {self.last_number}"


class Penalty(models.Model):
    """A penalty beyond the fine, reaching a licence or permit through the penalty registry."""

    line = models.OneToOneField(ViolationLine, on_delete=models.PROTECT, related_name="penalty")
    kind = models.CharField(max_length=20, choices=PenaltyKind.choices)
    lifts_on = models.CharField(max_length=16, choices=PenaltyLift.choices)
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    target_kind = models.CharField(max_length=16, blank=True)  # "permit"; empty: nothing to reach
    target_ref = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=12, choices=PenaltyStatus.choices,
                              default=PenaltyStatus.PENDING)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)  # first day it no longer runs
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "ends_on"]),
                   models.Index(fields=["target_kind", "target_ref", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} on {self.target_ref or '-'} ({self.status})"


# --- objections ------------------------------------------------------------------------------


class Objection(models.Model):
    number = models.CharField(_("number"), max_length=40, unique=True)
    violation = models.ForeignKey(Violation, on_delete=models.PROTECT, related_name="objections")
    status = models.CharField(_("status"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN)
    case = models.OneToOneField("workflow.Case", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    filed_at = models.DateTimeField(default=clock.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-filed_at", "-id"]

    def __str__(self) -> str:
        return self.number


class ObjectionLine(models.Model):
    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="lines")
    line = models.ForeignKey(ViolationLine, on_delete=models.PROTECT, related_name="objections")
    reason = models.TextField(_("reason"))
    decision = models.CharField(max_length=10, choices=ObjectionDecision.choices,
                                default=ObjectionDecision.PENDING)
    reduced_amount = models.DecimalField(null=True, blank=True, **MONEY)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["objection", "id"]
        constraints = [models.UniqueConstraint(fields=["objection", "line"],
                                               name="objection_line_once")]

    def __str__(self) -> str:
        return f"{self.objection_id} line {self.line_id}: {self.decision}"


def objection_document_upload_to(instance, filename: str) -> str:
    return f"violations/objections/{instance.objection_id}/{filename}"


class ObjectionDocument(models.Model):
    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=objection_document_upload_to, storage=private_storage,
                            max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"{self.objection_id} {self.original_name}"


