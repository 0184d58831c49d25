"""Public pages, no sign-in: the bill inquiry (spec §5) and receipt verification (QR target)."""

from django.shortcuts import render

from .. import selectors
from ..forms import BillInquiryForm


def bill_inquiry(request):
    """Limited per address and per looked-up ID by the `bill_inquiry` scope (RATE_LIMITED_PAGES,
    shared with the API) before this runs."""
    form = BillInquiryForm(request.POST or None)
    bill = None
    not_found = False
    if request.method == "POST" and form.is_valid():
        bill = selectors.bill_get_for_inquiry(**form.cleaned_data)
        not_found = bill is None
    return render(request, "payments/bill_inquiry.html", {
        "form": form, "bill": bill, "not_found": not_found,
        "receipt": next(iter(bill.receipts.all()), None) if bill else None,
    })


def receipt_verify(request, token: str):
    """Confirms a receipt is genuine: number, amount, date, status — nothing about the payer."""
    receipt = selectors.receipt_get_for_verification(token=token)
    # A forged QR code is the case this page exists for: say so plainly, with what to do —
    # the same page for a malformed token as for an unknown one.
    return render(request, "payments/receipt_verify.html", {"receipt": receipt},
                  status=200 if receipt is not None else 404)
