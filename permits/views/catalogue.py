"""Public pages of the catalogue (no sign-in): the service cards a citizen reads before starting
and the fee calculator. A type is shown only where its e-service is rolled out to the visitor:
live anywhere, or piloted where amanah.rollout lets them in."""

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.http import urlencode
from django.utils.translation import get_language

from amanah.errors import DomainError
from amanah.models import Municipality
from amanah.permissions import person_for_user
from amanah.views import url_or_none

from ..enums import FiledBy
from ..forms_catalogue import FeeCalculatorForm, MunicipalityChoiceForm
from ..service_cards import (
    content_type_names,
    fee_estimate,
    megabytes,
    municipality_of_class,
    offered_municipalities,
    quantity_inputs,
    service_card_get,
    service_card_list,
    stage_rules,
)


def service_list(request):
    return render(request, "permits/catalogue/service_list.html",
                  {"permit_types": service_card_list(user=request.user)})


def _default_municipality(request, municipalities: list[Municipality]) -> Municipality | None:
    """The visitor's own municipality when the service is offered there, else the first."""
    person = person_for_user(request.user) if request.user.is_authenticated else None
    own = next((m for m in municipalities if person and m.pk == person.municipality_id), None)
    return own or (municipalities[0] if municipalities else None)


def _start_url(permit_type) -> str | None:
    """The service's start page (its e-service's page), asked to start this type; None while
    that page does not exist."""
    url = url_or_none(permit_type.eservice.url_name)
    return f"{url}?{urlencode({'type': permit_type.code})}" if url else None


def service_card(request, code: str):
    permit_type = service_card_get(user=request.user, code=code)
    if permit_type is None:
        raise Http404
    municipalities = offered_municipalities(user=request.user, permit_type=permit_type)
    asked = "municipality" in request.GET
    form = MunicipalityChoiceForm(request.GET if asked else None, municipalities=municipalities)
    chosen = None
    if asked and form.is_valid():
        chosen = next(m for m in municipalities if m.code == form.cleaned_data["municipality"])
    if chosen is None:
        # Until one is chosen (or when the choice is refused), the visitor's own municipality
        # where it offers the service, else the first that does.
        chosen = _default_municipality(request, municipalities)
        if not asked and chosen is not None:
            form = MunicipalityChoiceForm(municipalities=municipalities,
                                          initial={"municipality": chosen.code})
    language = get_language() or "ar"
    documents = [(d, content_type_names(d.content_types), megabytes(d.max_bytes))
                 for d in permit_type.documents.all()]
    quantities = {q.key: q for q in quantity_inputs(permit_type)}
    rules = (stage_rules(permit_type=permit_type, municipality_class=chosen.municipality_class)
             if chosen else [])
    return render(request, "permits/catalogue/service_card.html", {
        "permit_type": permit_type, "form": form, "municipality": chosen,
        "requirements": permit_type.requirements(language), "documents": documents,
        "parties": sorted(permit_type.parties.all(), key=lambda p: (not p.required, p.pk)),
        "rules": [(rule, quantities.get(rule.quantity_field)) for rule in rules],
        "filed_by_owner": permit_type.filed_by == FiledBy.OWNER,
        "start_url": _start_url(permit_type),
    })


def fee_calculator(request):
    permit_types = service_card_list(user=request.user)
    chosen_code = request.GET.get("type", "")
    permit_type = (service_card_get(user=request.user, code=chosen_code)
                   if chosen_code in {t.code for t in permit_types} else None)
    municipalities = offered_municipalities(user=request.user, permit_type=permit_type)
    quantities = quantity_inputs(permit_type) if permit_type else []
    form = FeeCalculatorForm(request.GET or None, permit_types=permit_types,
                             municipalities=municipalities, quantities=quantities)
    estimate = None
    if form.is_bound and form.is_valid() and (form.quantities_asked or not quantities):
        code = form.cleaned_data["municipality"]
        where = (next(m for m in municipalities if m.code == code) if code else
                 municipality_of_class(int(form.cleaned_data["municipality_class"])))
        try:
            estimate = fee_estimate(permit_type=permit_type, municipality=where,
                                    quantities=form.quantities())
        except DomainError as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None,
                           refusal.message)
    return render(request, "permits/catalogue/fee_calculator.html", {
        "form": form, "permit_type": permit_type, "estimate": estimate,
        "quantity_fields": [form[key] for key in form.quantity_keys],
        "shown_type": permit_type.code if permit_type else "",
    })


urlpatterns = [
    path("services/", service_list, name="service_list"),
    path("services/<slug:code>/", service_card, name="service_card"),
    path("fees/", fee_calculator, name="fee_calculator"),
]
