"""Finance staff pages: collections, bills, payments, the suspense queue, issuing a fee bill."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from amanah import clock
from amanah.charts import bar_chart_svg
from amanah.dates import FIRST_SHOWABLE_DATE, business_date
from amanah.errors import DomainError
from amanah.identity import digits_normalise
from amanah.pagination import CappedPaginator

from .. import selectors
from ..enums import AccessChannel, BillStatus, PaymentStatus, ResolutionStatus
from ..forms import (
    AllocateForm,
    CollectionsWindowForm,
    MiscFeeBillForm,
    RefundDecisionForm,
    RefundRequestForm,
    WriteOffForm,
)
from ..services import (
    misc_fee_issue,
    refund_approve,
    refund_reject,
    refund_request,
    suspense_allocate,
    suspense_write_off,
)
from .access import finance_required, forbidden

PAGE_SIZE = 25
DASHBOARD_DEFAULT_DAYS = 14
DASHBOARD_MAX_DAYS = 92
RECON_QUEUE_SHOWN = 50
ALERTS_SHOWN = 10


def _page(request, qs):
    # Counted up to a cap: a municipality's bills and payments grow by the million.
    return CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@finance_required
def dashboard(request):
    today = business_date(clock.now())
    # A day that does not exist or cannot be shown is said next to its field (400), and the
    # page shows the default window rather than a guess at what was meant.
    window = CollectionsWindowForm(request.GET)
    chosen = window.cleaned_data if window.is_valid() else {}
    date_to = chosen.get("to") or today
    date_from = chosen.get("from") or date_to - dt.timedelta(days=DASHBOARD_DEFAULT_DAYS - 1)
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    # A bounded window keeps the page (and its per-day chart) a fixed size, and every day in
    # it showable in Hijri.
    date_from = max(date_from, date_to - dt.timedelta(days=DASHBOARD_MAX_DAYS - 1),
                    FIRST_SHOWABLE_DATE)
    summary = selectors.collections_summary(municipality_ids=request.finance.municipality_ids,
                                            date_from=date_from, date_to=date_to)
    language = (get_language() or "ar")[:2]
    channels = dict(AccessChannel.choices)
    # The spec (§2) says staff are alerted when SADAD rejects a bill: the first thing finance
    # staff see is what SADAD refused and what keeps failing to upload. One more row than
    # shown tells whether there are more, without a count query.
    scope = request.finance.municipality_ids
    rejected = list(selectors.bill_list_rejected_by_sadad(municipality_ids=scope)
                    [:ALERTS_SHOWN + 1])
    failing = list(selectors.outbox_list_failing(municipality_ids=scope)[:ALERTS_SHOWN + 1])
    return render(request, "payments/finance/dashboard.html", {
        "summary": summary, "language": language, "range_form": window,
        "rejected": rejected[:ALERTS_SHOWN], "rejected_more": len(rejected) > ALERTS_SHOWN,
        "failing": failing[:ALERTS_SHOWN], "failing_more": len(failing) > ALERTS_SHOWN,
        "chart": bar_chart_svg([(row.key[5:], row.total) for row in summary.per_day],
                               title=_("Collections per day (SAR)"), rtl=language == "ar"),
        "per_channel": [(channels.get(row.key, row.key), row) for row in summary.per_channel],
    }, status=400 if window.errors else 200)


def bill_filters(request) -> tuple[str, str, str]:
    """(status, query, fee rule id) of the bill list, as its page and its export read them."""
    status = request.GET.get("status", "")
    status = status if status in BillStatus.values else ""
    query = digits_normalise(request.GET.get("q", ""))[:32]
    # The fee history page links here for the bills issued under one period of a fee.
    fee_schedule = request.GET.get("fee_schedule", "")
    fee_schedule = fee_schedule if fee_schedule.isascii() and fee_schedule.isdigit() \
        and len(fee_schedule) <= 18 else ""
    return status, query, fee_schedule


def payment_filters(request) -> tuple[str, str]:
    """(status, query) of the payment list, as its page and its export read them."""
    status = request.GET.get("status", "")
    status = status if status in PaymentStatus.values else ""
    return status, request.GET.get("q", "").strip()[:40]


def bill_filter_query(*, status: str, query: str, fee_schedule: str) -> dict:
    return {"status": status, "q": query, **({"fee_schedule": fee_schedule} if fee_schedule
                                             else {})}


@finance_required
def bills(request):
    status, query, fee_schedule = bill_filters(request)
    qs = selectors.bill_list_for_staff(municipality_ids=request.finance.municipality_ids,
                                       status=status, query=query,
                                       fee_schedule_id=int(fee_schedule) if fee_schedule else None)
    return render(request, "payments/finance/bills.html", {
        "page": _page(request, qs), "status": status, "q": query, "fee_schedule": fee_schedule,
        "query_prefix": urlencode(bill_filter_query(status=status, query=query,
                                                    fee_schedule=fee_schedule)) + "&",
        "export_query": urlencode(bill_filter_query(status=status, query=query,
                                                    fee_schedule=fee_schedule)),
        "statuses": BillStatus.choices, "may_issue": request.finance.may_issue_bills,
    })


@finance_required
def payments(request):
    status, query = payment_filters(request)
    qs = selectors.payment_list_for_staff(municipality_ids=request.finance.municipality_ids,
                                          status=status, query=query)
    return render(request, "payments/finance/payments.html", {
        "page": _page(request, qs), "status": status, "q": query,
        "query_prefix": urlencode({"status": status, "q": query}) + "&",
        "export_query": urlencode({"status": status, "q": query}),
        "statuses": PaymentStatus.choices,
    })


@finance_required
def suspense(request):
    qs = selectors.suspense_list_for_staff(municipality_ids=request.finance.municipality_ids)
    # Reconciliation exceptions are biller-wide; the Amanah's desk works them in the run report.
    recon_open = list(selectors.recon_exception_queue_for_staff()[:RECON_QUEUE_SHOWN])
    return render(request, "payments/finance/suspense.html",
                  {"page": _page(request, qs), "recon_open": recon_open})


SUSPENSE_FORMS = {
    "allocate": AllocateForm,
    "refund": RefundRequestForm,
    "write_off": WriteOffForm,
    "approve": RefundDecisionForm,
    "reject": RefundDecisionForm,
}


# The services name a few fields differently from the forms.
SERVICE_FIELDS = {"bill": "billing_account"}


def _suspense_act(action: str, form, *, payment, open_refund, actor):
    data = form.cleaned_data
    if action == "allocate":
        # By number, through the service: it looks for the bill only within the actor's
        # municipalities, so another municipality's bill reads as one that does not exist.
        suspense_allocate(payment_id=payment.pk, billing_account=data["billing_account"],
                          actor=actor, reason=data["reason"])
        return _("The payment was allocated to the bill.")
    if action == "refund":
        refund_request(payment_id=payment.pk, actor=actor, reason=data["reason"],
                       iban=data["iban"])
        return _("Refund requested; another finance officer must approve it.")
    if action == "write_off":
        suspense_write_off(payment_id=payment.pk, actor=actor, reason=data["reason"])
        return _("The payment was written off.")
    if open_refund is None:
        raise DomainError("resolution.not_found", "لا يوجد طلب استرداد قيد الاعتماد.",
                          "No refund request is awaiting approval.")
    if action == "approve":
        refund_approve(resolution_id=open_refund.pk, actor=actor)
        return _("Refund approved.")
    refund_reject(resolution_id=open_refund.pk, actor=actor, reason=data["reason"])
    return _("Refund rejected; the payment stays in suspense.")


@finance_required
def suspense_item(request, payment_id: int):
    payment = selectors.suspense_get_for_staff(payment_id=payment_id,
                                               municipality_ids=request.finance.municipality_ids)
    if payment is None:
        raise Http404
    resolutions = list(payment.resolutions.all())
    open_refund = next((r for r in resolutions if r.status == ResolutionStatus.REQUESTED), None)
    forms = {name: cls(prefix=name) for name, cls in SUSPENSE_FORMS.items()}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in SUSPENSE_FORMS:
            raise Http404
        form = SUSPENSE_FORMS[action](request.POST, prefix=action)
        forms[action] = form
        if form.is_valid():
            try:
                done = _suspense_act(action, form, payment=payment, open_refund=open_refund,
                                     actor=request.user)
            except DomainError as exc:
                field = SERVICE_FIELDS.get(exc.field, exc.field)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, done)
                return redirect("payments:finance_suspense_item", payment_id=payment.pk)
        status = 400
    return render(request, "payments/finance/suspense_item.html", {
        "payment": payment, "resolutions": resolutions, "open_refund": open_refund,
        "forms": forms, "is_open": payment.status == PaymentStatus.SUSPENSE,
        "may_decide": open_refund is not None and open_refund.requested_by_id != request.user.pk,
    }, status=status)


# Where a service's refusal is shown on the form: the service names its own arguments.
_ISSUE_ERROR_FIELDS = {"payments.not_cashier": "municipality"}
_SERVICE_TO_FORM_FIELD = {"payable_ref": "reference", "fee_quantity": "quantity"}


def _field_of(exc: DomainError, form) -> str | None:
    field = _SERVICE_TO_FORM_FIELD.get(exc.field, exc.field)
    return field if field in form.fields else None


@finance_required
def bill_new(request):
    """A cashier issues a miscellaneous fee (a challan) priced by the service's fee schedule."""
    if not request.finance.may_issue_bills:
        return forbidden(request)
    issuable = selectors.misc_fee_issuable(user=request.user,
                                           municipality_ids=request.finance.municipality_ids)
    form = MiscFeeBillForm(request.POST or None, municipalities=issuable.municipalities,
                           eservices=issuable.eservices, eservices_offered=issuable.offered)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person, establishment = selectors.payer_find(official_id=data["payer_id"])
        if person is None and establishment is None:
            form.add_error("payer_id", _("No person or establishment has this number."))
        else:
            try:
                bill = misc_fee_issue(actor=request.user, municipality=data["municipality"],
                                      eservice=data["eservice"], payer_person=person,
                                      payer_establishment=establishment,
                                      quantity=data["quantity"], reference=data["reference"],
                                      description_ar=data["description_ar"],
                                      description_en=data["description_en"])
            except DomainError as exc:
                form.add_error(_ISSUE_ERROR_FIELDS.get(exc.code) or _field_of(exc, form),
                               exc.message)
            else:
                messages.success(request, _("Bill %(number)s issued; it is being registered "
                                            "with SADAD.") % {"number": bill.billing_account})
                return redirect("payments:bill_detail", billing_account=bill.billing_account)
    return render(request, "payments/finance/bill_new.html", {"form": form},
                  status=400 if form.errors else 200)
