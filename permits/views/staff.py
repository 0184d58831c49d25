"""Pages of the permits app: staff (each module lists its own URLs).

The staff page of an application — answers, parties, parcel, documents, corrections, the plan
check, visits and fees side by side — reached from the workflow case page (a link registered
with workflow) and linking back to it. Staff of the application's municipality only: anyone
else gets 404, whatever reference they try. The applicant's and inspector's pages of the same
review are in `review_pages`."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amanah.errors import DomainError
from amanah.uploads import KNOWN_TYPES

from .. import review_selectors
from ..enums import ApplicationEventKind, ApplicationStatus, FindingAnswer, PartyRole
from ..forms import answer_display, visible_keys
from ..models import Application, PermitTypeField
from ..services.corrections import application_correction_request
from ..services.inspections import INSPECTION_STEP
from ..services.plan_check import NOT_A_NUMBER, NOT_ANSWERED, plan_check_run
from . import review_pages


def is_english() -> bool:
    return (get_language() or "ar").startswith("en")


def bilingual(ar: str, en: str) -> str:
    return (en or ar) if is_english() else ar


@dataclass
class AnswerRow:
    key: str
    label: str
    value: str
    unit: str
    is_answered: bool


def answer_rows(fields: list[PermitTypeField], answers: dict) -> list[AnswerRow]:
    """The answers in the form's order, as the applying pages show them; a question the
    answers hide is left out unless it holds an answer anyway."""
    language = "en" if is_english() else "ar"
    shown = visible_keys(fields, answers)
    rows = []
    for field in fields:
        value = answers.get(field.key)
        if field.key not in shown and value in (None, ""):
            continue
        text = answer_display(field, value, language)
        rows.append(AnswerRow(key=field.key, label=bilingual(field.label_ar, field.label_en),
                              value=text, unit=bilingual(field.unit_ar, field.unit_en),
                              is_answered=bool(text)))
    return rows


@dataclass
class PlanRow:
    label: str
    value: str
    limit: str
    passed: bool
    reason: str


def _with_unit(value: str, unit: str) -> str:
    return f"{value}%" if unit == "%" else f"{value} {unit}".strip()


def plan_rows(results: list[dict]) -> list[PlanRow]:
    """The plan check's rows in words: what was built, the zone's limit, passes or fails."""
    labels = {
        "max_floors": (_("Floors"), "", _("at most %(limit)s")),
        "max_coverage_percent": (_("Ground coverage of the parcel"), "%",
                                 _("at most %(limit)s")),
        "min_front_setback_m": (_("Front setback"), _("m"), _("at least %(limit)s")),
        "min_side_setback_m": (_("Side setback"), _("m"), _("at least %(limit)s")),
        "min_rear_setback_m": (_("Rear setback"), _("m"), _("at least %(limit)s")),
    }
    reasons = {NOT_ANSWERED: _("not answered"), NOT_A_NUMBER: _("the answer is not a number")}
    rows = []
    for result in results:
        label, unit, bound = labels.get(result["rule"], (result["rule"], "", "%(limit)s"))
        rows.append(PlanRow(
            label=label, value=_with_unit(result["value"], unit) if result["value"] else "",
            limit=bound % {"limit": _with_unit(result["limit"], unit)},
            passed=bool(result["passed"]),
            reason=reasons.get(result.get("reason", ""), "")))
    return rows


def event_title(event) -> str:
    kind = ApplicationEventKind(event.kind).label if event.kind in ApplicationEventKind.values \
        else event.kind
    if event.kind == ApplicationEventKind.STATUS_CHANGED and event.to_status:
        status = (ApplicationStatus(event.to_status).label
                  if event.to_status in ApplicationStatus.values else event.to_status)
        return f"{kind}: {status}"
    return str(kind)


def case_link(*, case, user, is_staff_view: bool):
    """The case page's link to the permits page about it: for staff the application's staff
    page; for the applicant what waits for them (corrections, the visit), else the
    application's own page."""
    found = (Application.objects.filter(case_id=case.pk)
             .values_list("reference", "status").first())
    if found is None:
        return None
    reference, status = found
    if is_staff_view:
        return (_("Permit application %(reference)s: answers, documents, plan check, visits")
                % {"reference": reference},
                reverse("permits:staff_application", args=[reference]))
    if status == ApplicationStatus.AWAITING_CORRECTION:
        return (_("Make the corrections the municipality asked for"),
                reverse("permits:correction_answer", args=[reference]))
    if status == ApplicationStatus.IN_REVIEW and case.state.code == INSPECTION_STEP:
        return (_("Book or move the site visit"),
                reverse("permits:inspection_booking", args=[reference]))
    return (_("Your permit application %(reference)s") % {"reference": reference},
            reverse("permits:application", args=[reference]))


def _posted_correction(request) -> dict:
    return {"fields": request.POST.getlist("fields"),
            "documents": request.POST.getlist("documents"),
            "note": request.POST.get("note", "")}


@login_required
@require_http_methods(["GET", "POST"])
def staff_application(request, reference: str):
    page = review_selectors.application_staff_page(user=request.user, reference=reference)
    if page is None:
        raise Http404
    error, posted = None, {}
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "correction":
                posted = _posted_correction(request)
                application_correction_request(application_id=page.application.pk,
                                               actor=request.user, **posted)
                messages.success(request, _("The correction was requested; the applicant "
                                            "has been told what to correct."))
            elif op == "plan_check":
                check = plan_check_run(application_id=page.application.pk, actor=request.user)
                messages.success(request, _("The plan passes every zone limit.") if check.passed
                                 else _("The plan fails at least one zone limit."))
            else:
                raise Http404
            return redirect("permits:staff_application", reference)
        except DomainError as exc:
            error = exc
            page = review_selectors.application_staff_page(user=request.user,
                                                           reference=reference)
            if page is None:
                raise Http404 from None
    return _render_staff_page(request, page, error=error, posted=posted)


def _render_staff_page(request, page, *, error: DomainError | None, posted: dict):
    application = page.application
    fields_error = error.field if error is not None else None
    context = {
        "page": page, "application": application, "case": application.case,
        "answers": answer_rows(page.fields, application.answers or {}),
        "fields": [(f.key, bilingual(f.label_ar, f.label_en)) for f in page.fields],
        "type_documents": [(d.kind, d.name("en" if is_english() else "ar"))
                           for d in page.type_documents],
        "plan_rows": plan_rows(page.plan_check.results) if page.plan_check else [],
        "events": [(event, event_title(event)) for event in page.events],
        "party_roles": dict(PartyRole.choices),
        "finding_labels": dict(FindingAnswer.choices),
        "error": error, "error_field": fields_error, "posted": posted,
        "can_request_correction": application.status == ApplicationStatus.IN_REVIEW
        and application.case is not None and application.case.state.code == "review",
        "can_check_plan": application.permit_type.plan_check
        and application.status == ApplicationStatus.IN_REVIEW,
        "is_english": is_english(),
    }
    return render(request, "permits/staff/application.html", context,
                  status=error.status if error is not None else 200)


def _private_file_response(file, *, content_type: str, sha256: str, name: str):
    """A private file as a download, never inline; an unchecked type goes out as bytes."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    checked = sha256 and content_type in KNOWN_TYPES
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type=content_type if checked else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def inspection_photo(request, photo_id: int):
    photo = review_selectors.inspection_photo_for(user=request.user, photo_id=photo_id)
    if photo is None:
        raise Http404
    extension = KNOWN_TYPES[photo.content_type].extension \
        if photo.content_type in KNOWN_TYPES else "bin"
    return _private_file_response(photo.file, content_type=photo.content_type,
                                  sha256=photo.sha256, name=f"inspection-photo-{photo.pk}."
                                                            f"{extension}")


urlpatterns = [
    path("staff/applications/<str:reference>/", staff_application,
         name="staff_application"),
    path("inspection-photos/<int:photo_id>/", inspection_photo, name="inspection_photo"),
    *review_pages.urlpatterns,
]
