"""Pages of objections: the offender's "Object" page for a fine notice, the legal department's
queue and objection page (decide each line, then take the case's decide step), and the
objection's documents, served only to those who may see the objection."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from amanah import clock
from amanah.dates import business_date
from amanah.errors import DomainError, NotFound
from amanah.uploads import KNOWN_TYPES, download_name, upload_refusal
from workflow.services.cases import case_transition

from ..enums import LineStatus, ObjectionStatus
from ..forms_objections import LineDecisionForm, ObjectionFileForm
from ..selectors_objections import (
    notice_for_objection,
    objection_get_for_legal,
    objection_get_for_user,
    objection_queue_for_legal,
)
from ..services.objections import (
    line_objection_refusal,
    objection_file,
    objection_line_decide,
)

DECIDE_ACTION = "decide"


def _notice_or_404(request, number: str):
    try:
        return notice_for_objection(request.user, number)
    except NotFound:
        raise Http404 from None


def _line_blocks(violation):
    """(open lines, closed lines with why) among the notice's fine lines."""
    today = business_date(clock.now())
    open_lines, closed = [], []
    for line in violation.lines.all():
        if line.status not in (LineStatus.PAYABLE, LineStatus.OBJECTED):
            continue
        refusal = line_objection_refusal(line, today=today)
        if refusal is None:
            open_lines.append(line)
        else:
            closed.append((line, refusal.message))
    return open_lines, closed


@login_required
@require_http_methods(["GET", "POST"])
def objection_new(request, number: str):
    """The offender objects to lines of their fine, each with a reason, before its due date."""
    violation = _notice_or_404(request, number)
    open_lines, closed = _line_blocks(violation)
    posted = request.method == "POST"
    form = ObjectionFileForm(request.POST if posted else None,
                             request.FILES if posted else None, lines=open_lines)
    status = 200
    if posted:
        refused = upload_refusal(request)
        if refused is not None:
            form.add_error("documents", refused.message)
        if form.is_valid():
            try:
                objection = objection_file(user=request.user, violation_number=violation.number,
                                           lines=form.chosen(),
                                           documents=form.cleaned_data["documents"])
            except DomainError as refusal:
                field = refusal.field if refusal.field in form.fields else None
                form.add_error(field, refusal.message)
                status = refusal.status
            else:
                messages.success(request, _(
                    "Your objection was filed. The items you objected to are not payable "
                    "until the legal department decides."))
                return redirect("violations:objection", objection.number)
        else:
            status = 400
    return render(request, "violations/objections/new.html", {
        "violation": violation, "form": form, "closed": closed}, status=status)


@login_required
@require_GET
def objection_detail(request, number: str):
    """The offender's view of their objection: lines, reasons, decisions."""
    try:
        objection = objection_get_for_user(request.user, number)
    except NotFound:
        raise Http404 from None
    return render(request, "violations/objections/detail.html", {"objection": objection})


@login_required
@require_GET
def legal_queue(request):
    """Objections in the legal departments the user serves, open first."""
    return render(request, "violations/objections/queue.html",
                  {"objections": objection_queue_for_legal(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def legal_objection(request, number: str):
    """Legal staff decide each line, then take the case's decide step."""
    try:
        objection = objection_get_for_legal(request.user, number)
    except NotFound:
        raise Http404 from None
    forms_by_line = {row.pk: LineDecisionForm(initial={
        "line": row.pk, "decision": row.decision if row.decision != "pending" else None,
        "reduced_amount": row.reduced_amount, "note": row.decision_note},
        prefix=f"l{row.pk}") for row in objection.lines.all()}
    step_error, status = "", 200
    if request.method == "POST":
        if request.POST.get("action") == DECIDE_ACTION:
            try:
                case_transition(case_id=objection.case_id, action=DECIDE_ACTION,
                                actor=request.user, comment=request.POST.get("comment", ""))
            except DomainError as refusal:
                step_error, status = refusal.message, refusal.status
            else:
                messages.success(request, _("The decision is recorded; the fine is updated "
                                            "and the objector told."))
                return redirect("violations:legal_objection", objection.number)
        else:
            row_id = request.POST.get("row", "")
            prefix = f"l{row_id}"
            if not row_id.isdigit() or int(row_id) not in forms_by_line:
                raise Http404
            form = LineDecisionForm(request.POST, prefix=prefix)
            forms_by_line[int(row_id)] = form
            if form.is_valid():
                try:
                    objection_line_decide(objection_line_id=int(row_id), actor=request.user,
                                          decision=form.cleaned_data["decision"],
                                          reduced_amount=form.cleaned_data["reduced_amount"],
                                          note=form.cleaned_data["note"])
                except DomainError as refusal:
                    form.add_error(refusal.field if refusal.field in form.fields else None,
                                   refusal.message)
                    status = refusal.status
                else:
                    return redirect("violations:legal_objection", objection.number)
            else:
                status = 400
    rows = [(row, forms_by_line[row.pk]) for row in objection.lines.all()]
    return render(request, "violations/objections/legal.html", {
        "objection": objection, "rows": rows, "step_error": step_error,
        "comment": request.POST.get("comment", "") if request.method == "POST" else "",
        "is_open": objection.status == ObjectionStatus.OPEN}, status=status)


@login_required
@require_GET
def objection_document(request, number: str, document_id: int):
    """A document of the objection, to the offender or the municipality's legal staff; always
    a download, never a public media URL."""
    objection = None
    for reader in (objection_get_for_user, objection_get_for_legal):
        try:
            objection = reader(request.user, number)
            break
        except NotFound:
            continue
    if objection is None:
        raise Http404
    document = next((d for d in objection.documents.all() if d.pk == document_id), None)
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True,
                            filename=download_name(document.original_name,
                                                   document.content_type),
                            content_type=document.content_type
                            if document.content_type in KNOWN_TYPES
                            else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
