"""Pages of the permits app: permits — "my permits", the permit page with what the holder can
do now (renew, amend, replace, object), the certificate, staff decisions (suspend, reinstate,
cancel), and the public verification page a certificate's QR code opens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amanah.errors import DomainError
from amanah.ratelimits import limit_check, rate_limited_page
from amanah.uploads import upload_refusal

from .. import permit_selectors as selectors
from ..enums import ApplicationStatus
from ..licences.forms import RenewalYearsForm
from ..licences.selectors import renewal_year_totals
from ..lifecycle_forms import AmendmentForm, ObjectionForm, ReasonForm, ReplacementForm
from ..services import lifecycle

PAGE_SIZE = 20
DECISIONS = {
    "suspend": lifecycle.permit_suspend,
    "reinstate": lifecycle.permit_reinstate,
    "cancel": lifecycle.permit_cancel,
}


def _language() -> str:
    return get_language() or "ar"


def _posted(request):
    """The POST data, or None for a GET: an empty POST is still a bound (and invalid) form."""
    return request.POST if request.method == "POST" else None


def _form_refusal(form, refusal: DomainError) -> None:
    form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)


def _permit_or_404(request, number: str):
    permit = selectors.permit_get_for(request.user, number)
    if permit is None:
        raise Http404
    return permit


def _holder_permit_or_404(request, number: str):
    """The holder's actions: anyone else who may see the permit is refused (403), everyone
    else does not learn it exists (404)."""
    permit = _permit_or_404(request, number)
    from amanah.permissions import person_for_user

    if not lifecycle.permit_is_held_by(permit, person_for_user(request.user)):
        return permit, render(request, "403.html", status=403)
    return permit, None


@login_required
def my_permits(request):
    permits = selectors.permit_list_for_person(user=request.user)
    page = Paginator(permits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "permits/permit/my_permits.html", {
        "page": page, "rows": [(p, selectors.permit_status_today(p)) for p in page.object_list]})


@login_required
def permit_page(request, number: str):
    page = selectors.permit_page_get(user=request.user, number=number, language=_language())
    if page is None:
        raise Http404
    from ..licences.selectors import licence_parts_get

    return render(request, "permits/permit/permit.html", {
        "p": page, "permit": page.permit, "licence": licence_parts_get(page.permit)})


@login_required
def permit_certificate(request, number: str):
    """The stored PDF to whoever may see the permit; while it is being made (or made again
    after a change) a page says so instead."""
    permit = _permit_or_404(request, number)
    if not selectors.certificate_is_ready(permit):
        return render(request, "permits/permit/certificate_pending.html", {"permit": permit})
    response = FileResponse(permit.certificate.open("rb"), content_type="application/pdf",
                            as_attachment=True,
                            filename=f"{permit.number}-v{permit.version}.pdf")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def permit_renew(request, number: str):
    permit, refused = _holder_permit_or_404(request, number)
    if refused:
        return refused
    error = None
    # A licence is renewed for 1 to 3 years, chosen here (part B's permit_renewal_start(years=)).
    years_form = (RenewalYearsForm(_posted(request))
                  if permit.permit_type.validity_years_field else None)
    if request.method == "POST":
        try:
            if years_form is not None and not years_form.is_valid():
                raise DomainError("permits.renewal_years_required",
                                  "اختر مدة التجديد: سنة أو سنتان أو ثلاث سنوات.",
                                  "Choose how long to renew for: 1, 2 or 3 years.",
                                  field="years")
            by_years = ({"years": years_form.cleaned_data["years"]}
                        if years_form is not None else {})
            application = lifecycle.permit_renewal_start(permit_id=permit.pk, user=request.user,
                                                         **by_years)
        except DomainError as refusal:
            error = refusal.message
            if years_form is not None and refusal.field in ("years", "validity_years"):
                years_form.add_error("years", refusal.message)
                error = None
        else:
            if application.status == ApplicationStatus.ISSUED:
                messages.success(request, _("The permit was renewed."))
            else:
                messages.success(request, _("Renewal requested. Pay the bill shown on this "
                                            "page; the permit is renewed once it is paid."))
            return redirect("permits:permit", permit.number)
    page = selectors.permit_page_get(user=request.user, number=number, language=_language())
    action = next(a for a in page.actions if a.code == "renew")
    invalid = bool(error or (years_form is not None and years_form.errors))
    return render(request, "permits/permit/renew.html", {
        "permit": permit, "p": page, "action": action, "error": error,
        "years_form": years_form,
        "year_totals": renewal_year_totals(permit, action.fees) if years_form else []},
        status=400 if invalid else 200)


@login_required
@require_http_methods(["GET", "POST"])
def permit_amend(request, number: str):
    permit, refused = _holder_permit_or_404(request, number)
    if refused:
        return refused
    fields = lifecycle.permit_detail_fields(permit.permit_type)
    form = AmendmentForm(_posted(request), detail_fields=fields, details=permit.details,
                         language=_language())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                application = lifecycle.permit_amendment_start(
                    permit_id=permit.pk, user=request.user, answers=form.answers())
            except DomainError as refusal:
                _form_refusal(form, refusal)
            else:
                messages.success(request, _(
                    "Your amendment request was sent to the municipality as transaction "
                    "%(number)s.") % {"number": application.case.number})
                return redirect("permits:permit", permit.number)
        status = 400
    return render(request, "permits/permit/amend.html", {"permit": permit, "form": form},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def permit_replace(request, number: str):
    permit, refused = _holder_permit_or_404(request, number)
    if refused:
        return refused
    form = ReplacementForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                application = lifecycle.permit_replacement_request(
                    permit_id=permit.pk, user=request.user, reason=form.reason_text())
            except DomainError as refusal:
                _form_refusal(form, refusal)
            else:
                messages.success(request, _(
                    "A replacement certificate was made.")
                    if application.status == ApplicationStatus.ISSUED else _(
                    "Replacement requested. Pay the bill shown on this page; the new "
                    "certificate is made once it is paid."))
                return redirect("permits:permit", permit.number)
        status = 400
    page = selectors.permit_page_get(user=request.user, number=number, language=_language())
    action = next(a for a in page.actions if a.code == "replace")
    return render(request, "permits/permit/replace.html",
                  {"permit": permit, "form": form, "action": action}, status=status)


def _objection_form_handle(request, form, *, file):
    """Shared by the objection to a permit's decision and to an application's rejection."""
    refusal = upload_refusal(request) if request.method == "POST" else None
    if refusal is not None:
        form.add_error("document", refusal.message)
        return None, refusal.status
    if request.method != "POST":
        return None, 200
    if form.is_valid():
        document = form.cleaned_data.get("document")
        try:
            objection = file(grounds=form.cleaned_data["grounds"],
                             documents=[document] if document else [])
        except DomainError as refusal:
            _form_refusal(form, refusal)
        else:
            messages.success(request, _(
                "Your objection was sent to the legal department as transaction "
                "%(number)s.") % {"number": objection.case.number})
            return objection, 302
    return None, 400


@login_required
@require_http_methods(["GET", "POST"])
def permit_object(request, number: str):
    permit, refused = _holder_permit_or_404(request, number)
    if refused:
        return refused
    form = ObjectionForm(_posted(request), request.FILES or None)
    objection, status = _objection_form_handle(
        request, form, file=lambda **kw: lifecycle.permit_objection_file(
            permit_id=permit.pk, user=request.user, **kw))
    if objection is not None:
        return redirect("workflow:my_case", objection.case_id)
    decision_on = lifecycle.permit_decision_date(permit)
    return render(request, "permits/permit/object.html", {
        "form": form, "subject": permit.number, "back": ("permits:permit", permit.number),
        "decision_on": decision_on, "due_on": lifecycle.objection_due_on(decision_on)},
        status=status)


@login_required
@require_http_methods(["GET", "POST"])
def application_object(request, reference: str):
    """An objection to the rejection of an application, by a party to it."""
    application = selectors.application_get_for_party(request.user, reference)
    if application is None:
        raise Http404
    if application.status != ApplicationStatus.REJECTED or application.decided_at is None:
        raise Http404
    form = ObjectionForm(_posted(request), request.FILES or None)
    objection, status = _objection_form_handle(
        request, form, file=lambda **kw: lifecycle.permit_objection_file(
            application_id=application.pk, user=request.user, **kw))
    if objection is not None:
        return redirect("workflow:my_case", objection.case_id)
    from amanah.dates import business_date

    decision_on = business_date(application.decided_at)
    return render(request, "permits/permit/object.html", {
        "form": form, "subject": application.reference, "back": None,
        "decision_on": decision_on, "due_on": lifecycle.objection_due_on(decision_on),
        "application": application}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def permit_decide(request, number: str, decision: str):
    """Suspend, reinstate or cancel, with a required reason and a confirmation step."""
    if decision not in DECISIONS:
        raise Http404
    permit = _permit_or_404(request, number)
    if not lifecycle.permit_staff_may_decide(request.user, permit):
        return render(request, "403.html", status=403)
    form = ReasonForm(_posted(request))
    confirming, status = False, 200
    if request.method == "POST":
        if form.is_valid():
            if not form.cleaned_data["confirm"]:
                # The reason is written; the next page repeats it and asks to confirm.
                confirming = True
                form = ReasonForm(initial={"reason": form.cleaned_data["reason"],
                                           "confirm": True})
            else:
                try:
                    DECISIONS[decision](permit_id=permit.pk, actor=request.user,
                                        reason=form.cleaned_data["reason"])
                except DomainError as refusal:
                    _form_refusal(form, refusal)
                    status = refusal.status
                else:
                    messages.success(request, {
                        "suspend": _("The permit was suspended."),
                        "reinstate": _("The suspension was lifted."),
                        "cancel": _("The permit was cancelled."),
                    }[decision])
                    return redirect("permits:permit", permit.number)
        else:
            status = 400
    sub_permits = selectors.permit_sub_permits(permit)
    return render(request, "permits/permit/decide.html", {
        "permit": permit, "decision": decision, "form": form, "confirming": confirming,
        "sub_permits": sub_permits}, status=status)


def permit_verify(request, token: str):
    """Public (no sign-in): is this permit genuine, and is it in force? Only what the
    certificate prints; limited per client address like the other public look-ups."""
    wait = limit_check(request, "permit_verify", every_request=True)
    if wait is not None:
        return rate_limited_page(request, wait)
    permit = selectors.permit_get_for_verification(token=token)
    if permit is None:
        return render(request, "permits/permit/verify.html", {"permit": None}, status=404)
    holder = permit.holder_person or permit.holder_establishment
    holder_id = (permit.holder_person.national_id if permit.holder_person
                 else permit.holder_establishment.unified_number)
    return render(request, "permits/permit/verify.html", {
        "permit": permit, "status": selectors.permit_status_today(permit),
        "holder_name_ar": holder.name_ar,
        "holder_name_en": holder.name_en if holder.name_en != holder.name_ar else "",
        "holder_id": selectors.masked_id(holder_id)})


urlpatterns = [
    path("mine/", my_permits, name="my_permits"),
    path("permit/<str:number>/", permit_page, name="permit"),
    path("permit/<str:number>/certificate/", permit_certificate, name="permit_certificate"),
    path("permit/<str:number>/renew/", permit_renew, name="permit_renew"),
    path("permit/<str:number>/amend/", permit_amend, name="permit_amend"),
    path("permit/<str:number>/replace/", permit_replace, name="permit_replace"),
    path("permit/<str:number>/object/", permit_object, name="permit_object"),
    path("permit/<str:number>/staff/<str:decision>/", permit_decide, name="permit_decide"),
    path("application/<str:reference>/object/", application_object,
         name="application_object"),
    path("verify/<str:token>/", permit_verify, name="permit_verify"),
]
