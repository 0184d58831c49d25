"""Permits: types as data, parcels, offices, applications with their parties and documents,
inspections, and the permits they issue.

What a municipality tunes is a row an admin edits (with history): a permit type's form fields,
documents, parties, fee stages, checklists and zone limits. What a status *means* is code
(permits/enums.py). Each status field has one writer (tests/test_status_writers.py).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from amanah import clock
from amanah.events import ChainedEvent, ChainHead
from amanah.models import BilingualName, Department, EService, Establishment, Municipality, Person
from workflow.storage import private_storage

from .enums import (
    ApplicationEventKind,
    ApplicationKind,
    ApplicationStatus,
    ConsentStatus,
    DocumentSupplier,
    FeeStage,
    FieldKind,
    FiledBy,
    FindingAnswer,
    InspectionOutcome,
    InspectionPurpose,
    InspectionStatus,
    OfficeKind,
    PartyRole,
    PermitEventKind,
    PermitStatus,
    RegistrationStatus,
    SampleInspectionStatus,
)

COORDINATE = {"max_digits": 9, "decimal_places": 6}
AREA = {"max_digits": 12, "decimal_places": 2}


# --- Types as data --------------------------------------------------------------------------


class Checklist(BilingualName):
    """An inspection checklist (site, compliance, reinstatement): its items are questions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection checklist")
        verbose_name_plural = _("inspection checklists")
        ordering = ["code"]


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=10)
    code = models.SlugField(_("code"), max_length=40)
    text_ar = models.CharField(_("question in Arabic"), max_length=300)
    text_en = models.CharField(_("question in English"), max_length=300)
    photo_required_on_no = models.BooleanField(
        _("photo required when the answer is no"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["checklist", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["checklist", "code"],
                                               name="checklist_item_code_unique")]

    def __str__(self) -> str:
        return f"{self.checklist.code}/{self.code}"

    def text(self, language: str = "ar") -> str:
        return self.text_en if language.startswith("en") else self.text_ar


class PermitType(BilingualName):
    """A kind of permit or certificate, with everything a citizen and the case need to know.

    One catalogue e-service per type: its rollout decides where the type can be started, and its
    fee schedules (one component per fee stage) what each stage costs."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    eservice = models.OneToOneField(EService, verbose_name=_("catalogue e-service"),
                                    on_delete=models.PROTECT, related_name="permit_type")
    description_ar = models.TextField(_("description in Arabic"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    # The service card a citizen reads before starting: one requirement per line.
    requirements_ar = models.TextField(_("requirements in Arabic"), blank=True)
    requirements_en = models.TextField(_("requirements in English"), blank=True)
    expected_days = models.PositiveSmallIntegerField(_("expected working days"), default=10)
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"), default=12, help_text=_("0: the permit does not expire"))
    renewal_window_days = models.PositiveSmallIntegerField(
        _("renewal opens (days before expiry)"), default=90)
    late_renewal_days = models.PositiveSmallIntegerField(
        _("late renewal allowed (days after expiry)"), default=180,
        help_text=_("Renewing after expiry bills the late renewal fine stage"))
    workflow_code = models.SlugField(_("procedure code"), max_length=64,
                                     help_text=_("The workflow definition its cases follow"))
    number_prefix = models.CharField(_("permit number prefix"), max_length=6,
                                     help_text=_("e.g. BP: BP-KHB-1448-000123"))
    filed_by = models.CharField(_("filed by"), max_length=16, choices=FiledBy.choices,
                                default=FiledBy.OWNER)
    owner_consent_required = models.BooleanField(
        _("the owner consents before it reaches the municipality"), default=False)
    base_permit_type = models.ForeignKey(
        "self", verbose_name=_("applies to an existing permit of type"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("e.g. an addition applies to a valid building permit"))
    plan_check = models.BooleanField(_("check the plan against zone limits"), default=False)
    inspection_checklist = models.ForeignKey(
        Checklist, verbose_name=_("inspection before approval"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    inspection_purpose = models.CharField(_("inspection purpose"), max_length=16,
                                          choices=InspectionPurpose.choices,
                                          default=InspectionPurpose.SITE)
    emergency_allowed = models.BooleanField(
        _("emergency filing after the work started"), default=False)
    emergency_hours = models.PositiveSmallIntegerField(
        _("emergency filing within (hours)"), default=24)
    clearance_checklist = models.ForeignKey(
        Checklist, verbose_name=_("reinstatement inspection for a clearance certificate"),
        null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    prerequisites = models.JSONField(
        _("prerequisites"), default=list, blank=True,
        help_text=_("Names of checks run at submission, e.g. [\"no_unpaid_fines\"]"))
    # Commercial licences (issue 10).
    uses_activities = models.BooleanField(
        _("licenses activities from the activity catalogue"), default=False,
        help_text=_("A commercial licence: the applicant chooses activities, whose rules decide "
                    "the instant or reviewed path, the checks, the documents and the fees"))
    is_sub_permit = models.BooleanField(
        _("a sub-permit of its base permit"), default=False,
        help_text=_("Issued only while the base permit (e.g. the shop licence) is valid, "
                    "suspended and cancelled with it, and never valid beyond it"))
    deed_owner_applies = models.BooleanField(
        _("the deed's owner must be the applicant"), default=True,
        help_text=_("Off for a shop licence: the lease, not the deed, gives the right to use "
                    "the place"))
    validity_years_field = models.SlugField(
        _("validity chosen in years by the field"), max_length=40, blank=True,
        help_text=_("A whole-number answer (e.g. 1–3 years): the validity is that many times "
                    "the validity above, and fee rules marked per year are charged that many "
                    "times"))
    is_active = models.BooleanField(_("active"), default=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("permit type")
        verbose_name_plural = _("permit types")
        ordering = ["display_order", "code"]

    def description(self, language: str = "ar") -> str:
        return self.description_en if language.startswith("en") else self.description_ar

    def requirements(self, language: str = "ar") -> list[str]:
        text = self.requirements_en if language.startswith("en") else self.requirements_ar
        return [line.strip() for line in text.splitlines() if line.strip()]


class PermitTypeField(models.Model):
    """One question of a type's form. `shown_when` is {"field": key, "in": [values]} or {}."""

    permit_type = models.ForeignKey(PermitType, on_delete=models.CASCADE, related_name="fields")
    key = models.SlugField(_("key"), max_length=40)
    step = models.PositiveSmallIntegerField(_("form step"), default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=10)
    kind = models.CharField(_("kind"), max_length=10, choices=FieldKind.choices)
    label_ar = models.CharField(_("label in Arabic"), max_length=200)
    label_en = models.CharField(_("label in English"), max_length=200)
    help_ar = models.CharField(_("help in Arabic"), max_length=300, blank=True)
    help_en = models.CharField(_("help in English"), max_length=300, blank=True)
    unit_ar = models.CharField(_("unit in Arabic"), max_length=20, blank=True)
    unit_en = models.CharField(_("unit in English"), max_length=20, blank=True)
    required = models.BooleanField(_("required"), default=True)
    min_value = models.DecimalField(_("minimum"), max_digits=14, decimal_places=2, null=True,
                                    blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=14, decimal_places=2, null=True,
                                    blank=True)
    max_length = models.PositiveSmallIntegerField(_("maximum length"), null=True, blank=True)
    pattern = models.CharField(_("pattern"), max_length=200, blank=True,
                               help_text=_("A regular expression the whole answer must match"))
    choices = models.JSONField(_("choices"), default=list, blank=True,
                               help_text=_("[{\"value\": ..., \"ar\": ..., \"en\": ...}]"))
    shown_when = models.JSONField(_("shown when"), default=dict, blank=True)
    is_detail = models.BooleanField(_("printed on the permit"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["permit_type", "step", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "key"],
                                    name="permit_type_field_key_unique"),
            models.CheckConstraint(condition=Q(min_value__isnull=True) | Q(max_value__isnull=True)
                                   | Q(max_value__gte=F("min_value")),
                                   name="permit_type_field_range_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.permit_type.code}.{self.key}"

    def label(self, language: str = "ar") -> str:
        return self.label_en if language.startswith("en") else self.label_ar


class PermitTypeDocument(models.Model):
    """A document a type asks for; checked by the upload service against these limits."""

    permit_type = models.ForeignKey(PermitType, on_delete=models.CASCADE,
                                    related_name="documents")
    kind = models.SlugField(_("kind"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=10)
    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    help_ar = models.CharField(_("help in Arabic"), max_length=300, blank=True)
    help_en = models.CharField(_("help in English"), max_length=300, blank=True)
    content_types = models.JSONField(
        _("allowed types"), default=list,
        help_text=_("e.g. [\"application/pdf\", \"image/jpeg\"]"))
    max_bytes = models.PositiveIntegerField(_("size limit (bytes)"), default=10 * 1024 * 1024)
    supplied_by = models.CharField(_("supplied by"), max_length=12,
                                   choices=DocumentSupplier.choices,
                                   default=DocumentSupplier.APPLICANT)
    required = models.BooleanField(_("required"), default=True)
    shown_when = models.JSONField(_("shown when"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["permit_type", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["permit_type", "kind"],
                                               name="permit_type_document_kind_unique")]

    def __str__(self) -> str:
        return f"{self.permit_type.code}.{self.kind}"

    def name(self, language: str = "ar") -> str:
        return self.name_en if language.startswith("en") else self.name_ar


class PermitTypeParty(models.Model):
    """A party an application of the type must (or may) name."""

    permit_type = models.ForeignKey(PermitType, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    required = models.BooleanField(_("required"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party of a permit type")
        verbose_name_plural = _("parties of a permit type")
        constraints = [models.UniqueConstraint(fields=["permit_type", "role"],
                                               name="permit_type_party_role_unique")]

    def __str__(self) -> str:
        return f"{self.permit_type.code}: {self.role}"


class PermitFeeRule(models.Model):
    """Which stages of a type are billed; the amounts are the fee schedules of the type's
    e-service for that component (by municipality class and period). A rule with a
    `quantity_field` bills the schedule's rate times that numeric answer (e.g. m² built)."""

    permit_type = models.ForeignKey(PermitType, on_delete=models.CASCADE,
                                    related_name="fee_rules")
    stage = models.CharField(_("stage"), max_length=16, choices=FeeStage.choices)
    quantity_field = models.SlugField(_("quantity from field"), max_length=40, blank=True)
    per_year = models.BooleanField(
        _("charged per year of validity chosen"), default=False,
        help_text=_("Multiplies the quantity by the years answered in the type's validity "
                    "years field"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fee rule")
        verbose_name_plural = _("fee rules")
        constraints = [models.UniqueConstraint(fields=["permit_type", "stage"],
                                               name="permit_fee_rule_stage_unique")]

    def __str__(self) -> str:
        return f"{self.permit_type.code}: {self.stage}"


# --- Places ---------------------------------------------------------------------------------


class District(BilingualName):
    """A district (حي) of a municipality with its bounding box: coordinates given for a parcel
    in it must fall inside, so a typo that puts a parcel in the sea is refused."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT,
                                     related_name="districts")
    code = models.SlugField(_("code"), max_length=40)
    south = models.DecimalField(_("southern latitude"), **COORDINATE)
    north = models.DecimalField(_("northern latitude"), **COORDINATE)
    west = models.DecimalField(_("western longitude"), **COORDINATE)
    east = models.DecimalField(_("eastern longitude"), **COORDINATE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["municipality", "code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"],
                                    name="district_code_unique_in_municipality"),
            models.CheckConstraint(condition=Q(north__gt=F("south")) & Q(east__gt=F("west")),
                                   name="district_bounds_ordered"),
        ]

    def contains(self, latitude, longitude) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


class ZoneRule(BilingualName):
    """Building limits of a planning zone, for the light plan-rule check (as data)."""

    municipality = models.ForeignKey(Municipality, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     help_text=_("Empty: every municipality"))
    zone = models.SlugField(_("zone"), max_length=40)
    max_floors = models.PositiveSmallIntegerField(_("maximum floors"))
    max_coverage_percent = models.DecimalField(_("maximum coverage (%)"), max_digits=5,
                                               decimal_places=2)
    min_front_setback_m = models.DecimalField(_("minimum front setback (m)"), max_digits=6,
                                              decimal_places=2)
    min_side_setback_m = models.DecimalField(_("minimum side setback (m)"), max_digits=6,
                                             decimal_places=2)
    min_rear_setback_m = models.DecimalField(_("minimum rear setback (m)"), max_digits=6,
                                             decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("zone limits")
        verbose_name_plural = _("zone limits")
        ordering = ["zone"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "zone"],
                                    condition=Q(municipality__isnull=False),
                                    name="zone_rule_unique_in_municipality"),
            models.UniqueConstraint(fields=["zone"], condition=Q(municipality__isnull=True),
                                    name="zone_rule_unique_everywhere"),
        ]


class LocalDeed(models.Model):
    """The local stand-in for the Ministry of Justice's deed registry (demo and tests): what
    the registry would answer for a deed number. Production points PERMITS_DEED_REGISTRY at the
    real service; these rows are then unused."""

    deed_number = models.CharField(_("deed number"), max_length=20, unique=True)
    deed_date = models.DateField(_("deed date"))
    owner_id = models.CharField(_("owner's ID or unified number"), max_length=10)
    owner_name_ar = models.CharField(_("owner's name"), max_length=200)
    municipality_code = models.CharField(_("municipality code"), max_length=8)
    district_code = models.CharField(_("district code"), max_length=40)
    plan_number = models.CharField(_("plan number"), max_length=20)
    parcel_number = models.CharField(_("parcel number"), max_length=20)
    area_m2 = models.DecimalField(_("area (m²)"), **AREA)
    zone = models.SlugField(_("zone"), max_length=40)
    is_active = models.BooleanField(_("active"), default=True,
                                    help_text=_("A cancelled or superseded deed is inactive"))

    class Meta:
        verbose_name = _("deed (local registry)")
        verbose_name_plural = _("deeds (local registry)")

    def __str__(self) -> str:
        return self.deed_number


class Parcel(models.Model):
    """A plot of land as the deed registry confirmed it, with where it is."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT,
                                     related_name="parcels")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="parcels")
    deed_number = models.CharField(_("deed number"), max_length=20)
    deed_date = models.DateField(_("deed date"))
    owner_id = models.CharField(_("owner's ID on the deed"), max_length=10)
    plan_number = models.CharField(_("plan number"), max_length=20)
    parcel_number = models.CharField(_("parcel number"), max_length=20)
    area_m2 = models.DecimalField(_("area (m²)"), **AREA)
    zone = models.SlugField(_("zone"), max_length=40)
    latitude = models.DecimalField(_("latitude"), **COORDINATE)
    longitude = models.DecimalField(_("longitude"), **COORDINATE)
    verified_at = models.DateTimeField(_("deed checked at"))

    class Meta:
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        constraints = [models.UniqueConstraint(fields=["deed_number"],
                                               name="parcel_deed_unique")]

    def __str__(self) -> str:
        return f"{self.municipality.code} {self.plan_number}/{self.parcel_number}"

    @property
    def reference(self) -> str:
        """How other apps (the obligations registry) name this parcel."""
        return f"deed:{self.deed_number}"


# --- Offices and contractors ----------------------------------------------------------------


class RegisteredOffice(models.Model):
    """An engineering office or contractor registered with the municipality; the people who
    work for it are its establishment's representatives."""

    establishment = models.OneToOneField(Establishment, on_delete=models.PROTECT,
                                         related_name="registered_office")
    kind = models.CharField(_("kind"), max_length=20, choices=OfficeKind.choices)
    licence_number = models.CharField(_("licence number"), max_length=20, unique=True)
    classification = models.CharField(_("classification"), max_length=40)
    licence_expires_on = models.DateField(_("licence expires on"))
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("registered office or contractor")
        verbose_name_plural = _("registered offices and contractors")

    def __str__(self) -> str:
        return f"{self.establishment.name_ar} ({self.licence_number})"

    def is_licensed_on(self, day) -> bool:
        return self.is_active and self.licence_expires_on >= day


# --- Applications ---------------------------------------------------------------------------


def application_reference_new() -> str:
    # Public and unguessable: it appears in links shared between an office and an owner.
    return "PA" + secrets.token_hex(6).upper()


class Application(ChainHead):
    """A request for a permit (new, renewal, amendment, replacement), from draft to decision.

    Status has one writer: permits.services.applications.application_status_change."""

    CHAIN_KEY_FIELD = "reference"

    reference = models.CharField(_("reference"), max_length=16, unique=True,
                                 default=application_reference_new, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=ApplicationKind.choices,
                            default=ApplicationKind.NEW)
    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT,
                                    related_name="applications")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT,
                                     related_name="permit_applications")
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT)
    parcel = models.ForeignKey(Parcel, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="applications")
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    answers_version = models.PositiveIntegerField(default=1)
    last_step = models.PositiveSmallIntegerField(default=0)
    # The permit a renewal, amendment or replacement is about (or the base permit of an addition).
    permit = models.ForeignKey("Permit", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="applications")
    case = models.OneToOneField("workflow.Case", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="permit_application")
    owner_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="permit_applications")
    owner_establishment = models.ForeignKey(Establishment, null=True, blank=True,
                                            on_delete=models.PROTECT,
                                            related_name="permit_applications")
    filing_office = models.ForeignKey(RegisteredOffice, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="filed_applications")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    is_emergency = models.BooleanField(_("emergency"), default=False)
    work_started_at = models.DateTimeField(_("work started at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    row_version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("permit application")
        verbose_name_plural = _("permit applications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["municipality", "status", "-created_at"]),
                   models.Index(fields=["owner_person", "-created_at"]),
                   models.Index(fields=["filing_office", "-created_at"])]

    def __str__(self) -> str:
        return self.reference


class ApplicationEvent(ChainedEvent):
    """Append-only, hash-chained record of what happened to an application."""

    CHAIN_PARENT = "application"
    HASHED_FIELDS = (*ChainedEvent.HASHED_FIELDS, "application_kind")

    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                    related_name="events")
    kind = models.CharField(max_length=24, choices=ApplicationEventKind.choices)
    # Named so it does not shadow Event.kind: the application's kind when the event was written.
    application_kind = models.CharField(max_length=12, blank=True)

    class Meta(ChainedEvent.Meta):
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        constraints = [models.UniqueConstraint(fields=["application", "seq"],
                                               name="application_event_seq_unique")]


class ApplicationParty(models.Model):
    """Someone an application names: a person (owner, agent, delegate) or a registered office.

    An application is visible to exactly its parties (and the municipality's staff)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="parties")
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="permit_parties")
    office = models.ForeignKey(RegisteredOffice, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="permit_parties")
    establishment = models.ForeignKey(Establishment, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="permit_parties")
    # An agent's authorisation (وكالة): number, what it covers, until when.
    authorisation_number = models.CharField(_("authorisation number"), max_length=30,
                                            blank=True)
    authorisation_scope = models.CharField(_("authorisation scope"), max_length=200, blank=True)
    authorisation_expires_on = models.DateField(_("authorisation expires on"), null=True,
                                                blank=True)
    consent = models.CharField(_("consent"), max_length=12, choices=ConsentStatus.choices,
                               default=ConsentStatus.NOT_NEEDED)
    consent_at = models.DateTimeField(_("consent given or declined at"), null=True, blank=True)
    added_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("application party")
        verbose_name_plural = _("application parties")
        ordering = ["application", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(office__isnull=False)
                | Q(establishment__isnull=False),
                name="application_party_is_someone"),
            models.UniqueConstraint(fields=["application", "role", "person"],
                                    condition=Q(person__isnull=False),
                                    name="application_party_person_once_per_role"),
            models.UniqueConstraint(fields=["application", "role", "office"],
                                    condition=Q(office__isnull=False),
                                    name="application_party_office_once_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.role}"


def application_document_upload_to(instance, filename: str) -> str:
    return f"permits/applications/{instance.application_id}/{filename}"


class ApplicationDocument(models.Model):
    """A document on an application, checked by the upload service and stored privately.
    A corrected document is a new version; the earlier one is kept (`superseded_at`)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="documents")
    kind = models.SlugField(_("kind"), max_length=40)
    version = models.PositiveSmallIntegerField(default=1)
    file = models.FileField(upload_to=application_document_upload_to, storage=private_storage,
                            max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["application", "kind", "version"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind", "version"],
                                    name="application_document_version_unique"),
            models.UniqueConstraint(fields=["application", "kind"],
                                    condition=Q(superseded_at__isnull=True),
                                    name="application_document_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} {self.kind} v{self.version}"


class AnswerVersion(models.Model):
    """The answers as they stood before a correction changed them: versions are kept."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="answer_versions")
    version = models.PositiveIntegerField()
    answers = models.JSONField()
    saved_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["application", "version"]
        constraints = [models.UniqueConstraint(fields=["application", "version"],
                                               name="answer_version_unique")]

    def __str__(self) -> str:
        return f"{self.application_id} answers v{self.version}"


class CorrectionRequest(models.Model):
    """Staff ask for named fields and documents to be corrected; the applicant may change only
    those while it is open."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="corrections")
    fields = models.JSONField(_("fields to correct"), default=list, blank=True)
    documents = models.JSONField(_("documents to replace"), default=list, blank=True)
    note = models.TextField(_("what to correct and why"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    answer_note = models.TextField(_("applicant's note"), blank=True)

    class Meta:
        ordering = ["application", "requested_at", "id"]
        constraints = [models.UniqueConstraint(fields=["application"],
                                               condition=Q(answered_at__isnull=True),
                                               name="correction_one_open")]

    def __str__(self) -> str:
        return f"{self.application_id} correction {self.requested_at:%Y-%m-%d}"


class PlanCheck(models.Model):
    """The result of checking the answers against the parcel's zone limits (kept per run)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="plan_checks")
    answers_version = models.PositiveIntegerField()
    zone = models.SlugField(max_length=40)
    # [{"rule": "max_floors", "limit": "3", "value": "4", "passed": false}, ...]
    results = models.JSONField(default=list)
    passed = models.BooleanField()
    checked_at = models.DateTimeField(default=clock.now)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["application", "-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.application_id} plan check {'passed' if self.passed else 'failed'}"


class ApplicationFee(models.Model):
    """A stage of an application billed through payments; `paid_at` is written by the payable
    registry's on_paid, in the payment's own transaction."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="fees")
    stage = models.CharField(_("stage"), max_length=16, choices=FeeStage.choices)
    bill = models.OneToOneField("payments.Bill", on_delete=models.PROTECT,
                                related_name="permit_fee")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    billed_at = models.DateTimeField(default=clock.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "billed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "stage"],
                                               name="application_fee_stage_once")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.stage} {self.amount}"


# --- Inspections ----------------------------------------------------------------------------


class InspectionSlot(models.Model):
    """A time an inspector of a department can visit; applicants choose and move bookings."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT,
                                   related_name="inspection_slots")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="inspection_slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("visits"), default=1)
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("inspection slot")
        verbose_name_plural = _("inspection slots")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")),
                                   name="inspection_slot_not_overbooked"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="inspection_slot_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Inspection(models.Model):
    """A visit booked for an application, and what the inspector found.

    Status has one writer: permits.services.inspections.inspection_status_change."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                    related_name="inspections")
    purpose = models.CharField(_("purpose"), max_length=16, choices=InspectionPurpose.choices)
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="+")
    slot = models.ForeignKey(InspectionSlot, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="inspections")
    status = models.CharField(_("status"), max_length=10, choices=InspectionStatus.choices,
                              default=InspectionStatus.BOOKED)
    outcome = models.CharField(_("outcome"), max_length=8, choices=InspectionOutcome.choices,
                               blank=True)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    booked_at = models.DateTimeField(default=clock.now)
    done_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["application", "booked_at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["application", "purpose"], condition=Q(status="booked"),
            name="inspection_one_booked_per_purpose")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.purpose} {self.status}"


class InspectionFinding(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE,
                                   related_name="findings")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=3, choices=FindingAnswer.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["inspection", "item__order", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"],
                                               name="inspection_finding_once")]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.item_id}: {self.answer}"


def inspection_photo_upload_to(instance, filename: str) -> str:
    return f"permits/inspections/{instance.finding.inspection_id}/{filename}"


class InspectionPhoto(models.Model):
    finding = models.ForeignKey(InspectionFinding, on_delete=models.CASCADE,
                                related_name="photos")
    file = models.FileField(upload_to=inspection_photo_upload_to, storage=private_storage,
                            max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    taken_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"{self.finding_id} photo {self.sha256[:12]}"


# --- Permits --------------------------------------------------------------------------------


def verification_token_new() -> str:
    # Printed in the QR code; knowing one permit's token says nothing about another's.
    return secrets.token_urlsafe(24)


def certificate_upload_to(instance, filename: str) -> str:
    return f"permits/certificates/{filename}"


class Permit(ChainHead):
    """An issued permit or certificate: numbered per municipality and Hijri year, versioned on
    amendment, verifiable by anyone holding its QR code.

    Status has one writer: permits.services.permits.permit_status_change."""

    CHAIN_KEY_FIELD = "number"

    number = models.CharField(_("permit number"), max_length=32, unique=True)
    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="permits")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT,
                                     related_name="permits")
    status = models.CharField(_("status"), max_length=10, choices=PermitStatus.choices,
                              default=PermitStatus.VALID)
    holder_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="permits")
    holder_establishment = models.ForeignKey(Establishment, null=True, blank=True,
                                             on_delete=models.PROTECT, related_name="permits")
    parcel = models.ForeignKey(Parcel, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="permits")
    # The licence a sub-permit hangs from (signage on a shop licence, issue 10).
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="sub_permits")
    application = models.ForeignKey(Application, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    help_text=_("The application that first issued it"))
    details = models.JSONField(_("approved details"), default=dict, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    issued_on = models.DateField(_("issued on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    verification_token = models.CharField(max_length=40, unique=True,
                                          default=verification_token_new, editable=False)
    certificate = models.FileField(upload_to=certificate_upload_to, storage=private_storage,
                                   max_length=300, blank=True)
    certificate_sha256 = models.CharField(max_length=64, blank=True)
    certificate_made_at = models.DateTimeField(null=True, blank=True)
    certificate_version = models.PositiveSmallIntegerField(
        default=0, help_text=_("Which version of the permit the stored certificate shows"))
    replacement_count = models.PositiveSmallIntegerField(default=0)
    is_imported = models.BooleanField(_("imported from paper records"), default=False)
    paper_reference = models.CharField(_("paper-era number"), max_length=40, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    row_version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["status", "valid_until"]),
                   models.Index(fields=["holder_person", "-issued_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(holder_person__isnull=False)
                                   | Q(holder_establishment__isnull=False),
                                   name="permit_has_a_holder"),
            models.CheckConstraint(condition=Q(valid_until__isnull=True)
                                   | Q(valid_until__gte=F("valid_from")),
                                   name="permit_validity_ordered"),
            # A paper permit is brought in once: importing the same file twice is refused by
            # the database, not only by the import's own check.
            models.UniqueConstraint(fields=["municipality", "permit_type", "paper_reference"],
                                    condition=Q(is_imported=True),
                                    name="permit_paper_reference_imported_once"),
        ]

    def __str__(self) -> str:
        return self.number


class PermitEvent(ChainedEvent):
    """Append-only, hash-chained record of a permit's life."""

    CHAIN_PARENT = "permit"
    HASHED_FIELDS = (*ChainedEvent.HASHED_FIELDS, "version")

    permit = models.ForeignKey(Permit, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=PermitEventKind.choices)
    version = models.PositiveSmallIntegerField(default=1)

    class Meta(ChainedEvent.Meta):
        verbose_name = _("permit event")
        verbose_name_plural = _("permit events")
        constraints = [models.UniqueConstraint(fields=["permit", "seq"],
                                               name="permit_event_seq_unique")]


class PermitVersion(models.Model):
    """What a permit said in each version (approved details and validity); kept for ever."""

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField()
    details = models.JSONField()
    valid_until = models.DateField(null=True, blank=True)
    application = models.ForeignKey(Application, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["permit", "version"]
        constraints = [models.UniqueConstraint(fields=["permit", "version"],
                                               name="permit_version_unique")]

    def __str__(self) -> str:
        return f"{self.permit_id} v{self.version}"


class PermitCounter(models.Model):
    """The last permit number given per municipality and Hijri year (locked while issuing)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    hijri_year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "hijri_year"],
                                               name="permit_counter_unique")]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.hijri_year}: {self.last_number}"


class PermitObjection(models.Model):
    """An objection to a decision (a permit's, or an application's rejection), heard by the
    legal department as a workflow case of kind "permit_objection"; filed within 60 days."""

    permit = models.ForeignKey(Permit, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="objections")
    application = models.ForeignKey(Application, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="objections")
    case = models.OneToOneField("workflow.Case", on_delete=models.PROTECT,
                                related_name="permit_objection")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    grounds = models.TextField(_("grounds"))
    decision_on = models.DateField(_("date of the decision objected to"))
    due_on = models.DateField(_("last day to object"))
    filed_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-filed_at", "-id"]
        constraints = [models.CheckConstraint(
            condition=Q(permit__isnull=False, application__isnull=True)
            | Q(permit__isnull=True, application__isnull=False),
            name="permit_objection_about_one_decision")]

    def __str__(self) -> str:
        return f"objection {self.case_id}"


# --- Commercial licences (issue 10) -----------------------------------------------------------


class Activity(BilingualName):
    """A commercial activity a shop licence can cover (ISIC-like code), with the rules that
    decide how a licence for it is issued: instantly against a self-declaration or after a
    review, where and in how much space, which checks and documents, which fee tariff, how
    often an instant licence is inspected afterwards, and which sub-permits it allows."""

    code = models.CharField(_("activity code"), max_length=10, unique=True,
                            help_text=_("ISIC-based, e.g. 471101"))
    is_instant = models.BooleanField(
        _("issued instantly against a self-declaration"), default=False,
        help_text=_("Off: every licence with this activity is reviewed through a case"))
    procedure_code = models.SlugField(
        _("review procedure"), max_length=64, blank=True,
        help_text=_("The workflow definition a reviewed licence follows; empty: the licence "
                    "type's. With several reviewed activities, the one with more steps wins"))
    fee_variant = models.SlugField(
        _("fee tariff"), max_length=24, blank=True,
        help_text=_("The fee schedules' variant that prices it; empty: the standard tariff. "
                    "With several activities the highest fee applies"))
    allowed_zones = models.JSONField(
        _("zones allowed"), default=list, blank=True,
        help_text=_("Zone codes of the parcel where the activity may be licensed; empty: any"))
    min_area_m2 = models.DecimalField(_("minimum shop area (m²)"), null=True, blank=True,
                                      **AREA)
    civil_defence_required = models.BooleanField(
        _("needs a civil defence certificate"), default=False)
    sample_inspection_percent = models.PositiveSmallIntegerField(
        _("sample inspections after instant issue (%)"), default=0,
        help_text=_("Of every 100 licences issued instantly with it, how many are inspected "
                    "afterwards (chosen evenly, not at random)"))
    self_declaration_ar = models.TextField(_("self-declaration in Arabic"), blank=True)
    self_declaration_en = models.TextField(_("self-declaration in English"), blank=True)
    sub_permit_types = models.ManyToManyField(
        PermitType, verbose_name=_("sub-permits it allows"), blank=True,
        related_name="allowing_activities", limit_choices_to={"is_sub_permit": True})
    is_active = models.BooleanField(_("active"), default=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    history = HistoricalRecords(m2m_fields=[sub_permit_types])

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(sample_inspection_percent__lte=100),
                                   name="activity_sample_percent_at_most_100"),
            models.CheckConstraint(condition=Q(min_area_m2__isnull=True) | Q(min_area_m2__gt=0),
                                   name="activity_min_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_ar}"

    def self_declaration(self, language: str = "ar") -> str:
        return self.self_declaration_en if language.startswith("en") \
            else self.self_declaration_ar


class ActivityDocument(models.Model):
    """A document an activity asks for, on top of the licence type's own."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="documents")
    kind = models.SlugField(_("kind"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=10)
    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    help_ar = models.CharField(_("help in Arabic"), max_length=300, blank=True)
    help_en = models.CharField(_("help in English"), max_length=300, blank=True)
    content_types = models.JSONField(_("allowed types"), default=list)
    max_bytes = models.PositiveIntegerField(_("size limit (bytes)"), default=10 * 1024 * 1024)
    required = models.BooleanField(_("required"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity document")
        verbose_name_plural = _("activity documents")
        ordering = ["activity", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "kind"],
                                               name="activity_document_kind_unique")]

    def __str__(self) -> str:
        return f"{self.activity.code}.{self.kind}"

    def name(self, language: str = "ar") -> str:
        return self.name_en if language.startswith("en") else self.name_ar


class ApplicationActivity(models.Model):
    """An activity a licence application asks for (written with an ACTIVITIES_SET event)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="activities")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["application", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "activity"],
                                               name="application_activity_once")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.activity_id}"


class LicenceDeclaration(models.Model):
    """The self-declaration signed in the portal for an instant licence: the exact texts shown
    (one per activity), their digest, who signed and when. Written once."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT,
                                       related_name="declaration")
    text_ar = models.TextField()
    text_en = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    answers_version = models.PositiveIntegerField()
    signed_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("self-declaration")
        verbose_name_plural = _("self-declarations")

    def __str__(self) -> str:
        return f"{self.application_id} declaration"


class ActivitySampleCounter(models.Model):
    """How many licences were issued instantly under an activity's sampling rate, and how many
    of them were chosen: locked while choosing, so the rate holds exactly under concurrency."""

    activity = models.OneToOneField(Activity, on_delete=models.PROTECT, related_name="+")
    issued = models.PositiveIntegerField(default=0)
    sampled = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.sampled}/{self.issued}"


class SampleInspection(models.Model):
    """An instantly issued licence chosen for an inspection afterwards. Status has one writer:
    permits.licences.sampling.sample_inspection_status_change."""

    permit = models.OneToOneField(Permit, on_delete=models.PROTECT,
                                  related_name="sample_inspection")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+",
                                 help_text=_("The activity whose rate chose it"))
    rate_percent = models.PositiveSmallIntegerField()
    status = models.CharField(_("status"), max_length=12, choices=SampleInspectionStatus.choices,
                              default=SampleInspectionStatus.QUEUED)
    due_by = models.DateField(_("inspect by"))
    queued_at = models.DateTimeField(default=clock.now)
    handed_to = models.CharField(_("handed to"), max_length=64, blank=True)
    handed_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(_("inspection reference"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("sample inspection")
        verbose_name_plural = _("sample inspections")
        ordering = ["due_by", "id"]
        indexes = [models.Index(fields=["status", "due_by"])]

    def __str__(self) -> str:
        return f"sample {self.permit_id} {self.status}"


# Local stand-ins for the outside registries a licence is checked against (demo and tests).
# Production points PERMITS_COMMERCIAL_REGISTRY, PERMITS_LEASE_REGISTRY and
# PERMITS_CIVIL_DEFENCE_REGISTRY at the real services; these rows are then unused.


class LocalCommercialRegistration(models.Model):
    """What the Ministry of Commerce would answer for a commercial registration (CR)."""

    cr_number = models.CharField(_("CR number"), max_length=10, unique=True)
    unified_number = models.CharField(_("unified number"), max_length=10)
    name_ar = models.CharField(_("trade name"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.ACTIVE)
    activity_codes = models.JSONField(_("activity codes"), default=list)
    expires_on = models.DateField(_("expires on"))

    class Meta:
        verbose_name = _("commercial registration (local registry)")
        verbose_name_plural = _("commercial registrations (local registry)")

    def __str__(self) -> str:
        return self.cr_number


class LocalLease(models.Model):
    """What the lease platform (Ejar) would answer for a lease contract."""

    contract_number = models.CharField(_("contract number"), max_length=20, unique=True)
    lessee_id = models.CharField(_("lessee's unified number or ID"), max_length=10)
    deed_number = models.CharField(_("deed number of the place"), max_length=20)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    is_active = models.BooleanField(_("active"), default=True,
                                    help_text=_("A terminated contract is inactive"))

    class Meta:
        verbose_name = _("lease (local registry)")
        verbose_name_plural = _("leases (local registry)")

    def __str__(self) -> str:
        return self.contract_number


class LocalCivilDefenceCertificate(models.Model):
    """What the Civil Defence would answer for a safety certificate."""

    number = models.CharField(_("certificate number"), max_length=20, unique=True)
    unified_number = models.CharField(_("unified number"), max_length=10)
    deed_number = models.CharField(_("deed number of the place"), max_length=20)
    valid_until = models.DateField(_("valid until"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("civil defence certificate (local registry)")
        verbose_name_plural = _("civil defence certificates (local registry)")

    def __str__(self) -> str:
        return self.number
