"""Counter service, the payments part: a cashier or clerk issues a fee for a citizen found at
the counter (`amanah:counter`) and reads them the SADAD number to pay it with."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from amanah.counter import COUNTER_FEE_ROLES, counter_municipalities, mobile_masked, person_get
from amanah.errors import DomainError, NotFound

from .. import selectors
from ..forms import CounterFeeForm
from ..services import misc_fee_issue
from .access import forbidden

# Where a service's refusal is shown on the form: the service names its own arguments.
_SERVICE_TO_FORM_FIELD = {"fee_quantity": "quantity"}


@login_required
@require_http_methods(["GET", "POST"])
def counter_fee(request, person_id: int):
    """The fees a counter may issue are the miscellaneous fees finance issues, priced by the
    schedule; the service checks that this cashier or clerk serves the municipality chosen."""
    municipalities = counter_municipalities(request.user, roles=COUNTER_FEE_ROLES)
    if not municipalities.exists():
        return forbidden(request)
    person = person_get(person_id=person_id)
    if person is None:
        raise Http404
    issuable = selectors.misc_fee_issuable(user=request.user, municipality_ids=None)
    form = CounterFeeForm(request.POST or None, municipalities=municipalities,
                          eservices=issuable.eservices,
                          eservices_offered=selectors.misc_fee_eservice_list(
                              user=request.user, municipalities=municipalities),
                          initial={"municipality": person.municipality_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            bill = misc_fee_issue(actor=request.user, municipality=data["municipality"],
                                  eservice=data["eservice"], payer_person=person,
                                  quantity=data["quantity"],
                                  description_ar=data["description_ar"],
                                  description_en=data["description_en"], at_counter=True)
        except DomainError as exc:
            field = _SERVICE_TO_FORM_FIELD.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            return redirect("payments:counter_fee_issued", billing_account=bill.billing_account)
    return render(request, "payments/counter/fee.html",
                  {"form": form, "person": person, "mobile_masked": mobile_masked(person.mobile)},
                  status=400 if form.errors else 200)


@login_required
def counter_fee_issued(request, billing_account: str):
    """The SADAD number, big, to read out or hand over; only to the clerk who issued it."""
    try:
        bill = selectors.bill_get_issued_at_counter(billing_account=billing_account,
                                                    clerk=request.user)
    except NotFound:
        raise Http404 from None
    return render(request, "payments/counter/fee_issued.html", {"bill": bill})
