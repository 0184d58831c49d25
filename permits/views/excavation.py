"""Pages of part EXCAVATION: the emergency section of an excavation draft (the two inputs that
are not questions of the type's form) and the contractor's clearance page (book the
reinstatement inspection, see the clearance certificate once it is issued).

Whoever may not use a page gets 404, as for an application that does not exist: strangers,
other contractors, staff (of any municipality) and anonymous visitors alike."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from amanah import clock
from amanah.dates import RIYADH
from amanah.errors import DomainError

from ..enums import ApplicationStatus, InspectionPurpose
from ..selectors import application_get_for
from ..services.excavation import application_emergency_set, clearance_page
from ..services.inspections import inspection_book
from ..services.parties import application_is_filer_side

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class EmergencyForm(forms.Form):
    is_emergency = forms.BooleanField(
        label=_("This is emergency work that has already started"), required=False)
    work_started_at = forms.DateTimeField(
        label=_("When the digging started (Riyadh time)"), required=False,
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT))


def _riyadh(value: dt.datetime | None) -> dt.datetime | None:
    """A time typed on the page is Riyadh's, whatever the server's zone."""
    if value is None:
        return None
    return value.replace(tzinfo=RIYADH) if value.tzinfo is None else value.astimezone(RIYADH)


def _emergency_draft_or_404(request, reference: str):
    application = application_get_for(request.user, reference[:16])
    if (application is None or not application.permit_type.emergency_allowed
            or not application_is_filer_side(application, request.user)):
        raise Http404
    return application


@require_http_methods(["GET", "POST"])
def excavation_emergency(request, reference: str):
    application = _emergency_draft_or_404(request, reference)
    if application.status != ApplicationStatus.DRAFT:
        return redirect("permits:application", application.reference)
    status = 200
    if request.method == "POST":
        form = EmergencyForm(request.POST)
        if form.is_valid():
            try:
                application_emergency_set(
                    application_id=application.pk, user=request.user,
                    is_emergency=form.cleaned_data["is_emergency"],
                    work_started_at=_riyadh(form.cleaned_data["work_started_at"]),
                    expected_version=_version(request))
            except DomainError as refused:
                form.add_error(refused.field if refused.field in form.fields else None,
                               refused.message)
                status = refused.status
            else:
                messages.success(request, _("Saved."))
                return redirect("permits:excavation_emergency", application.reference)
        else:
            status = 400
    else:
        started = application.work_started_at
        form = EmergencyForm(initial={
            "is_emergency": application.is_emergency,
            "work_started_at": started.astimezone(RIYADH).strftime(DATETIME_INPUT)
            if started else None})
    return render(request, "permits/excavation/emergency.html", {
        "application": application, "permit_type": application.permit_type, "form": form,
        "now": clock.now()}, status=status)


def _version(request) -> int | None:
    value = request.POST.get("expected_version", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@require_http_methods(["GET", "POST"])
def excavation_clearance(request, reference: str):
    now = clock.now()
    page = clearance_page(user=request.user, reference=reference[:16], now=now)
    if page is None:
        raise Http404
    error = None
    if request.method == "POST":
        if request.POST.get("op") != "book":
            raise Http404
        try:
            inspection_book(application_id=page.application.pk, user=request.user,
                            slot_id=request.POST.get("slot", ""),
                            purpose=InspectionPurpose.REINSTATEMENT)
        except DomainError as refused:
            error = refused
            page = clearance_page(user=request.user, reference=reference[:16], now=now)
        else:
            messages.success(request, _("The reinstatement inspection is booked."))
            return redirect("permits:excavation_clearance", page.application.reference)
    return render(request, "permits/excavation/clearance.html",
                  {"page": page, "application": page.application, "error": error},
                  status=error.status if error is not None else 200)


urlpatterns = [
    path("applications/<str:reference>/emergency/", excavation_emergency,
         name="excavation_emergency"),
    path("applications/<str:reference>/clearance/", excavation_clearance,
         name="excavation_clearance"),
]
