"""Reconciliation runs and their items (spec §4). Imported by `payments.models`.

Items are written in bulk by SQL (a day's file can hold a million records), so their foreign
keys carry no database constraint: an FK trigger per inserted row would double the cost. The
ids come from the joined rows themselves, and payments and runs are never deleted (PROTECT).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amanah.events import Event

from .enums import (
    ReconCategory,
    ReconEventKind,
    ReconPhase,
    ReconRunStatus,
    ReconSource,
    ReviewStatus,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class ReconRun(models.Model):
    """One delivery of a reconciliation file, and what processing it found."""

    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    file_path = models.CharField(_("Stored file"), max_length=500)
    file_size = models.BigIntegerField(_("Size (bytes)"))
    source = models.CharField(_("Source"), max_length=10, choices=ReconSource.choices)
    status = models.CharField(_("Status"), max_length=28, choices=ReconRunStatus.choices,
                              default=ReconRunStatus.RECEIVED)
    phase = models.CharField(max_length=12, choices=ReconPhase.choices,
                             default=ReconPhase.STAGING)
    # Where the phase's last committed batch left off (see services.py); written with it.
    checkpoint = models.JSONField(default=dict, blank=True)
    business_date = models.DateField(_("Business date (PrcDt)"), null=True, blank=True)
    rq_uid = models.CharField(max_length=64, blank=True)
    collected = models.DecimalField(_("Collected (CollectPmtAmt)"), null=True, blank=True,
                                    **MONEY)
    fees = models.DecimalField(_("Fees (TransFees)"), null=True, blank=True, **MONEY)
    record_count = models.PositiveIntegerField(_("Records"), null=True, blank=True)
    failure = models.CharField(_("Why validation failed"), max_length=500, blank=True)
    counts = models.JSONField(_("Records per category"), default=dict, blank=True)
    amounts = models.JSONField(_("Amounts per category and bank"), default=dict, blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="duplicates")
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="supersedes")
    received_at = models.DateTimeField(_("Received at"))
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("Finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Reconciliation run")
        verbose_name_plural = _("Reconciliation runs")
        ordering = ["-received_at", "-id"]
        constraints = [
            # Once per file: only the first delivery of a file owns it; later ones are
            # DUPLICATE_FILE rows pointing at it.
            models.UniqueConstraint(fields=["file_sha256"], condition=Q(duplicate_of__isnull=True),
                                    name="recon_run_file_once"),
        ]
        indexes = [models.Index(fields=["business_date", "status"])]

    def __str__(self) -> str:
        return f"{self.business_date or '?'} #{self.pk} {self.status}"


class ReconItem(models.Model):
    """One file record (with its position) or one portal payment absent from the file."""

    run = models.ForeignKey(ReconRun, on_delete=models.PROTECT, related_name="items",
                            db_index=False, db_constraint=False)
    position = models.PositiveIntegerField(null=True, blank=True,
                                           help_text=_("Order in the file; empty for portal "
                                                       "payments absent from it"))
    sptn = models.CharField(_("SPTN"), max_length=40)
    category = models.CharField(_("Category"), max_length=20, choices=ReconCategory.choices)
    amount = models.DecimalField(_("Amount"), **MONEY)
    billing_account = models.CharField(_("BillingAcct"), max_length=32)
    bank_id = models.CharField(_("Bank"), max_length=16)
    processed_at = models.DateTimeField(null=True, blank=True)
    # The rest of the file record, kept only where a payment may have to be recorded from it
    # (MISSING_IN_PORTAL), so a resumed run needs no second pass over the file. NULL (not "")
    # elsewhere: "not kept" differs from an empty BNKPTN.
    bnkptn = models.CharField(max_length=40, blank=True, null=True)  # noqa: DJ001
    channel = models.CharField(max_length=8, blank=True, null=True)  # noqa: DJ001
    method = models.CharField(max_length=8, blank=True, null=True)  # noqa: DJ001
    effective_at = models.DateTimeField(null=True, blank=True)
    payment = models.ForeignKey("payments.Payment", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="recon_items",
                                db_index=False, db_constraint=False)
    portal_amount = models.DecimalField(null=True, blank=True, **MONEY)
    portal_billing_account = models.CharField(max_length=32, blank=True)
    review_status = models.CharField(_("Review"), max_length=8, choices=ReviewStatus.choices,
                                     default=ReviewStatus.NONE)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    db_constraint=False)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)
    resolved_by_run = models.ForeignKey(ReconRun, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+",
                                        db_index=False, db_constraint=False,
                                        help_text=_("PENDING_NEXT_FILE: the next day's run "
                                                    "that settled it"))

    class Meta:
        # PostgreSQL: the table is created with fillfactor 75 (migration 0011), so settling an
        # item's payment rewrites it in place (HOT) instead of in every index.
        verbose_name = _("Reconciliation item")
        verbose_name_plural = _("Reconciliation items")
        ordering = ["run", "position", "id"]
        constraints = [
            # Idempotent writes: a rerun of a killed run inserts each item at most once.
            models.UniqueConstraint(fields=["run", "position"], condition=Q(position__isnull=False),
                                    name="recon_item_file_position_once"),
            models.UniqueConstraint(fields=["run", "sptn"], condition=Q(position__isnull=True),
                                    name="recon_item_portal_payment_once"),
        ]
        indexes = [
            # The exception queue and the report read only the few non-MATCHED items. By
            # position too: recording reads a run's MISSING_IN_PORTAL items a batch at a time
            # from its checkpoint's position on; without it every batch read and sorted all
            # of them (at 1M records, 250k per batch: the run grew with their square).
            models.Index(fields=["run", "category", "position"],
                         condition=~Q(category="MATCHED"),
                         name="recon_item_exceptions_position"),
            models.Index(fields=["review_status"], condition=Q(review_status="open"),
                         name="recon_item_review_open"),
        ]

    def __str__(self) -> str:
        return f"{self.sptn} {self.category}"


class ReconEvent(Event):
    """Append-only history of runs and of the review of their exceptions."""

    run = models.ForeignKey(ReconRun, on_delete=models.PROTECT, related_name="events")
    item = models.ForeignKey(ReconItem, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="events", db_constraint=False)
    kind = models.CharField(max_length=20, choices=ReconEventKind.choices)

    class Meta(Event.Meta):
        verbose_name = _("Reconciliation event")
        verbose_name_plural = _("Reconciliation events")

    def __str__(self) -> str:
        return f"{self.run_id} {self.kind}"
