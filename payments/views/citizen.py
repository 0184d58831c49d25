"""Citizen pages: my bills, a bill, my receipts, the receipt PDF."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render

from amanah.permissions import person_for_user

from .. import selectors
from ..receipts import receipt_pdf_ensure
from .access import finance_scope

PAGE_SIZE = 20


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def my_bills(request):
    person = person_for_user(request.user)
    page = _page(request, selectors.bill_list_for_person_page(person=person)) if person else None
    return render(request, "payments/my_bills.html", {"person": person, "page": page})


def _bill_viewer(request, bill) -> str | None:
    """'payer', 'finance' or None: who is looking decides what the page offers."""
    if selectors.bill_is_payers(bill=bill, person=person_for_user(request.user)):
        return "payer"
    scope = finance_scope(request.user)
    if scope is not None and scope.covers(bill.municipality_id):
        return "finance"
    return None


@login_required
def bill_detail(request, billing_account: str):
    bill = selectors.bill_get_for_page(billing_account=billing_account)
    # Someone else's bill is "not found", not "forbidden": bill numbers are not to be probed.
    viewer = _bill_viewer(request, bill) if bill is not None else None
    if viewer is None:
        raise Http404
    receipts = list(bill.receipts.all())
    return render(request, "payments/bill_detail.html", {
        "bill": bill, "receipts": receipts, "viewer": viewer,
        "held": selectors.bill_held_money(bill=bill),
        # The simulated bank (payments.sadad.simulator, a demo-only app) pays only bills the
        # simulated SADAD was given, i.e. when it is the gateway.
        "may_pay_simulated": (settings.DEMO_MODE and settings.PAYMENTS_GATEWAY == "simulator"
                              and viewer == "payer" and bill.is_payable),
    })


@login_required
def my_receipts(request):
    person = person_for_user(request.user)
    page = _page(request, selectors.receipt_list_for_person(person=person)) if person else None
    return render(request, "payments/my_receipts.html", {"person": person, "page": page})


@login_required
def receipt_pdf(request, number: str):
    """The PDF, to its payer and to finance staff of its municipality only."""
    receipt = selectors.receipt_get_for_page(number=number)
    if receipt is None or _bill_viewer(request, receipt.bill) is None:
        raise Http404
    if not receipt.pdf:
        # The task normally made it already; making it here is the same idempotent ensure.
        receipt = receipt_pdf_ensure(receipt_id=receipt.pk)
    response = FileResponse(receipt.pdf.open("rb"), content_type="application/pdf",
                            as_attachment=True, filename=f"{receipt.number}.pdf")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
