"""The core domain: who the municipality is, who works there, who it serves, what it offers."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from simple_history.models import HistoricalRecords

from . import clock
from .auth.hashing import recovery_code_hash
from .enums import (
    AccountEventKind,
    EstablishmentSize,
    IdentityVerificationPurpose,
    IdentityVerificationStatus,
    IdType,
    MunicipalityKind,
    NotificationChannel,
    NotificationStatus,
    OneTimeCodePurpose,
    OwningApp,
    RolloutState,
    StaffRole,
    ThresholdBound,
)
from .events import Event
from .identity import official_id_type
from .process_cache import GenerationCache, TellsKeptCopies
from .scorecards import METRIC_CHOICES


class BilingualName(models.Model):
    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name_ar} / {self.name_en}"

    def name(self, language: str = "ar") -> str:
        return self.name_en if language.startswith("en") else self.name_ar


class User(AbstractUser):
    """A sign-in account. A citizen's username is their national ID or iqama number."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Municipality(TellsKeptCopies, BilingualName):
    """The Amanah itself or one of its branch municipalities."""

    code = models.CharField(
        _("code"), max_length=8, unique=True,
        help_text=_("Short Latin code used in case and permit numbers, e.g. KHB"))
    kind = models.CharField(_("kind"), max_length=10, choices=MunicipalityKind.choices)
    parent = models.ForeignKey("self", verbose_name=_("parent Amanah"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="branches")
    municipality_class = models.PositiveSmallIntegerField(
        _("municipality class"), choices=[(n, str(n)) for n in range(1, 6)], default=3,
        help_text=_("1 (largest) to 5; fee schedules depend on it"))
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(municipality_class__gte=1, municipality_class__lte=5),
                name="municipality_class_1_to_5"),
        ]



class Department(TellsKeptCopies, BilingualName):
    """A department of a branch municipality, or of the Amanah centrally."""

    municipality = models.ForeignKey(Municipality, verbose_name=_("municipality"),
                                     on_delete=models.PROTECT, related_name="departments")
    code = models.CharField(_("code"), max_length=32)
    head = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("head"), null=True,
                             blank=True, on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["municipality__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"],
                                    name="department_code_unique_in_municipality"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality.code}/{self.code} — {self.name_ar}"



@dataclass(frozen=True)
class ActiveDepartments:
    by_code: dict[tuple[int, str], Department]  # (municipality id, code) → department
    by_id: dict[int, Department]
    # Every municipality with its parent attached (a few hundred rows): routing locks the case
    # row alone and takes its municipality from here.
    municipalities: dict[int, Municipality]


def _active_departments_load() -> ActiveDepartments:
    municipalities = {m.pk: m for m in Municipality.objects.all()}
    for municipality in municipalities.values():
        if municipality.parent_id is not None:
            Municipality._meta.get_field("parent").set_cached_value(
                municipality, municipalities[municipality.parent_id])
    found = list(Department.objects.filter(is_active=True))
    for department in found:
        Department._meta.get_field("municipality").set_cached_value(
            department, municipalities[department.municipality_id])
    return ActiveDepartments(by_code={(d.municipality_id, d.code): d for d in found},
                             by_id={d.pk: d for d in found}, municipalities=municipalities)


# Who holds a step is looked up for every case that enters one; departments (a few hundred
# rows, with their municipality) change rarely. The objects are shared: read them, never change
# them. Municipality writes reload them too, since each carries its municipality.
ACTIVE_DEPARTMENTS = GenerationCache(_active_departments_load)
# The departments every process keeps carry their municipality.
Municipality.kept_copy = Department.kept_copy = ACTIVE_DEPARTMENTS


class StaffMembership(models.Model):
    """A staff member holds a role in a department; what they may do follows from both."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"),
                             on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(Department, verbose_name=_("department"),
                                   on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "department", "role"],
                                    name="membership_unique_role_in_department"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.department.code} ({self.role})"


class Person(models.Model):
    """A citizen (national ID starting 1) or resident (iqama starting 2)."""

    national_id = models.CharField(_("national ID / iqama number"), max_length=10, unique=True)
    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    mobile = models.CharField(_("mobile"), max_length=13, blank=True,
                              help_text=_("E.164, e.g. +966551234567"))
    mobile_confirmed_at = models.DateTimeField(_("mobile confirmed at"), null=True, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # The language messages (SMS) are written in: the one the person last signed in with.
    language = models.CharField(_("language for messages"), max_length=2,
                                choices=[("ar", _("Arabic")), ("en", _("English"))],
                                default="ar")
    municipality = models.ForeignKey(Municipality, verbose_name=_("municipality of residence"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="residents")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="person")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(condition=Q(national_id__regex=r"^[12][0-9]{9}$"),
                                   name="person_national_id_format"),
        ]

    def __str__(self) -> str:
        return f"{self.name_ar} ({self.national_id})"

    @property
    def id_type(self) -> IdType | None:
        return official_id_type(self.national_id)

    def name(self, language: str = "ar") -> str:
        return (self.name_en or self.name_ar) if language.startswith("en") else self.name_ar


class Establishment(BilingualName):
    """A company or shop, known by its unified number (الرقم الموحد, 10 digits starting 7)."""

    unified_number = models.CharField(_("unified number"), max_length=10, unique=True)
    municipality = models.ForeignKey(Municipality, verbose_name=_("municipality"), null=True,
                                     blank=True, on_delete=models.PROTECT,
                                     related_name="establishments")
    representatives = models.ManyToManyField(Person, verbose_name=_("representatives"), blank=True,
                                             related_name="establishments")
    size = models.CharField(_("size"), max_length=8, blank=True,
                            choices=EstablishmentSize.choices,
                            help_text=_("As the commercial registry classifies it; fines are "
                                        "scaled by it"))
    history = HistoricalRecords(m2m_fields=[representatives])

    class Meta:
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")
        constraints = [
            models.CheckConstraint(condition=Q(unified_number__regex=r"^7[0-9]{9}$"),
                                   name="establishment_unified_number_format"),
        ]


class EService(BilingualName):
    """An e-service in the catalogue; where it is offered is decided by its rollouts."""

    code = models.CharField(_("code"), max_length=32, unique=True,
                            help_text=_("Also the SADAD ServiceType of its bills"))
    description_ar = models.TextField(_("description in Arabic"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    owning_app = models.CharField(_("owning app"), max_length=16, choices=OwningApp.choices)
    url_name = models.CharField(_("page URL name"), max_length=100, blank=True,
                                help_text=_("Django URL name of the service's start page"))
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("e-service")
        verbose_name_plural = _("e-services")
        ordering = ["display_order", "code"]

    def description(self, language: str = "ar") -> str:
        return self.description_en if language.startswith("en") else self.description_ar


class EServiceRollout(models.Model):
    """Whether an e-service is off, piloted or live in one municipality. No row means off."""

    eservice = models.ForeignKey(EService, verbose_name=_("e-service"), on_delete=models.CASCADE,
                                 related_name="rollouts")
    municipality = models.ForeignKey(Municipality, verbose_name=_("municipality"),
                                     on_delete=models.CASCADE, related_name="rollouts")
    state = models.CharField(_("state"), max_length=8, choices=RolloutState.choices,
                             default=RolloutState.OFF)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("e-service rollout")
        verbose_name_plural = _("e-service rollouts")
        constraints = [
            models.UniqueConstraint(fields=["eservice", "municipality"],
                                    name="rollout_unique_per_municipality"),
        ]

    def __str__(self) -> str:
        return f"{self.eservice.code} @ {self.municipality.code}: {self.state}"


class OneTimeCode(models.Model):
    """A code sent by SMS. Only its hash is stored; it expires, works once, allows few tries.

    Issuing a new code for the same person and purpose supersedes the earlier ones.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="one_time_codes")
    purpose = models.CharField(max_length=20, choices=OneTimeCodePurpose.choices)
    code_hash = models.CharField(max_length=128)
    # Business time (amanah.clock), so that tests that move the clock see consistent codes.
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["person", "purpose", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.person.national_id} {self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class AccountEvent(Event):
    """Append-only record of what happened to a person's account (sign-up, codes, confirmation)."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="account_events")
    kind = models.CharField(_("kind"), max_length=20, choices=AccountEventKind.choices)

    class Meta(Event.Meta):
        verbose_name = _("account event")
        verbose_name_plural = _("account events")

    def __str__(self) -> str:
        return f"{self.person.national_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class IdentityVerification(models.Model):
    """One check at the identity provider (Nafath) that someone holds `national_id`.

    Approved, it is a one-use, short-lived proof kept on the server (the browser's session holds
    only its `token`): the only way a national ID becomes bound to an account or its password
    is reset without the account's mobile. Its status has one writer:
    amanah.auth.verifications.identity_verification_status_change.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    purpose = models.CharField(_("purpose"), max_length=16,
                               choices=IdentityVerificationPurpose.choices)
    provider = models.CharField(_("provider"), max_length=32)
    national_id = models.CharField(_("national ID / iqama number"), max_length=10)
    transaction_id = models.CharField(_("provider transaction"), max_length=100)
    random = models.CharField(_("number shown"), max_length=2)
    status = models.CharField(_("status"), max_length=10,
                              choices=IdentityVerificationStatus.choices,
                              default=IdentityVerificationStatus.PENDING)
    # As the provider returned them, once approved; never typed by the person.
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    # While pending: the provider's deadline for approval; once approved: the proof's end.
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("identity verification")
        verbose_name_plural = _("identity verifications")
        indexes = [models.Index(fields=["national_id", "-created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["provider", "transaction_id"],
                                    name="identity_verification_unique_transaction"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.transaction_id} {self.national_id} {self.status}"


class IdentityVerificationEvent(Event):
    """Append-only record of each status an identity verification went through."""

    verification = models.ForeignKey(IdentityVerification, on_delete=models.PROTECT,
                                     related_name="events")
    kind = models.CharField(_("kind"), max_length=10, choices=IdentityVerificationStatus.choices)

    class Meta(Event.Meta):
        verbose_name = _("identity verification event")
        verbose_name_plural = _("identity verification events")


class KnownDevice(models.Model):
    """A browser a citizen confirmed by SMS code; its signed cookie spares the code next time.

    Only a keyed hash of the cookie's random id is stored."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="known_devices")
    device_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=clock.now)
    last_seen_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("known device")
        verbose_name_plural = _("known devices")
        constraints = [
            models.UniqueConstraint(fields=["person", "device_hash"],
                                    name="known_device_unique_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person.national_id} device since {self.created_at:%Y-%m-%d}"


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A staff member's ten single-use recovery codes, for when the authenticator is lost.

    A django-otp device, so a recovery code verifies a session exactly as a TOTP code does.
    Only keyed hashes are stored; the codes are shown once, when they are made.
    """

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        given = recovery_code_hash(device_id=self.pk, code=str(token))
        # django_otp.verify_token locked this device's row, so two sessions cannot spend
        # the same code at once.
        spent = self.codes.filter(code_hash=given, used_at__isnull=True).update(
            used_at=clock.now())
        if spent:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.device} {'used' if self.used_at else 'unused'}"


class PilotThreshold(models.Model):
    """A figure an e-service's pilot must meet in a municipality before it may be switched live
    (see `amanah.scorecards` for the figures, `amanah.rollout.pilot_gate_evaluate` for the
    gate). Shares are written as percentages."""

    eservice = models.ForeignKey(EService, verbose_name=_("e-service"), on_delete=models.CASCADE,
                                 related_name="pilot_thresholds")
    metric = models.CharField(_("figure"), max_length=24, choices=METRIC_CHOICES)
    bound = models.CharField(_("must be"), max_length=3, choices=ThresholdBound.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    min_cases = models.PositiveIntegerField(
        _("minimum number of transactions"), default=20,
        help_text=_("Below this many transactions in the period the figures do not count yet, "
                    "and the pilot cannot be switched live."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pilot threshold")
        verbose_name_plural = _("pilot thresholds")
        ordering = ["eservice__display_order", "eservice__code", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["eservice", "metric"],
                                    name="pilot_threshold_unique_per_metric"),
            models.CheckConstraint(condition=Q(value__gte=0), name="pilot_threshold_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.eservice.code} {self.metric} {self.bound} {self.value}"


class NotificationTemplate(TellsKeptCopies, models.Model):
    """The words of one event's message on one channel, in both languages, edited by admins.

    Placeholders are `{name}`; the names each event may use are declared in code
    (`amanah.notify.EVENTS`), so a template can only promise facts the event provides."""

    event = models.CharField(_("event"), max_length=40)
    channel = models.CharField(_("channel"), max_length=8, choices=NotificationChannel.choices)
    subject_ar = models.CharField(_("subject in Arabic"), max_length=200, blank=True)
    subject_en = models.CharField(_("subject in English"), max_length=200, blank=True)
    body_ar = models.TextField(_("text in Arabic"))
    body_en = models.TextField(_("text in English"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification text")
        verbose_name_plural = _("notification texts")
        ordering = ["event", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"],
                                    name="notification_template_one_per_event_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.event} ({self.channel})"


class Notification(models.Model):
    """One message to one recipient on one channel, rendered when its event happened.

    (key, channel, recipient_key) is unique: the database, not a query before the insert,
    makes sure one event never sends twice however often it is requested."""

    event = models.CharField(_("event"), max_length=40)
    key = models.CharField(_("dedupe key"), max_length=120)
    channel = models.CharField(_("channel"), max_length=8, choices=NotificationChannel.choices)
    # "person:<id>" or "user:<id>": one column for the unique key whichever FK is set.
    recipient_key = models.CharField(max_length=40)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="notifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="notifications")
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=2, default="ar")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=20, choices=NotificationStatus.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"))
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["key", "channel", "recipient_key"],
                                    name="notification_once_per_key_channel_recipient"),
            models.CheckConstraint(condition=Q(person__isnull=False) | Q(user__isnull=False),
                                   name="notification_has_a_recipient"),
        ]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="notification_person_idx"),
            models.Index(fields=["user", "-created_at"], name="notification_user_idx"),
            models.Index(fields=["status", "created_at"], name="notification_status_idx",
                         condition=Q(status="queued")),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_key} ({self.channel}, {self.status})"


def _notification_templates_load() -> dict[str, list[NotificationTemplate]]:
    """The active texts by event; an event with no row at all says its default texts (a row
    switched off is not sent)."""
    from .notify_texts import DEFAULT_TEXTS, default_texts

    rows: dict[str, list[NotificationTemplate]] = {}
    for template in NotificationTemplate.objects.order_by("channel"):
        rows.setdefault(template.event, []).append(template)
    by_event = {event: [t for t in templates if t.is_active] for event, templates in rows.items()}
    for event in DEFAULT_TEXTS:
        if event not in rows:
            by_event[event] = [NotificationTemplate(event=event, channel=channel,
                                                    **default_texts(event, channel))
                               for channel in (NotificationChannel.EMAIL, NotificationChannel.SMS)]
    return by_event


# Every payment, bill and case event reads its texts: a few dozen rows that admins change
# rarely, kept by each process (a payment notification's hot path then adds no SELECT).
ACTIVE_NOTIFICATION_TEMPLATES = GenerationCache(_notification_templates_load)
NotificationTemplate.kept_copy = ACTIVE_NOTIFICATION_TEMPLATES


class ExportLog(models.Model):
    """One staff list taken out of the portal as a file: who, which list with which filters,
    when, and how many rows (set when the last row was written; empty if the download was
    abandoned)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.PROTECT, related_name="+")
    list_name = models.CharField(_("list"), max_length=40)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    file_format = models.CharField(_("format"), max_length=4)
    language = models.CharField(_("language"), max_length=2)
    started_at = models.DateTimeField(_("started at"), default=clock.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["user", "-started_at"], name="export_log_user_idx")]

    def __str__(self) -> str:
        return f"{self.list_name}.{self.file_format} {self.started_at:%Y-%m-%d %H:%M}"
