"""The citizen's side: my transactions, a new request, and the public status check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amanah.errors import DomainError, NotFound
from amanah.permissions import person_for_user
from amanah.uploads import upload_refusal

from .. import presenters, selectors, services
from ..enums import StatusCategory
from ..forms import CaseSubmitForm, StatusCheckForm
from .common import forbidden, label

TRACKER_PAGE_SIZE = 20


@login_required
def my_cases(request):
    cases = selectors.case_list_for_applicant(user=request.user)
    page = Paginator(cases, TRACKER_PAGE_SIZE).get_page(request.GET.get("page"))
    person = person_for_user(request.user)
    # Each card is the applicant's summary, the one the API's list answers them with.
    return render(request, "workflow/my_cases.html", {
        "page": page, "cases": [presenters.case_summary_for_applicant(c)
                                for c in page.object_list],
        "may_submit": person is not None, "terminal": StatusCategory.terminal()})


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    """A general correspondence or complaint, in the citizen's own municipality: only the kinds
    its rollout lets this person start there are offered, and the service refuses the others."""
    person = person_for_user(request.user)
    if person is None:
        return forbidden(request)
    versions = selectors.case_kind_list_startable(user=request.user)
    kinds = [(v.definition.code, label(v.definition)) for v in versions]
    form = CaseSubmitForm(request.POST or None, request.FILES or None, kinds=kinds,
                          initial={"kind": request.GET.get("kind")})
    status = 200
    refusal = upload_refusal(request) if request.method == "POST" else None
    if refusal is not None:
        # Refused while it streamed in: said next to the file field, and nothing is submitted.
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        status = refusal.status
    elif request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.case_submit_online(
                    user=request.user, kind=data["kind"], subject=data["subject"],
                    description=data["description"],
                    documents=[data["document"]] if data["document"] else [])
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Your transaction %(number)s was submitted.")
                                 % {"number": case.number})
                return redirect("workflow:my_case", case.pk)
        status = 400
    return render(request, "workflow/case_new.html",
                  {"form": form, "municipality": person.municipality}, status=status)


@require_http_methods(["GET", "POST"])
def status_check(request):
    """Anyone: case number + the applicant's ID → status. One answer for "no such number"
    and "wrong ID", so the page cannot be used to find out which numbers exist. Limited per
    address and per looked-up ID by the `status_check` scope (RATE_LIMITED_PAGES, shared with
    the API) before this runs."""
    form = StatusCheckForm(request.POST or None)
    result, not_found, status = None, False, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = selectors.case_status_public(**form.cleaned_data)
            except NotFound:
                not_found, status = True, 404
        else:
            status = 400
    return render(request, "workflow/status_check.html",
                  {"form": form, "result": result, "not_found": not_found,
                   "is_open": result is not None
                   and result.category not in StatusCategory.terminal()},
                  status=status)
