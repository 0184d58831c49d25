"""The counter: a clerk finds a walk-in (or phoning) citizen by ID, or records one the portal
does not know, and goes on to file a request or issue a fee for them.

The ID travels in a form's body, never in an address (addresses end up in logs); once found,
the person is named in the address by their record's number only."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .auth.forms import domain_error_to_form
from .counter import (
    counter_municipalities,
    is_counter_staff,
    mobile_masked,
    person_find,
    person_get,
    person_register_at_counter,
)
from .errors import DomainError
from .forms_counter import CounterFindForm, CounterPersonForm
from .page_access import forbidden
from .views import url_or_none


@login_required
@require_http_methods(["GET", "POST"])
def counter(request):
    """Find the citizen by ID; if the portal does not know them, offer to record them."""
    user = request.user
    if not is_counter_staff(user):
        return forbidden(request)
    municipalities = counter_municipalities(user)
    find_form, person_form, status = CounterFindForm(), None, 200
    if request.method == "POST" and request.POST.get("op") == "register":
        person_form = CounterPersonForm(request.POST, municipalities=municipalities)
        find_form = CounterFindForm(initial={"national_id": request.POST.get("national_id")})
        if person_form.is_valid():
            data = person_form.cleaned_data
            try:
                person = person_register_at_counter(
                    national_id=data["national_id"], name_ar=data["name_ar"],
                    name_en=data["name_en"], mobile=data["mobile"], clerk=user,
                    municipality=data["municipality"])
            except DomainError as error:
                domain_error_to_form(person_form, error)
            else:
                return redirect("amanah:counter_person", person_id=person.pk)
        status = 400
    elif request.method == "POST":
        find_form = CounterFindForm(request.POST)
        if find_form.is_valid():
            number = find_form.cleaned_data["national_id"]
            person = person_find(national_id=number)
            if person is not None:
                return redirect("amanah:counter_person", person_id=person.pk)
            person_form = CounterPersonForm(
                initial={"national_id": number,
                         "municipality": municipalities.first()},
                municipalities=municipalities)
            status = 404
        else:
            status = 400
    return render(request, "amanah/counter/find.html",
                  {"find_form": find_form, "person_form": person_form},
                  status=status)


@login_required
def counter_person(request, person_id: int):
    """The person card: who the clerk is serving, and what they can do for them."""
    if not is_counter_staff(request.user):
        return forbidden(request)
    person = person_get(person_id=person_id)
    if person is None:
        raise Http404
    return render(request, "amanah/counter/person.html", {
        "person": person, "mobile_masked": mobile_masked(person.mobile),
        "file_url": url_or_none("workflow:counter_file", person_id=person.pk),
        "fee_url": url_or_none("payments:counter_fee", person_id=person.pk),
        "find_form": CounterFindForm()})
