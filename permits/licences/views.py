"""Pages of commercial licences (issue 10): the establishment workspace, cancelling a licence at
the holder's request, starting a sub-permit from a licence, and the staff list of sample
inspections waiting. The licence itself is the permit page (permits/views/permits.py), which
shows the licence parts read by permits.licences.selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from amanah import clock
from amanah.dates import business_date
from amanah.errors import DomainError
from amanah.permissions import person_for_user

from .. import permit_selectors
from ..services.lifecycle import permit_is_held_by
from . import selectors
from .forms import LicenceCancelForm

PAGE_SIZE = 20


def _posted(request):
    return request.POST if request.method == "POST" else None


def _held_licence_or_404(request, number: str):
    """A licence the user's establishment holds: 404 for anyone else who may not see it and
    for a permit that is no licence; 403 for those who see it without holding it (staff)."""
    permit = permit_selectors.permit_get_for(request.user, number)
    if permit is None or not permit.permit_type.uses_activities:
        raise Http404
    if not permit_is_held_by(permit, person_for_user(request.user)):
        return permit, render(request, "403.html", status=403)
    return permit, None


@login_required
@require_GET
def establishment_workspace(request):
    workspace = selectors.establishment_workspace_get(
        user=request.user, unified_number=request.GET.get("e", "")[:10],
        page_number=request.GET.get("page"))
    if workspace is None:
        raise Http404
    return render(request, "permits/licences/workspace.html", {
        "w": workspace, "page": workspace.licences,
        "query_prefix": f"e={workspace.establishment.unified_number}&"
        if workspace.establishment else ""})


@login_required
@require_http_methods(["GET", "POST"])
def licence_cancel(request, number: str):
    """The holder cancels the licence: the quote (whole months left × the cancellation rate),
    a required reason, then a confirmation; the sub-permits are cancelled with it."""
    permit, refused = _held_licence_or_404(request, number)
    if refused:
        return refused
    from .lifecycle import licence_cancellation_quote, licence_cancellation_request

    quote = licence_cancellation_quote(permit, today=business_date(clock.now()))
    form = LicenceCancelForm(_posted(request))
    confirming, status = False, 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        elif not form.cleaned_data["confirm"]:
            confirming = True
            form = LicenceCancelForm(initial={"reason": form.cleaned_data["reason"],
                                              "confirm": True})
        else:
            try:
                licence_cancellation_request(permit_id=permit.pk, user=request.user,
                                             reason=form.cleaned_data["reason"])
            except DomainError as refusal:
                form.add_error("reason" if refusal.field in ("", None, "reason") else None,
                               refusal.message)
                status = refusal.status
            else:
                messages.success(request, _(
                    "Cancellation requested. If a fee is shown on this page, the licence is "
                    "cancelled once it is paid."))
                return redirect("permits:permit", permit.number)
    return render(request, "permits/licences/cancel.html", {
        "permit": permit, "quote": quote, "form": form, "confirming": confirming,
        "sub_permits": permit_selectors.permit_sub_permits(permit)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def licence_sub_permit_start(request, number: str, code: str):
    """Start a draft of a sub-permit the licence's activities allow, naming the licence."""
    from ..services.drafts import application_draft_create

    permit, refused = _held_licence_or_404(request, number)
    if refused:
        return refused
    parts = selectors.licence_parts_get(permit)
    sub_type = next((t for t in parts.sub_permit_types_allowed if t.code == code), None)
    if sub_type is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            application = application_draft_create(
                user=request.user, permit_type_code=sub_type.code,
                municipality=permit.municipality, base_permit_number=permit.number,
                establishment_id=permit.holder_establishment_id)
        except DomainError as refusal:
            error = refusal.message
        else:
            return redirect("permits:application", application.reference)
    return render(request, "permits/licences/sub_permit_start.html", {
        "permit": permit, "sub_type": sub_type, "error": error},
        status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def apply_activities(request, reference: str):
    """The first page of a licence draft: which activities (1 to 5), each saying whether it
    is issued at once or reviewed, the least shop area and the zones it needs."""
    from ..views.apply import _draft_for_edit, _expected_version, _progress, journey

    application, permit_type, response = _draft_for_edit(request, reference)
    if response is not None:
        return response
    if not permit_type.uses_activities:
        raise Http404
    chosen = {row.activity.code for row in application.activities.select_related("activity")}
    error, status = None, 200
    if request.method == "POST":
        from .services import licence_activities_set

        codes = [code[:10] for code in request.POST.getlist("activities")[:20]]
        try:
            application = licence_activities_set(
                application_id=application.pk, user=request.user, activity_codes=codes,
                expected_version=_expected_version(request))
        except DomainError as refusal:
            error, chosen = refusal.message, set(codes)
            status = refusal.status if refusal.status != 404 else 400
        else:
            progress = _progress(journey(application, permit_type), "activities")
            return redirect(progress["next"]["url"] if progress["next"]
                            else progress["current"]["url"])
    return render(request, "permits/apply/activities.html", {
        "application": application, "permit_type": permit_type,
        "activities": selectors.activity_catalogue(), "chosen": chosen, "error": error,
        "progress": _progress(journey(application, permit_type), "activities")},
        status=status)


@login_required
@require_GET
def sample_inspection_list(request):
    """Staff: instantly issued licences of their municipalities chosen for an inspection and
    still waiting for one."""
    rows = selectors.sample_inspections_waiting_for_staff(user=request.user)
    if rows is None:
        raise Http404
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "permits/licences/samples.html", {"page": page})
