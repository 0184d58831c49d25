"""Counter service, the workflow's part: a clerk files a request for a citizen found at the
counter (`amanah:counter`), and hands them the case number."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from amanah.counter import COUNTER_FILE_ROLES, mobile_masked, person_get
from amanah.errors import DomainError, NotFound
from amanah.permissions import staff_memberships
from amanah.uploads import upload_refusal

from .. import selectors, services
from ..forms import CaseSubmitForm
from .common import forbidden, label


def _files_at_counter(user) -> bool:
    return any(m.role in COUNTER_FILE_ROLES for m in staff_memberships(user))


@login_required
@require_http_methods(["GET", "POST"])
def counter_file(request, person_id: int):
    """The kinds offered are those the citizen could file online where they live; the service
    refuses anything else (and a clerk who does not serve that counter) with its reason."""
    if not _files_at_counter(request.user):
        return forbidden(request)
    person = person_get(person_id=person_id)
    if person is None:
        raise Http404
    versions = selectors.case_kind_list_startable_at_counter(person=person)
    kinds = [(v.definition.code, label(v.definition)) for v in versions]
    form = CaseSubmitForm(request.POST or None, request.FILES or None, kinds=kinds)
    status = 200
    refusal = upload_refusal(request) if request.method == "POST" else None
    if refusal is not None:
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        status = refusal.status
    elif request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.case_submit_at_counter(
                    clerk=request.user, person=person, kind=data["kind"],
                    subject=data["subject"], description=data["description"],
                    documents=[data["document"]] if data["document"] else [])
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect("workflow:counter_filed", case_id=case.pk)
        status = 400
    return render(request, "workflow/counter/file.html",
                  {"form": form, "person": person, "mobile_masked": mobile_masked(person.mobile)},
                  status=status)


@login_required
def counter_filed(request, case_id: int):
    """The number to give the citizen, and the way to the case."""
    try:
        case = selectors.case_get_filed_at_counter(case_id=case_id, clerk=request.user)
    except NotFound:
        raise Http404 from None
    return render(request, "workflow/counter/filed.html", {"case": case})
