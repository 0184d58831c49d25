"""Finance lists as CSV or XLSX: the bills, payments, suspense queue and a reconciliation run's
exceptions, each read by its page's own selector with its page's filters and scope, so the file
holds every row the page lists across all its pages, in the same order."""

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils.translation import get_language

from amanah.dates import business_date
from amanah.exports import Column, choice_labels, export_list, hijri_iso, rows_of

from .. import selectors
from ..enums import AccessChannel, BillStatus, PaymentStatus, ResolutionStatus, SuspenseReason
from ..models import SuspenseResolution
from ..reconciliation.enums import ReconCategory, ReviewStatus
from .access import finance_required
from .finance import bill_filter_query, bill_filters, payment_filters


def _language() -> str:
    return (get_language() or "ar")[:2]


def _localized(row: dict, prefix: str, language: str) -> str:
    return row[f"{prefix}_{language}"] or row[f"{prefix}_ar"] or ""


def _export_format(file_format: str) -> str:
    if file_format not in ("csv", "xlsx"):
        raise Http404
    return file_format


# --- Bills ----------------------------------------------------------------------------------

BILL_FIELDS = ("billing_account", "description_ar", "description_en", "eservice__name_ar",
               "eservice__name_en", "municipality__name_ar", "municipality__name_en",
               "payer_person__national_id", "payer_establishment__unified_number", "amount",
               "amount_paid", "due_date", "status", "sadad_rejection", "created_at")


def bill_columns(language: str) -> list[Column]:
    statuses = choice_labels(BillStatus.choices)
    return [
        Column("billing_account", "رقم الفاتورة", "Bill number", lambda r: r["billing_account"]),
        Column("description", "الوصف", "Description",
               lambda r: _localized(r, "description", language)),
        Column("eservice", "الخدمة", "Service",
               lambda r: _localized(r, "eservice__name", language)),
        Column("municipality", "البلدية", "Municipality",
               lambda r: _localized(r, "municipality__name", language)),
        Column("payer_id", "هوية الدافع", "Payer ID",
               lambda r: (r["payer_person__national_id"]
                          or r["payer_establishment__unified_number"])),
        Column("amount", "المبلغ (ر.س)", "Amount (SAR)", lambda r: r["amount"], "money"),
        Column("amount_paid", "المدفوع (ر.س)", "Paid (SAR)", lambda r: r["amount_paid"], "money"),
        Column("due_date", "تاريخ الاستحقاق", "Due date", lambda r: r["due_date"], "date"),
        Column("due_date_hijri", "تاريخ الاستحقاق (هجري)", "Due date (Hijri)",
               lambda r: hijri_iso(r["due_date"])),
        Column("status", "الحالة", "Status", lambda r: statuses.get(r["status"], r["status"])),
        Column("sadad_rejection", "رفض سداد", "SADAD rejection", lambda r: r["sadad_rejection"]),
        Column("created_at", "تاريخ الإنشاء", "Created at", lambda r: r["created_at"],
               "datetime"),
    ]


@finance_required
def export_bills(request, file_format: str):
    file_format = _export_format(file_format)
    status, query, fee_schedule = bill_filters(request)
    bills = selectors.bill_list_for_staff(
        municipality_ids=request.finance.municipality_ids, status=status, query=query,
        fee_schedule_id=int(fee_schedule) if fee_schedule else None)
    language = _language()
    return export_list(user=request.user, list_name="bills",
                       filters=bill_filter_query(status=status, query=query,
                                                 fee_schedule=fee_schedule),
                       rows=rows_of(bills.values(*BILL_FIELDS)), columns=bill_columns(language),
                       filename_stem="bills", format=file_format, language=language)


# --- Payments and the suspense queue ---------------------------------------------------------

PAYMENT_FIELDS = ("sptn", "bnkptn", "billing_account", "amount", "bank_id", "channel",
                  "business_date", "processed_at", "status", "suspense_reason", "needs_review")


def payment_columns(language: str) -> list[Column]:
    statuses = choice_labels(PaymentStatus.choices)
    reasons = choice_labels(SuspenseReason.choices)
    channels = choice_labels(AccessChannel.choices)
    yes, no = ("Yes", "No") if language == "en" else ("نعم", "لا")
    return [
        Column("sptn", "رقم عملية سداد (SPTN)", "SPTN", lambda r: r["sptn"]),
        Column("bnkptn", "مرجع البنك", "Bank reference", lambda r: r["bnkptn"]),
        Column("billing_account", "رقم الفاتورة", "Bill number", lambda r: r["billing_account"]),
        Column("amount", "المبلغ (ر.س)", "Amount (SAR)", lambda r: r["amount"], "money"),
        Column("bank", "البنك", "Bank", lambda r: r["bank_id"]),
        Column("channel", "القناة", "Channel", lambda r: channels.get(r["channel"], r["channel"])),
        Column("business_date", "يوم العمل", "Business date", lambda r: r["business_date"],
               "date"),
        Column("business_date_hijri", "يوم العمل (هجري)", "Business date (Hijri)",
               lambda r: hijri_iso(r["business_date"])),
        Column("processed_at", "وقت المعالجة", "Processed at", lambda r: r["processed_at"],
               "datetime"),
        Column("status", "الحالة", "Status", lambda r: statuses.get(r["status"], r["status"])),
        Column("suspense_reason", "سبب التعليق", "Suspense reason",
               lambda r: reasons.get(r["suspense_reason"], r["suspense_reason"])),
        Column("needs_review", "تحتاج مراجعة", "Needs review",
               lambda r: yes if r["needs_review"] else no),
    ]


@finance_required
def export_payments(request, file_format: str):
    file_format = _export_format(file_format)
    status, query = payment_filters(request)
    payments = selectors.payment_list_for_staff(
        municipality_ids=request.finance.municipality_ids, status=status, query=query)
    language = _language()
    return export_list(user=request.user, list_name="payments",
                       filters={"status": status, "q": query},
                       rows=rows_of(payments.values(*PAYMENT_FIELDS)),
                       columns=payment_columns(language), filename_stem="payments",
                       format=file_format, language=language)


def suspense_columns(language: str) -> list[Column]:
    reasons = choice_labels(SuspenseReason.choices)
    awaiting = "Refund awaiting approval" if language == "en" else "استرداد بانتظار الاعتماد"
    return [
        Column("sptn", "رقم عملية سداد (SPTN)", "SPTN", lambda r: r["sptn"]),
        Column("billing_account", "رقم الفاتورة", "Bill number", lambda r: r["billing_account"]),
        Column("amount", "المبلغ (ر.س)", "Amount (SAR)", lambda r: r["amount"], "money"),
        Column("reason", "السبب", "Reason",
               lambda r: reasons.get(r["suspense_reason"], r["suspense_reason"])),
        Column("received", "وقت الاستلام", "Received", lambda r: r["processed_at"], "datetime"),
        Column("received_hijri", "تاريخ الاستلام (هجري)", "Received (Hijri)",
               lambda r: hijri_iso(business_date(r["processed_at"]))),
        Column("open_request", "طلب مفتوح", "Open request",
               lambda r: awaiting if r["has_refund_requested"] else ""),
    ]


@finance_required
def export_suspense(request, file_format: str):
    file_format = _export_format(file_format)
    # The page prefetches each payment's requests; a streamed list asks the same question of
    # each row in the query itself.
    refund_requested = SuspenseResolution.objects.filter(
        payment=OuterRef("pk"), status=ResolutionStatus.REQUESTED)
    suspense = (selectors.suspense_list_for_staff(
        municipality_ids=request.finance.municipality_ids)
        .prefetch_related(None).annotate(has_refund_requested=Exists(refund_requested)))
    language = _language()
    return export_list(user=request.user, list_name="suspense", filters={},
                       rows=rows_of(suspense.values(
                           "sptn", "billing_account", "amount", "suspense_reason",
                           "processed_at", "has_refund_requested")),
                       columns=suspense_columns(language), filename_stem="suspense",
                       format=file_format, language=language)


# --- A reconciliation run's exceptions -------------------------------------------------------

RECON_ITEM_FIELDS = ("position", "sptn", "category", "billing_account", "portal_billing_account",
                     "amount", "portal_amount", "bank_id", "processed_at", "review_status",
                     "review_note", "reviewed_at")


def recon_item_columns(language: str) -> list[Column]:
    categories = choice_labels(ReconCategory.choices)
    reviews = choice_labels(ReviewStatus.choices)
    return [
        Column("position", "الموضع في الملف", "Position in the file", lambda r: r["position"],
               "int"),
        Column("sptn", "رقم عملية سداد (SPTN)", "SPTN", lambda r: r["sptn"]),
        Column("category", "الفئة", "Category",
               lambda r: categories.get(r["category"], r["category"])),
        Column("billing_account", "رقم الفاتورة في الملف", "Bill number in the file",
               lambda r: r["billing_account"]),
        Column("portal_billing_account", "رقم الفاتورة في البوابة", "Bill number in the portal",
               lambda r: r["portal_billing_account"]),
        Column("amount", "المبلغ في الملف (ر.س)", "Amount in the file (SAR)",
               lambda r: r["amount"], "money"),
        Column("portal_amount", "المبلغ في البوابة (ر.س)", "Amount in the portal (SAR)",
               lambda r: r["portal_amount"], "money"),
        Column("bank", "البنك", "Bank", lambda r: r["bank_id"]),
        Column("processed_at", "وقت المعالجة", "Processed at", lambda r: r["processed_at"],
               "datetime"),
        Column("review", "المراجعة", "Review",
               lambda r: reviews.get(r["review_status"], r["review_status"])),
        Column("review_note", "ملاحظة المراجعة", "Review note", lambda r: r["review_note"]),
        Column("reviewed_at", "وقت المراجعة", "Reviewed at", lambda r: r["reviewed_at"],
               "datetime"),
    ]


@finance_required
def export_recon_items(request, run_id: int, file_format: str):
    file_format = _export_format(file_format)
    run = selectors.recon_run_get_for_staff(pk=run_id)
    if run is None:
        raise Http404
    items = selectors.recon_run_exception_items(run=run)
    language = _language()
    return export_list(user=request.user, list_name="recon_items", filters={"run": run.pk},
                       rows=rows_of(items.values(*RECON_ITEM_FIELDS)),
                       columns=recon_item_columns(language),
                       filename_stem=f"reconciliation-{run.pk}", format=file_format,
                       language=language)
