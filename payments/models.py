"""Bills, payments and everything SADAD needs to know about them.

Status fields change only through `payments.services`; every change writes an event row.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from amanah.events import AppendOnlyError, ChainedEvent, ChainHead, Event  # noqa: F401
from amanah.identity import official_id_type
from amanah.models import EService, Establishment, Municipality, Person

from .enums import (
    AccessChannel,
    BillCategory,
    BillEventKind,
    BillStatus,
    FeeComponent,
    FeeRuleKind,
    OutboxEventKind,
    OutboxKind,
    OutboxStatus,
    PaymentEventKind,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
    ResolutionKind,
    ResolutionStatus,
    SuspenseReason,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class FeeSchedule(models.Model):
    """What one e-service costs in municipalities of one class over one period."""

    eservice = models.ForeignKey(EService, verbose_name=_("Service"), on_delete=models.PROTECT,
                                 related_name="fee_schedules")
    municipality_class = models.PositiveSmallIntegerField(
        _("Municipality class"), choices=[(n, str(n)) for n in range(1, 6)])
    effective_from = models.DateField(_("Effective from"))
    effective_to = models.DateField(_("Effective to (inclusive)"), null=True, blank=True,
                                    help_text=_("Empty: open-ended"))
    component = models.CharField(
        _("Fee component"), max_length=24, blank=True, default=FeeComponent.MAIN,
        choices=FeeComponent.choices,
        help_text=_("The stage of the service this fee is for; empty: the service's main fee"))
    variant = models.SlugField(
        _("Fee variant"), max_length=24, blank=True, default="",
        help_text=_("A named tariff of the service (e.g. a licensed activity's fee group); "
                    "empty: the standard tariff, used wherever a variant has no schedule"))
    kind = models.CharField(_("Rule"), max_length=8, choices=FeeRuleKind.choices)
    amount = models.DecimalField(_("Amount or rate (SAR)"), **MONEY)
    unit_ar = models.CharField(_("Unit (Arabic)"), max_length=40, blank=True)
    unit_en = models.CharField(_("Unit (English)"), max_length=40, blank=True)
    minimum = models.DecimalField(_("Minimum (SAR)"), null=True, blank=True, **MONEY)
    name_ar = models.CharField(_("Name (Arabic)"), max_length=200)
    name_en = models.CharField(_("Name (English)"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    # Who added each period and who closed it, kept row by row (the fee's history page).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Fee schedule")
        verbose_name_plural = _("Fee schedules")
        ordering = ["eservice__code", "municipality_class", "component", "variant",
                    "effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fee_amount_positive"),
            models.CheckConstraint(condition=Q(minimum__isnull=True) | Q(minimum__gte=0),
                                   name="fee_minimum_not_negative"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="fee_period_ordered"),
            models.CheckConstraint(condition=Q(municipality_class__gte=1,
                                               municipality_class__lte=5),
                                   name="fee_municipality_class_1_to_5"),
        ]

    def __str__(self) -> str:
        component = f" {self.component}" if self.component else ""
        return (f"{self.eservice.code}{component} class {self.municipality_class} "
                f"from {self.effective_from}")


class BillingAccountCounter(models.Model):
    """SQLite only: the next BillingAcct payload. PostgreSQL uses a sequence instead."""

    next_value = models.BigIntegerField()

    def __str__(self) -> str:
        return str(self.next_value)



class Bill(ChainHead):
    """Money the municipality asks for, presented to SADAD under its BillingAcct.

    Its events form a hash chain keyed by the BillingAcct (see amanah.events)."""

    CHAIN_KEY_FIELD = "billing_account"

    billing_account = models.CharField(_("Bill number (BillingAcct)"), max_length=15, unique=True)
    municipality = models.ForeignKey(Municipality, verbose_name=_("Municipality"),
                                     on_delete=models.PROTECT, related_name="bills")
    eservice = models.ForeignKey(EService, verbose_name=_("Service"), on_delete=models.PROTECT,
                                 related_name="bills",
                                 help_text=_("Its code is the SADAD ServiceType"))
    category = models.CharField(_("Category"), max_length=4, choices=BillCategory.choices)
    payer_person = models.ForeignKey(Person, verbose_name=_("Payer (person)"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="bills")
    payer_establishment = models.ForeignKey(Establishment, verbose_name=_("Payer (establishment)"),
                                            null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="bills")
    amount = models.DecimalField(_("Amount due"), **MONEY)
    amount_paid = models.DecimalField(_("Amount paid"), default=0, **MONEY)
    due_date = models.DateField(_("Due date"))
    expiry_date = models.DateField(_("Expiry date"))
    version = models.PositiveIntegerField(_("Version"), default=1)
    status = models.CharField(_("Status"), max_length=24, choices=BillStatus.choices,
                              default=BillStatus.PENDING_REGISTRATION)
    payable_kind = models.CharField(_("Payable kind"), max_length=40)
    payable_ref = models.CharField(_("Payable reference"), max_length=64)
    description_ar = models.CharField(_("Description (Arabic)"), max_length=300)
    description_en = models.CharField(_("Description (English)"), max_length=300)
    fee_schedule = models.ForeignKey(FeeSchedule, verbose_name=_("Fee rule"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="bills")
    fee_snapshot = models.JSONField(_("Fee rule and inputs used"), default=dict, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="bills_issued")
    registered_at = models.DateTimeField(_("Accepted by SADAD at"), null=True, blank=True)
    sadad_rejection = models.CharField(_("SADAD rejection"), max_length=300, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    paid_at = models.DateTimeField(_("Paid at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Bill")
        verbose_name_plural = _("Bills")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(billing_account__regex=r"^[0-9]{2,15}$"),
                                   name="bill_billing_account_digits"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bill_amount_positive"),
            models.CheckConstraint(condition=Q(amount_paid__gte=0),
                                   name="bill_amount_paid_not_negative"),
            models.CheckConstraint(condition=Q(expiry_date__gte=F("due_date")),
                                   name="bill_expiry_after_due"),
            models.CheckConstraint(
                condition=(Q(payer_person__isnull=False, payer_establishment__isnull=True)
                           | Q(payer_person__isnull=True, payer_establishment__isnull=False)),
                name="bill_exactly_one_payer"),
        ]
        indexes = [
            models.Index(fields=["payable_kind", "payable_ref"]),
            models.Index(fields=["status", "expiry_date"]),
            # The finance bill list, newest first, in one municipality or in all of them
            # (selectors.bill_list_for_staff orders by exactly this).
            models.Index(F("municipality"), F("created_at").desc(), F("id").desc(),
                          name="bill_municipality_list_idx"),
            models.Index(F("created_at").desc(), F("id").desc(), name="bill_list_idx"),
            # The finance list's search by reference (the index above leads with the kind).
            models.Index(fields=["payable_ref"], name="bill_payable_ref_idx"),
        ]

    def __str__(self) -> str:
        return self.billing_account

    @property
    def service_type(self) -> str:
        return self.eservice.code

    @property
    def is_payable(self) -> bool:
        """Shown to the citizen as payable: SADAD has accepted it and nothing settled it."""
        return self.status == BillStatus.UNPAID and self.cancel_requested_at is None

    @property
    def is_paid(self) -> bool:
        return self.status == BillStatus.PAID

    @property
    def payer_official_id(self) -> str:
        if self.payer_person_id:
            return self.payer_person.national_id
        return self.payer_establishment.unified_number

    @property
    def payer_official_id_type(self) -> str:
        """SADAD's `OfficialIdType` of the payer: NAT, IQA or UNN."""
        return official_id_type(self.payer_official_id)

    def description(self, language: str = "ar") -> str:
        return self.description_en if language.startswith("en") else self.description_ar


class BillEvent(ChainedEvent):
    """What happened to a bill: a link of its hash chain. Statuses are `BillStatus` values."""

    CHAIN_PARENT = "bill"
    HASHED_FIELDS = (*ChainedEvent.HASHED_FIELDS, "version")

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=BillEventKind.choices)
    version = models.PositiveIntegerField()

    class Meta(ChainedEvent.Meta):
        verbose_name = _("Bill event")
        verbose_name_plural = _("Bill events")
        ordering = ["bill", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "seq"], name="bill_event_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bill_id} {self.kind}"



class InboundMessage(models.Model):
    """A SADAD notification that was answered 200: replayed byte for byte on the same RqUID."""

    rq_uid = models.CharField(max_length=64, unique=True)
    msg_code = models.CharField(max_length=8)
    body_sha256 = models.CharField(max_length=64)
    record_count = models.PositiveIntegerField()
    response_status = models.PositiveSmallIntegerField()
    response_body = models.BinaryField()
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = _("SADAD inbound message")
        verbose_name_plural = _("SADAD inbound messages")

    def __str__(self) -> str:
        return self.rq_uid



class Payment(ChainHead):
    """Money SADAD says a citizen paid. Recorded once per SPTN, whatever the bill's state.

    Its events form a hash chain keyed by the SPTN (see amanah.events)."""

    CHAIN_KEY_FIELD = "sptn"

    sptn = models.CharField(_("SADAD payment id (SPTN)"), max_length=40)
    bnkptn = models.CharField(_("Bank payment id (BNKPTN)"), max_length=40, blank=True)
    amount = models.DecimalField(_("Amount"), **MONEY)
    billing_account = models.CharField(_("BillingAcct as received"), max_length=32)
    biller_id = models.CharField(max_length=8)
    bill = models.ForeignKey(Bill, verbose_name=_("Bill"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="payments")
    status = models.CharField(_("Status"), max_length=12, choices=PaymentStatus.choices)
    suspense_reason = models.CharField(_("Suspense reason"), max_length=16, blank=True,
                                       choices=SuspenseReason.choices)
    bank_id = models.CharField(_("Bank"), max_length=16)
    channel = models.CharField(_("Channel"), max_length=8, choices=AccessChannel.choices)
    method = models.CharField(_("Method"), max_length=8, choices=PaymentMethod.choices)
    processed_at = models.DateTimeField(_("Processed at (PrcDt)"))
    effective_at = models.DateTimeField(_("Effective at (EffDt)"), null=True, blank=True)
    business_date = models.DateField(_("Business date (Riyadh)"), db_index=True)
    received_at = models.DateTimeField(_("Recorded at"))
    source = models.CharField(_("Source"), max_length=16, choices=PaymentSource.choices)
    inbound_message = models.ForeignKey(InboundMessage, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="payments")
    source_reference = models.CharField(
        max_length=64, blank=True,
        help_text=_("RqUID of the notification, or the reconciliation run that found it"))
    needs_review = models.BooleanField(_("Needs review"), default=False)

    class Meta:
        verbose_name = _("Payment")
        verbose_name_plural = _("Payments")
        ordering = ["-processed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["sptn"], name="payment_sptn_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=(Q(status=PaymentStatus.SUSPENSE) & ~Q(suspense_reason=""))
                | ~Q(status=PaymentStatus.SUSPENSE),
                name="payment_suspense_has_reason"),
            models.CheckConstraint(
                condition=~Q(status=PaymentStatus.APPLIED) | Q(bill__isnull=False),
                name="payment_applied_has_bill"),
        ]
        indexes = [
            models.Index(fields=["billing_account"]),
            models.Index(fields=["status", "processed_at"]),
        ]

    def __str__(self) -> str:
        return self.sptn


class PaymentEvent(ChainedEvent):
    """What happened to a payment: a link of its hash chain. Statuses are `PaymentStatus`
    values, or `ResolutionStatus` values for the decision on a refund request."""

    CHAIN_PARENT = "payment"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=PaymentEventKind.choices)

    class Meta(ChainedEvent.Meta):
        verbose_name = _("Payment event")
        verbose_name_plural = _("Payment events")
        ordering = ["payment", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "seq"], name="payment_event_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} {self.kind}"



class SuspenseResolution(models.Model):
    """What staff did with a suspense payment. A refund needs a second person's approval."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="resolutions")
    kind = models.CharField(_("Resolution"), max_length=12, choices=ResolutionKind.choices)
    status = models.CharField(_("Status"), max_length=12, choices=ResolutionStatus.choices)
    amount = models.DecimalField(_("Amount"), **MONEY)
    target_bill = models.ForeignKey(Bill, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="allocations")
    reason = models.CharField(_("Reason"), max_length=500)
    refund_iban = models.CharField(_("Refund IBAN"), max_length=34, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Suspense resolution")
        verbose_name_plural = _("Suspense resolutions")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # Four eyes, enforced by the database too: whoever asked cannot decide.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by"))
                | ~Q(kind=ResolutionKind.REFUND),
                name="resolution_refund_four_eyes"),
            models.UniqueConstraint(fields=["payment"],
                                    condition=Q(status=ResolutionStatus.REQUESTED),
                                    name="resolution_one_open_per_payment"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="resolution_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.payment_id} ({self.status})"



class SadadOutbox(models.Model):
    """One bill upload to SADAD, written in the same transaction as the bill change."""

    rq_uid = models.UUIDField(unique=True)
    kind = models.CharField(max_length=12, choices=OutboxKind.choices)
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="uploads")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=OutboxStatus.choices,
                              default=OutboxStatus.PENDING)
    # Counted (and committed) before each send, so a send killed half-way is still counted.
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # While a worker is sending the row nobody else takes it; a worker killed mid-send leaves
    # it claimed only until then, and the sweeper sends it again under the same RqUID.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    sadad_status_code = models.CharField(max_length=4, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SADAD upload")
        verbose_name_plural = _("SADAD uploads")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.bill_id} v{self.version}"


class OutboxEvent(Event):
    """Each attempt to send an upload and how it ended; statuses are `OutboxStatus` values."""

    outbox = models.ForeignKey(SadadOutbox, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=OutboxEventKind.choices)

    class Meta(Event.Meta):
        verbose_name = _("SADAD upload event")
        verbose_name_plural = _("SADAD upload events")

    def __str__(self) -> str:
        return f"{self.outbox_id} {self.kind}"



def _receipt_verify_token() -> str:
    return secrets.token_urlsafe(16)


class Receipt(models.Model):
    """The receipt of an applied payment. The PDF is made once, by a task, after commit."""

    number = models.CharField(_("Receipt number"), max_length=32, unique=True)
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="receipts")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    verify_token = models.CharField(max_length=32, unique=True, default=_receipt_verify_token)
    pdf = models.FileField(_("PDF"), upload_to="receipts/%Y/%m/", blank=True)
    issued_at = models.DateTimeField(_("Issued at"))
    pdf_made_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Receipt")
        verbose_name_plural = _("Receipts")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number


from .reconciliation.models import ReconEvent, ReconItem, ReconRun  # noqa: E402,F401 - §4 runs
