"""The bill page's "pay with the simulated bank" button (demo mode only)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amanah.errors import DomainError
from amanah.permissions import person_for_user
from payments import selectors

from .bank import simulated_bank_pay


@login_required
@require_POST
def bill_pay(request, billing_account: str):
    """Demo only: plays the bank. The payment reaches the portal as a signed SADAD notification
    through the same handler as `/sadad/payment-notifications`."""
    if not settings.DEMO_MODE:
        raise Http404
    bill = selectors.bill_get_for_page(billing_account=billing_account)
    # Only its payer may pay: anyone else is told it does not exist, as on the bill page.
    if bill is None or not selectors.bill_is_payers(bill=bill,
                                                    person=person_for_user(request.user)):
        raise Http404
    if not bill.is_payable:
        messages.error(request, _("This bill cannot be paid now."))
        return redirect("payments:bill_detail", billing_account=billing_account)
    try:
        simulated_bank_pay(billing_account=bill.billing_account, amount=bill.amount)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The simulated bank paid the bill; SADAD notified the portal."))
    return redirect("payments:bill_detail", billing_account=billing_account)
