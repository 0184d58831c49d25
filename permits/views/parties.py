"""Pages of the permits app: parties (each module lists its own URLs).

A draft's parcel and location step and its parties step (for the filer's side; read only for
the other parties), the owner's consent page, and the office workspace. Who may open an
application is `application_get_for` (404 for everyone else); who may change it is the
services' rule, asked here only to decide whether to show the forms.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amanah.errors import DomainError, NotFound, PermissionDenied

from .. import party_selectors as selectors
from ..enums import ApplicationStatus, ConsentStatus, PartyRole
from ..party_forms import ConsentForm, ParcelForm, PartyForm, VersionedForm, hijri_text
from ..selectors import application_get_for
from ..services.parcels import application_parcel_set
from ..services.parties import (
    OWNER_SIDE_ROLES,
    SINGLE_ROLES,
    application_consent_decline,
    application_consent_give,
    application_draft_reopen,
    application_is_filer_side,
    application_party_add,
    application_party_remove,
    consent_speaker_role,
)


def _application_or_404(request, reference: str):
    application = application_get_for(request.user, reference)
    if application is None:
        raise Http404
    return application


def _forbidden(request, message: str):
    return render(request, "permits/parties/forbidden.html", {"message": message}, status=403)


def _refusal_response(request, exc: DomainError):
    """A refusal that is about who is asking, not about what they typed."""
    if isinstance(exc, NotFound):
        raise Http404
    return _forbidden(request, exc.message)


def _form_error(form, exc: DomainError) -> None:
    """The refusal next to its field when the form shows that field, else above the form."""
    field = exc.field if exc.field in form.fields and not form.fields[exc.field].widget.is_hidden \
        else None
    form.add_error(field, exc.message)


def _may_edit(application, user) -> bool:
    return (application.status == ApplicationStatus.DRAFT
            and application_is_filer_side(application, user))


# --- Parcel and location -------------------------------------------------------------------


def _parcel_initial(application) -> dict:
    initial = {"expected_version": application.row_version, "deed_calendar": "hijri"}
    parcel = application.parcel
    if parcel is not None:
        initial.update(deed_number=parcel.deed_number, deed_date=hijri_text(parcel.deed_date),
                       district_code=parcel.district.code, latitude=str(parcel.latitude),
                       longitude=str(parcel.longitude))
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def application_parcel(request, reference: str):
    application = _application_or_404(request, reference)
    may_edit = _may_edit(application, request.user)
    districts = selectors.districts_of(application.municipality)
    form = ParcelForm(request.POST if request.method == "POST" else None, districts=districts,
                      initial=_parcel_initial(application))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                application_parcel_set(
                    application_id=application.pk, user=request.user,
                    deed_number=data["deed_number"], deed_date=data["deed_date"],
                    district_code=data["district_code"], latitude=data["latitude"],
                    longitude=data["longitude"], expected_version=data["expected_version"])
            except (NotFound, PermissionDenied) as exc:
                return _refusal_response(request, exc)
            except DomainError as exc:
                _form_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The parcel and its location were saved."))
                return redirect("permits:application_parcel", reference)
        else:
            status = 400
    parcel = application.parcel
    selected = (form.data.get("district_code") if form.is_bound
                else parcel.district.code if parcel else None)
    return render(request, "permits/parties/parcel.html", {
        "application": application, "form": form, "may_edit": may_edit, "parcel": parcel,
        "districts": districts, "step": "parcel",
        "map": selectors.district_map(
            districts, selected=selected,
            latitude=parcel.latitude if parcel else None,
            longitude=parcel.longitude if parcel else None)}, status=status)


# --- Parties -------------------------------------------------------------------------------


def _addable_roles(application, parties) -> list[str]:
    taken = {p.role for p in parties}
    return [row.role for row in selectors.permit_type_party_roles(application)
            if not (row.role in SINGLE_ROLES and row.role in taken)]


def _parties_page(request, application, *, bound: PartyForm | None = None,
                  error: str = "", status: int = 200):
    parties = selectors.application_parties_list(application)
    may_edit = _may_edit(application, request.user)
    type_roles = selectors.permit_type_party_roles(application)
    forms = []
    if may_edit:
        for role in _addable_roles(application, parties):
            if bound is not None and bound.role == role:
                forms.append(bound)
            else:
                forms.append(PartyForm(role=role,
                                       initial={"expected_version": application.row_version}))
    return render(request, "permits/parties/parties.html", {
        "application": application, "parties": parties, "may_edit": may_edit,
        "forms": forms, "error": error, "step": "parties",
        "required_roles": [PartyRole(r.role).label for r in type_roles
                           if r.required and r.role in PartyRole.values],
        "filing_office_id": application.filing_office_id,
        "removable": _removable(application, parties) if may_edit else set()}, status=status)


def _removable(application, parties) -> set[int]:
    """The parties the page offers to remove (the service says the same rule again)."""
    has_representatives = any(p.role in OWNER_SIDE_ROLES for p in parties)
    return {p.pk for p in parties
            if not (p.office_id is not None and p.office_id == application.filing_office_id)
            and not (p.role == PartyRole.OWNER
                     and (application.filing_office_id is None or has_representatives))}


@login_required
@require_http_methods(["GET", "POST"])
def application_parties(request, reference: str):
    application = _application_or_404(request, reference)
    if request.method == "GET":
        return _parties_page(request, application)
    role = request.POST.get("role_form", "")
    if role not in PartyRole.values:
        return _parties_page(request, application, status=400,
                             error=_("Choose which party to add."))
    form = PartyForm(request.POST, role=role)
    if not form.is_valid():
        return _parties_page(request, application, bound=form, status=400)
    data = form.cleaned_data
    try:
        application_party_add(
            application_id=application.pk, user=request.user, role=role,
            national_id=data.get("national_id"), unified_number=data.get("unified_number"),
            office_licence_number=data.get("office_licence_number"),
            authorisation_number=data.get("authorisation_number", ""),
            authorisation_scope=data.get("authorisation_scope", ""),
            authorisation_expires_on=data.get("authorisation_expires_on"),
            expected_version=data["expected_version"])
    except (NotFound, PermissionDenied) as exc:
        return _refusal_response(request, exc)
    except DomainError as exc:
        if role not in _addable_roles(application, application.parties.all()) \
                or not _may_edit(application, request.user):
            return _parties_page(request, application, error=exc.message, status=exc.status)
        _form_error(form, exc)
        return _parties_page(request, application, bound=form, status=exc.status)
    messages.success(request, _("%(role)s added.") % {"role": PartyRole(role).label})
    return redirect("permits:application_parties", reference)


@login_required
@require_POST
def application_party_remove_view(request, reference: str, party_id: int):
    application = _application_or_404(request, reference)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        return _parties_page(request, application, status=400,
                             error=_("The page was incomplete; reload it and try again."))
    try:
        application_party_remove(application_id=application.pk, user=request.user,
                                 party_id=party_id,
                                 expected_version=form.cleaned_data["expected_version"])
    except (NotFound, PermissionDenied) as exc:
        return _refusal_response(request, exc)
    except DomainError as exc:
        return _parties_page(request, application, error=exc.message, status=exc.status)
    messages.success(request, _("The party was removed."))
    return redirect("permits:application_parties", reference)


# --- The owner's consent -------------------------------------------------------------------


def _fee_preview(application):
    """Part APPLY's fee preview of the stages a new application pays (its FeeLine rows: a
    label, an amount or why not yet), where it exists; without it the page shows no fees."""
    try:
        from ..services.fees import NEW_APPLICATION_STAGES, fee_preview
    except ImportError:
        return None
    return fee_preview(permit_type=application.permit_type, municipality=application.municipality,
                       answers=application.answers or {}, stages=NEW_APPLICATION_STAGES)


def _consent_page(request, application, *, form=None, status=200):
    owner = next((p for p in selectors.application_parties_list(application)
                  if p.role == PartyRole.OWNER), None)
    awaited = (application.status == ApplicationStatus.AWAITING_CONSENT and owner is not None
               and owner.consent == ConsentStatus.PENDING)
    return render(request, "permits/parties/consent.html", {
        "application": application, "summary": selectors.consent_summary(application),
        "owner": owner, "awaited": awaited, "fees": _fee_preview(application),
        "form": form or ConsentForm(initial={"expected_version": application.row_version}),
        "version": application.row_version}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def application_consent(request, reference: str):
    application = _application_or_404(request, reference)
    if consent_speaker_role(application, request.user) is None:
        return _forbidden(request, _("Only the owner named on this application, or their agent "
                                     "with a valid authorisation, can consent to it."))
    if request.method == "GET":
        return _consent_page(request, application)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _consent_page(request, application, form=form, status=400)
    data = form.cleaned_data
    if data["decision"] == "decline" and not data["reason"].strip():
        form.add_error("reason", _("Say why you decline, so the office knows what to change."))
        return _consent_page(request, application, form=form, status=400)
    if not data["confirmed"]:
        # The confirmation step: what is about to happen, said once more, nothing saved yet.
        return render(request, "permits/parties/consent_confirm.html", {
            "application": application, "form": form, "decision": data["decision"],
            "reason": data["reason"].strip()})
    try:
        if data["decision"] == "give":
            application_consent_give(application_id=application.pk, user=request.user,
                                     expected_version=data["expected_version"])
            messages.success(request, _("Thank you: your consent was recorded and the "
                                        "application was sent to the municipality."))
        else:
            application_consent_decline(application_id=application.pk, user=request.user,
                                        reason=data["reason"],
                                        expected_version=data["expected_version"])
            messages.success(request, _("You declined. The office was told your reason."))
    except (NotFound, PermissionDenied) as exc:
        return _refusal_response(request, exc)
    except DomainError as exc:
        _form_error(form, exc)
        return _consent_page(request, application, form=form, status=exc.status)
    return redirect("permits:application_consent", reference)


# --- The office workspace ------------------------------------------------------------------


@login_required
def office_workspace(request):
    offices = selectors.offices_of(request.user)
    if not offices:
        return _forbidden(request, _("This page is for the people of registered engineering "
                                     "offices and contractors."))
    chosen = request.GET.get("office")
    office = offices[0] if not chosen else next(
        (o for o in offices if str(o.pk) == chosen), None)
    if office is None:
        raise Http404
    tab = request.GET.get("tab")
    tab = tab if tab in selectors.WORKSPACE_TABS else "drafts"
    workspace = selectors.office_workspace(office=office, tab=tab,
                                           page_number=request.GET.get("page"))
    tabs = [{"name": name, "count": workspace.counts[name], "current": name == tab,
             "label": label} for name, label in (
                ("drafts", _("Being prepared")), ("waiting", _("Waiting for others")),
                ("submitted", _("With the municipality")), ("closed", _("Closed")))]
    return render(request, "permits/office/workspace.html", {
        "offices": offices, "office": office, "workspace": workspace, "tabs": tabs, "tab": tab,
        "page": workspace.page,
        "reopenable": (ApplicationStatus.AWAITING_CONSENT, ApplicationStatus.CONSENT_DECLINED)})


@login_required
@require_POST
def application_reopen(request, reference: str):
    application = _application_or_404(request, reference)
    form = VersionedForm(request.POST)
    back = reverse("permits:office_workspace")
    if application.filing_office_id:
        back += f"?office={application.filing_office_id}&tab=drafts"
    try:
        application_draft_reopen(application_id=application.pk, user=request.user,
                                 expected_version=form.cleaned_data["expected_version"]
                                 if form.is_valid() else None)
    except (NotFound, PermissionDenied) as exc:
        return _refusal_response(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, _("%(reference)s is a draft again: revise it and submit it "
                                "again.") % {"reference": application.reference})
    return redirect(back)


urlpatterns = [
    # Not …/parcel/: part APPLY's journey has its own page there that hands over to this one.
    path("applications/<str:reference>/location/", application_parcel,
         name="application_parcel"),
    path("applications/<str:reference>/parties/", application_parties,
         name="application_parties"),
    path("applications/<str:reference>/parties/<int:party_id>/remove/",
         application_party_remove_view, name="application_party_remove"),
    path("applications/<str:reference>/consent/", application_consent,
         name="application_consent"),
    path("applications/<str:reference>/reopen/", application_reopen,
         name="application_reopen"),
    path("office/", office_workspace, name="office_workspace"),
]
