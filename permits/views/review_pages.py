"""The applicant's and the inspector's pages of an application's review: answering a
correction (only what was asked), booking and moving the site visit, the inspector's day and
the checklist form. Listed in `staff.urlpatterns` (this part's one list)."""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amanah import clock
from amanah.dates import business_date
from amanah.errors import DomainError
from amanah.uploads import upload_refusal_raise
from workflow.models import Case

from .. import review_selectors
from ..enums import ApplicationStatus, FieldKind, FindingAnswer, InspectionStatus
from ..models import PermitTypeField
from ..services.corrections import application_correction_answer, document_policy
from ..services.inspections import (
    APPLICANT_CHANGE_BEFORE,
    INSPECTION_PHOTO_POLICY,
    INSPECTION_STEP,
    inspection_book,
    inspection_cancel,
    inspection_move,
    inspection_record,
)


def _language() -> str:
    return "en" if (get_language() or "ar").startswith("en") else "ar"


def _pick(ar: str, en: str) -> str:
    return (en or ar) if _language() == "en" else ar


# --- Answering a correction ---------------------------------------------------------------


@dataclass
class FieldInput:
    """One asked answer as the form shows it: its input, current or posted value, its error."""

    field: PermitTypeField
    label: str
    help: str
    unit: str
    value: str
    error: str
    choices: list[tuple[str, str]]

    @property
    def input_type(self) -> str:
        return {FieldKind.INTEGER: "number", FieldKind.DECIMAL: "text",
                FieldKind.DATE: "date"}.get(self.field.kind, "text")


def _field_inputs(page, *, posted, error: DomainError | None) -> list[FieldInput]:
    answers = page.application.answers or {}
    inputs = []
    for field in page.fields:
        if posted is not None:
            value = posted.get(field.key, "")
        else:
            value = answers.get(field.key)
            value = ("" if value is None else "true" if value is True
                     else "false" if value is False else str(value))
        inputs.append(FieldInput(
            field=field, label=_pick(field.label_ar, field.label_en),
            help=_pick(field.help_ar, field.help_en), unit=_pick(field.unit_ar, field.unit_en),
            value=value, error=error.message if error is not None and error.field == field.key
            else "",
            choices=[(str(c.get("value")), _pick(str(c.get("ar", "")), str(c.get("en", ""))))
                     for c in field.choices or []]))
    return inputs


def _correction_posted(request, page) -> tuple[dict, dict]:
    """What the form sent: every answer of the type's form that was posted (the service
    refuses any that was not asked for) and the files of `document_<kind>` inputs."""
    data = {key: request.POST[key] for key in page.field_keys if key in request.POST}
    files = {name.removeprefix("document_"): request.FILES[name] for name in request.FILES
             if name.startswith("document_")}
    return data, files


@login_required
@require_http_methods(["GET", "POST"])
def correction_answer(request, reference: str):
    page = review_selectors.correction_page(user=request.user, reference=reference)
    if page is None:
        raise Http404
    error, posted = None, None
    if request.method == "POST":
        if page.correction is None:
            raise Http404
        posted = request.POST
        try:
            upload_refusal_raise(request)
            data, files = _correction_posted(request, page)
            application_correction_answer(application_id=page.application.pk,
                                          user=request.user, data=data, files=files,
                                          note=request.POST.get("note", ""))
            messages.success(request, _("Thank you: your corrections were sent to the "
                                        "municipality."))
            return redirect("permits:correction_answer", reference)
        except DomainError as exc:
            error = exc
    documents = [{
        "row": row, "name": row.spec.name(_language()),
        "help": document_policy(row.spec).describe(_language()),
        "accept": document_policy(row.spec).accept,
        "error": error.message if error is not None and error.field == f"document_{row.kind}"
        else ""} for row in page.documents]
    known = {f"document_{row.kind}" for row in page.documents} | {f.key for f in page.fields}
    context = {"page": page, "application": page.application,
               "inputs": _field_inputs(page, posted=posted, error=error),
               "documents": documents, "error": error,
               "top_error": error if error is not None and error.field not in known
               and error.field != "note" else None,
               "note_error": error.message if error is not None and error.field == "note"
               else "", "note": (posted or {}).get("note", "")}
    return render(request, "permits/corrections/answer.html", context,
                  status=error.status if error is not None else 200)


# --- Booking the visit -----------------------------------------------------------------------


def _may_book(application, case: Case | None) -> bool:
    return (application.status == ApplicationStatus.IN_REVIEW and case is not None
            and case.state.code == INSPECTION_STEP
            and application.permit_type.inspection_checklist_id is not None)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_booking(request, reference: str):
    now = clock.now()
    page = review_selectors.booking_page(user=request.user, reference=reference, now=now)
    if page is None:
        raise Http404
    error = None
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "book":
                inspection_book(application_id=page.application.pk, user=request.user,
                                slot_id=request.POST.get("slot", ""), purpose=page.purpose)
                messages.success(request, _("Your visit is booked."))
            elif op == "move" and page.booked is not None:
                inspection_move(inspection_id=page.booked.pk, user=request.user,
                                slot_id=request.POST.get("slot", ""))
                messages.success(request, _("Your visit was moved."))
            elif op == "cancel" and page.booked is not None:
                inspection_cancel(inspection_id=page.booked.pk, user=request.user)
                messages.success(request, _("Your visit was cancelled."))
            else:
                raise Http404
            return redirect("permits:inspection_booking", reference)
        except DomainError as exc:
            error = exc
            page = review_selectors.booking_page(user=request.user, reference=reference,
                                                 now=now)
    booked = page.booked
    context = {
        "page": page, "application": page.application, "error": error,
        "may_book": booked is None and _may_book(page.application, page.case),
        "may_change": booked is not None and (booked.slot is None or booked.slot.starts_at
                                              - now >= APPLICANT_CHANGE_BEFORE),
        "finding_labels": dict(FindingAnswer.choices),
    }
    return render(request, "permits/inspections/booking.html", context,
                  status=error.status if error is not None else 200)


# --- The inspector ---------------------------------------------------------------------------


def _day(request) -> dt.date:
    value = request.GET.get("day", "")
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else business_date(clock.now())
    except ValueError:
        return business_date(clock.now())


@login_required
def inspector_visits(request):
    if not review_selectors.inspector_department_ids(request.user):
        raise Http404
    day = _day(request)
    visits = review_selectors.inspector_visits_on(user=request.user, day=day)
    return render(request, "permits/inspections/visits.html", {
        "day": day, "visits": visits, "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1), "booked": InspectionStatus.BOOKED})


@dataclass
class ItemInput:
    item: object
    text: str
    answer: str
    note: str
    error: str
    photo_error: str


@login_required
@require_http_methods(["GET", "POST"])
def inspection_record_page(request, inspection_id: int):
    visit = review_selectors.inspector_visit(user=request.user, inspection_id=inspection_id)
    if visit is None:
        raise Http404
    items = list(visit.checklist.items.all())
    error, posted = None, None
    if request.method == "POST" and visit.status == InspectionStatus.BOOKED:
        posted = request.POST
        try:
            upload_refusal_raise(request)
            findings = {item.code: {"answer": request.POST.get(f"answer_{item.code}", ""),
                                    "note": request.POST.get(f"note_{item.code}", "")}
                        for item in items}
            photos = {item.code: request.FILES.getlist(f"photo_{item.code}") for item in items
                      if request.FILES.getlist(f"photo_{item.code}")}
            inspection_record(inspection_id=visit.pk, inspector=request.user,
                              findings=findings, photos=photos,
                              notes=request.POST.get("notes", ""))
            messages.success(request, _("The visit is recorded."))
            return redirect("permits:inspection_record", visit.pk)
        except DomainError as exc:
            error = exc
    elif request.method == "POST":
        raise Http404
    inputs = [ItemInput(
        item=item, text=item.text(_language()),
        answer=(posted or {}).get(f"answer_{item.code}", ""),
        note=(posted or {}).get(f"note_{item.code}", ""),
        error=error.message if error is not None and error.field == f"item_{item.code}" else "",
        photo_error=error.message if error is not None and error.field == f"photo_{item.code}"
        else "") for item in items]
    shown = {f"item_{i.code}" for i in items} | {f"photo_{i.code}" for i in items}
    return render(request, "permits/inspections/record.html", {
        "visit": visit, "application": visit.application, "inputs": inputs, "error": error,
        "top_error": error if error is not None and error.field not in shown else None,
        "notes": (posted or {}).get("notes", ""), "answers": FindingAnswer.choices,
        "finding_labels": dict(FindingAnswer.choices),
        "photo_help": INSPECTION_PHOTO_POLICY.describe(_language()),
        "photo_accept": INSPECTION_PHOTO_POLICY.accept,
    }, status=error.status if error is not None else 200)


urlpatterns = [
    path("applications/<str:reference>/correction/", correction_answer,
         name="correction_answer"),
    path("applications/<str:reference>/inspection/", inspection_booking,
         name="inspection_booking"),
    path("inspections/", inspector_visits, name="inspector_visits"),
    path("inspections/<int:inspection_id>/", inspection_record_page,
         name="inspection_record"),
]
