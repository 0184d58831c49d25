"""The inspector's pages (issue 11): the day (today's plan, drafts, the last week's submitted
inspections), recording a new inspection, starting a planned one, the checklist as a form with
a photo per item and the fine each "no" would propose, submitting it after a confirmation, and
what was recorded. Only inspectors of the inspection's municipality reach them.

Thin views: the rules are in violations/services/inspections.py, the reads in
violations/field_selectors.py. Everything works without JavaScript."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amanah import clock
from amanah.errors import DomainError
from amanah.uploads import upload_refusal_raise
from permits.public import district_names_in

from .. import field_selectors as selectors
from ..access import inspector_municipalities
from ..enums import Answer, InspectionStatus, OffenderKind
from ..forms_inspections import InspectionCancelForm, InspectionOpenForm
from ..services import inspections as services

# What a page action posts: keep the answers, ask to confirm, or submit once confirmed.
SAVE, REVIEW, SUBMIT = "save", "review", "submit"


def _forbidden(request):
    return render(request, "403.html", status=403)


def _is_inspector(request) -> bool:
    return bool(inspector_municipalities(request.user))


def _inspection_or_404(request, number: str):
    inspection = selectors.inspection_by_number(number)
    if inspection is None or inspection.municipality_id not in inspector_municipalities(
            request.user):
        raise Http404
    return inspection


@login_required
@require_GET
def inspector_day(request):
    day = selectors.inspector_day(request.user)
    if day is None:
        return _forbidden(request)
    return render(request, "violations/inspections/day.html", {
        "day": day, "districts": district_names_in(inspector_municipalities(request.user))})


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request):
    """Record a new inspection: against a licence, an establishment, a person or a place."""
    if not _is_inspector(request):
        return _forbidden(request)
    municipalities = selectors.inspector_municipality_choices(request.user)
    form = InspectionOpenForm(request.POST if request.method == "POST" else None,
                              municipalities=municipalities,
                              checklists=selectors.checklists_active())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            municipality = next(m for m in municipalities if m.code == data["municipality"])
            checklist_code = data["checklist"]
            if not checklist_code:
                checklist = selectors.checklist_for_permit(
                    data["permit_number"] if data["offender_kind"] in (
                        OffenderKind.ESTABLISHMENT, OffenderKind.PERMIT) else "")
                checklist_code = checklist.code if checklist else ""
            try:
                inspection, _created = services.inspection_open(
                    actor=request.user, municipality=municipality,
                    checklist_code=checklist_code, offender_kind=data["offender_kind"],
                    permit_number=data["permit_number"].strip(),
                    unified_number=data["unified_number"].strip(),
                    national_id=data["national_id"].strip(),
                    place_description=data["place_description"].strip(),
                    district=data["district"].strip(), latitude=data["latitude"],
                    longitude=data["longitude"], kind="complaint" if data["source_reference"]
                    else "routine", source_reference=data["source_reference"].strip(),
                    client_key=data["client_key"])
            except DomainError as refusal:
                field = {"checklist_code": "checklist"}.get(refusal.field, refusal.field)
                form.add_error(field if field in form.fields else None, refusal.message)
                status = refusal.status if refusal.status != 404 else 400
            else:
                return redirect("violations:inspection", inspection.number)
        else:
            status = 400
    return render(request, "violations/inspections/new.html", {"form": form}, status=status)


@login_required
@require_POST
def inspection_start(request, number: str):
    inspection = _inspection_or_404(request, number)
    try:
        services.inspection_start(inspection_id=inspection.pk, actor=request.user)
    except DomainError as refusal:
        messages.error(request, refusal.message)
    return redirect("violations:inspection", inspection.number)


@login_required
@require_POST
def inspection_cancel(request, number: str):
    inspection = _inspection_or_404(request, number)
    form = InspectionCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason to cancel the inspection."))
        return redirect("violations:inspection", inspection.number)
    try:
        services.inspection_cancel(inspection_id=inspection.pk, actor=request.user,
               reason=form.cleaned_data["reason"])
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The inspection is cancelled."))
    return redirect("violations:inspection", inspection.number)


def _target(field: str | None, rows) -> int | None:
    """The question a refusal belongs next to: the services name the question (its id) or the
    item (its code), bare or prefixed ("question_12", "photo_HL-012")."""
    if not field:
        return None
    bare = field.split("_", 1)[1] if field.split("_", 1)[0] in (
        "question", "photo", "answer", "item", "finding") and "_" in field else field
    for row in rows:
        if bare in (str(row.question.pk), row.question.item_code):
            return row.question.pk
    return None


def _save_answers(request, inspection, sheet) -> dict[int, list[str]]:
    """Record each posted answer that changed and each photo chosen; the refusals by question.
    Each answer and photo is its own small transaction, as from a device: what was accepted
    stays, and the page shows the rest next to their questions."""
    errors: dict[int, list[str]] = {}
    form_key = (request.POST.get("form_key") or "")[:40]
    for row in sheet.rows:
        qid = row.question.pk
        answer = request.POST.get(f"answer_{qid}", "")
        note = request.POST.get(f"note_{qid}", "")[:500]
        try:
            if answer and (answer != row.answer or note != row.note):
                services.finding_record(inspection_id=inspection.pk, actor=request.user,
                               question_id=qid, answer=answer, note=note)
            photo = request.FILES.get(f"photo_{qid}")
            if photo is not None:
                services.photo_add(inspection_id=inspection.pk, actor=request.user, file=photo,
                          taken_at=clock.now(), item_code=row.question.item_code,
                          visible_to_offender=not request.POST.get(f"private_{qid}"),
                          client_key=f"{form_key}:{qid}" if len(form_key) >= 8 else None)
        except DomainError as refusal:
            errors.setdefault(qid, []).append(refusal.message)
    return errors


@login_required
@require_http_methods(["GET", "POST"])
def inspection_page(request, number: str):
    """The inspection: planned (start it), being recorded (the checklist form), submitted
    (what was recorded) or cancelled."""
    inspection = _inspection_or_404(request, number)
    errors: dict[int, list[str]] = {}
    top_error, status, confirming = None, 200, False
    posted = request.POST if request.method == "POST" else None
    if posted is not None:
        if inspection.status != InspectionStatus.DRAFT:
            raise Http404
        action = posted.get("action", SAVE)
        try:
            upload_refusal_raise(request)
        except DomainError as refusal:
            top_error, status = refusal, refusal.status
        else:
            sheet = selectors.inspection_sheet(inspection)
            if action in (SAVE, REVIEW):
                errors = _save_answers(request, inspection, sheet)
            if errors:
                status = 400
            elif action == SAVE:
                messages.success(request, _("The answers are saved."))
                return redirect("violations:inspection", inspection.number)
            elif action == REVIEW:
                confirming = True
            elif action == SUBMIT:
                try:
                    services.inspection_submit(inspection_id=inspection.pk, actor=request.user)
                except DomainError as refusal:
                    target = _target(refusal.field, sheet.rows)
                    if target is None:
                        top_error = refusal
                    else:
                        errors[target] = [refusal.message]
                    status = refusal.status if refusal.status != 404 else 400
                else:
                    messages.success(request, _("The inspection is submitted and its evidence "
                                                "sealed."))
                    return redirect("violations:inspection", inspection.number)
        inspection = _inspection_or_404(request, number)
    sheet = selectors.inspection_sheet(inspection,
                                       with_quotes=inspection.status == InspectionStatus.DRAFT)
    for row in sheet.rows:
        row.errors = errors.get(row.question.pk, [])
        if posted is not None and not confirming:
            # What the inspector chose stays chosen even when it was refused.
            row.posted_answer = posted.get(f"answer_{row.question.pk}", row.answer)
            row.posted_note = posted.get(f"note_{row.question.pk}", row.note)
        else:
            row.posted_answer, row.posted_note = row.answer, row.note
    return render(request, "violations/inspections/inspection.html", {
        "inspection": inspection, "sheet": sheet, "answers": Answer.choices,
        "districts": district_names_in([inspection.municipality_id]),
        "top_error": top_error, "confirming": confirming, "form_key": uuid.uuid4().hex,
        "is_mine": inspection.inspector_id == request.user.pk,
        "unanswered": [r for r in sheet.rows if not r.answer],
        "fined": [r for r in sheet.rows if r.answer == Answer.NO],
        "cancel_form": InspectionCancelForm(),
        "has_errors": bool(errors) or top_error is not None,
    }, status=status)


def register() -> None:
    """The inspectors' menu entry (called from ViolationsConfig.ready)."""
    from amanah.navigation import nav_register

    nav_register(url_name="violations:inspector_day", label=gettext_lazy("Inspections"),
                 audience=lambda request: request.user.is_authenticated
                 and bool(inspector_municipalities(request.user)),
                 order=36)
