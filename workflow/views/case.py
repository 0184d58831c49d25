"""The case page, for the holding department's staff and for the applicant: the timeline in
words, the documents, and the actions the viewer may take right now."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amanah.enums import StaffRole
from amanah.errors import Conflict, DomainError, NotFound
from amanah.uploads import CASE_DOCUMENT_POLICY, KNOWN_TYPES, upload_refusal_raise

from .. import selectors, services
from ..enums import ActorKind, CaseEventKind, StatusCategory
from ..forms import (
    AssignForm,
    AttachmentForm,
    ClaimForm,
    CommentForm,
    TransferForm,
    TransitionForm,
)
from ..models import CaseEvent
from .common import SLA_BADGES, is_english, label


@dataclass
class TimelineEntry:
    at: object
    title: str
    who: str = ""
    role: str = ""
    department: str = ""
    comment: str = ""
    kind: str = ""


def _timeline(detail: selectors.CaseDetail) -> list[TimelineEntry]:
    """The events in words: for staff who did what as which role in which department; for the
    applicant plain sentences, without staff names or internal bookkeeping."""
    staff_view = detail.is_staff_view
    labels = detail.transition_labels
    users = detail.assignees_named if staff_view else {}
    roles = dict(StaffRole.choices)
    entries = []
    for event in detail.events:
        title = _event_title(event, labels, users, staff_view)
        if title is None:
            continue
        entry = TimelineEntry(at=event.at, title=title, comment=event.reason,
                              kind=event.kind)
        if staff_view:
            if event.actor_kind == ActorKind.STAFF and event.actor is not None:
                entry.who = event.actor.get_full_name() or event.actor.username
                entry.role = str(roles.get(event.actor_role, event.actor_role))
                entry.department = label(event.department)
            elif event.actor_kind == ActorKind.APPLICANT:
                entry.who = _("The applicant")
            else:
                entry.who = _("The system")
        elif event.actor_kind == ActorKind.STAFF:
            entry.who = label(event.department) or _("The municipality")
        elif event.actor_kind == ActorKind.APPLICANT:
            entry.who = _("You")
        entries.append(entry)
    return entries


_APPLICANT_HIDDEN = {CaseEventKind.CLAIMED, CaseEventKind.ASSIGNED, CaseEventKind.SLA_AT_RISK,
                     CaseEventKind.SLA_OVERDUE, CaseEventKind.SLA_RESTARTED,
                     CaseEventKind.ESCALATED}


def _event_title(event: CaseEvent, labels: dict, users: dict, staff_view: bool) -> str | None:
    kind = event.kind
    if not staff_view and kind in _APPLICANT_HIDDEN:
        return None
    if kind == CaseEventKind.SUBMITTED:
        return _("Transaction submitted")
    if kind == CaseEventKind.ROUTED:
        return _("Sent to %(department)s") % {"department": label(event.to_department)
                                                  or _("the municipality")}
    if kind == CaseEventKind.TRANSITION:
        transition = labels.get((event.from_state_id, event.action))
        action = label(transition) if transition else event.action
        return _("%(action)s — now: %(state)s") % {"action": action,
                                                    "state": label(event.to_state)}
    if kind == CaseEventKind.CLAIMED:
        return _("Took the transaction from the queue")
    if kind == CaseEventKind.ASSIGNED:
        user = users.get(event.payload.get("assignee"))
        if user is None:
            return _("Returned to the department queue")
        return _("Assigned to %(name)s") % {"name": user.get_full_name() or user.username}
    if kind == CaseEventKind.TRANSFERRED:
        return _("Referred from %(source)s to %(target)s") % {
            "source": label(event.from_department), "target": label(event.to_department)}
    if kind == CaseEventKind.COMMENTED:
        return _("Internal note") if event.payload.get("internal") else _("Comment")
    if kind == CaseEventKind.ATTACHMENT_ADDED:
        if event.payload.get("replaces"):
            return _("Corrected document added: %(name)s (version %(version)s)") % {
                "name": event.payload.get("name", ""), "version": event.payload.get("version", "")}
        return _("Document added: %(name)s") % {"name": event.payload.get("name", "")}
    if kind == CaseEventKind.SLA_AT_RISK:
        return _("The step's deadline is near")
    if kind == CaseEventKind.SLA_RESTARTED:
        return _("New step: its deadline clock starts again")
    if kind == CaseEventKind.SLA_OVERDUE:
        return _("The deadline has passed")
    if kind == CaseEventKind.ESCALATED:
        return _("Escalated to the head of department")
    return str(CaseEventKind(kind).label) if kind in CaseEventKind.values else kind


@dataclass
class PageError:
    """A refusal to show on the page: next to `field` of form `op` (and action), or on top."""

    op: str
    message: str
    field: str | None = None
    action: str | None = None
    is_conflict: bool = False
    code: str = ""
    status: int = 400


@dataclass
class ActionPanel:
    option: selectors.ActionOption
    label: str
    comment: str = ""
    errors: dict = field(default_factory=dict)
    is_danger: bool = False
    disabled_reason: str = ""


def _detail_or_404(user, case_id: int) -> selectors.CaseDetail:
    try:
        return selectors.case_get_for_user(case_id=case_id, user=user)
    except NotFound:
        raise Http404 from None


_FORM_FIELDS = {
    "transition": {"comment", "document"},
    "assign": {"assignee"},
    "transfer": {"department", "note"},
    "comment": {"body"},
    "attachment": {"document", "replaces"},
}


def _error_from(exc: DomainError, op: str, action: str | None) -> PageError:
    field_name = exc.field if exc.field in _FORM_FIELDS.get(op, set()) else None
    return PageError(op=op, message=exc.message, field=field_name, action=action,
                     is_conflict=isinstance(exc, Conflict), code=exc.code, status=exc.status)


def _form_error(form, op: str, action: str | None) -> PageError:
    """The first shape error of a form (a missing field, a too-long text) as a page error."""
    fields = _FORM_FIELDS.get(op, set())
    for name, errors in form.errors.items():
        if name in fields:
            return PageError(op=op, message=str(errors[0]), field=name, action=action,
                             code="invalid")
    return PageError(op=op, message=_("The page was out of date. Reload it and try again."),
                     action=action, is_conflict=True, code="invalid", status=409)


def _case_action(request, detail: selectors.CaseDetail) -> tuple[PageError | None, str]:
    """Run the posted action through its service. Returns (error, success message)."""
    case_id = detail.case.pk
    user = request.user
    op = request.POST.get("op", "")
    action = request.POST.get("action") or None
    try:
        # A file refused while the request streamed in is answered first, next to its field:
        # otherwise the form would only see that the file is missing.
        upload_refusal_raise(request)
        if op == "transition":
            form = TransitionForm(request.POST, request.FILES)
            if not form.is_valid():
                return _form_error(form, op, action), ""
            data = form.cleaned_data
            services.case_transition(case_id=case_id, action=data["action"], actor=user,
                                     comment=data["comment"], document=data["document"],
                                     expected_version=data["expected_version"])
            return None, _("Done: the transaction was updated.")
        if op == "claim":
            form = ClaimForm(request.POST)
            if not form.is_valid():
                return _form_error(form, op, None), ""
            services.case_claim(case_id=case_id, actor=user,
                                expected_version=form.cleaned_data["expected_version"])
            return None, _("The transaction is now assigned to you.")
        if op == "assign":
            form = AssignForm(request.POST, users=detail.assignable_users)
            if not form.is_valid():
                return _form_error(form, op, None), ""
            assignee_id = form.cleaned_data["assignee"]
            assignee = next((u for u in detail.assignable_users if u.pk == assignee_id), None)
            services.case_assign(case_id=case_id, actor=user, assignee=assignee,
                                 expected_version=form.cleaned_data["expected_version"])
            return None, _("The assignment was saved.")
        if op == "transfer":
            form = TransferForm(request.POST, departments=detail.transfer_departments)
            if not form.is_valid():
                return _form_error(form, op, None), ""
            services.case_transfer(case_id=case_id, actor=user,
                                   department_code=form.cleaned_data["department"],
                                   note=form.cleaned_data["note"],
                                   expected_version=form.cleaned_data["expected_version"])
            return None, _("The transaction was referred to the other department.")
        if op == "comment":
            form = CommentForm(request.POST)
            if not form.is_valid():
                return _form_error(form, op, None), ""
            services.case_comment_add(case_id=case_id, actor=user,
                                      body=form.cleaned_data["body"],
                                      is_internal=form.cleaned_data["is_internal"])
            return None, _("Your comment was added.")
        if op == "attachment":
            form = AttachmentForm(request.POST, request.FILES)
            if not form.is_valid():
                return _form_error(form, op, None), ""
            replaces_id = form.cleaned_data["replaces"]
            services.case_attachment_add(case_id=case_id, actor=user,
                                         document=form.cleaned_data["document"],
                                         is_internal=form.cleaned_data["is_internal"],
                                         replaces_id=replaces_id)
            if replaces_id:
                return None, _("The corrected version was added; the earlier one is kept.")
            return None, _("The document was added.")
    except DomainError as exc:
        return _error_from(exc, op, action), ""
    return PageError(op=op, message=_("Unknown action."), code="invalid"), ""


def _render_case(request, detail: selectors.CaseDetail, *, template: str,
                 error: PageError | None = None, status: int = 200):
    case = detail.case
    posted = request.POST if error is not None else {}
    panels = []
    for option in detail.actions_available:
        language = "en" if is_english() else "ar"
        panel = ActionPanel(option=option, label=option.name(language),
                            is_danger=option.to_category in (StatusCategory.REJECTED,
                                                             StatusCategory.CANCELLED),
                            disabled_reason="" if option.enabled
                            else option.disabled_reason(language))
        if error is not None and error.op == "transition" and error.action == option.action:
            panel.comment = posted.get("comment", "")
            if error.field:
                panel.errors[error.field] = error.message
        panels.append(panel)
    field_errors = {}
    if error is not None and error.field and error.op != "transition":
        field_errors[error.op] = {error.field: error.message}
    top_error = error if error is not None and not error.field else None
    context = {
        "detail": detail, "case": case, "panels": panels, "timeline": _timeline(detail),
        "error": error, "top_error": top_error, "field_errors": field_errors,
        "posted": posted, "sla_badges": SLA_BADGES,
        "transfer_form": TransferForm(departments=detail.transfer_departments)
        if detail.can_transfer else None,
        "assign_form": AssignForm(users=detail.assignable_users,
                                  initial={"assignee": case.assignee_id})
        if detail.can_assign else None,
        "queue_url": reverse("workflow:queue", args=[case.department_id])
        if detail.is_staff_view and case.department_id else None,
        "is_awaiting_applicant": case.category == StatusCategory.AWAITING_APPLICANT,
        "document_help": CASE_DOCUMENT_POLICY.describe("en" if is_english() else "ar"),
        "document_accept": CASE_DOCUMENT_POLICY.accept,
    }
    return render(request, template, context, status=status)


def _after_action(request, case_id: int, department_id: int | None, success: str,
                  staff_page: bool):
    """Back to the case if the user still sees it; else (sent to another department) to the
    queue they came from."""
    messages.success(request, success)
    try:
        selectors.case_get_visible(case_id=case_id, user=request.user)
    except NotFound:
        if department_id:
            return redirect("workflow:queue", department_id)
        return redirect("workflow:my_cases")
    return redirect("workflow:case" if staff_page else "workflow:my_case", case_id)


_APPLICANT_OPS = {"transition", "comment", "attachment"}


def _case_view(request, case_id: int, *, staff_page: bool):
    """The case page, for its department's staff or for its applicant: each is sent to their
    own page. A refused action renders the page again, read anew, with the refusal shown."""
    detail = _detail_or_404(request.user, case_id)
    if detail.is_staff_view != staff_page:
        return redirect("workflow:my_case" if staff_page else "workflow:case", case_id)
    template = "workflow/case_staff.html" if staff_page else "workflow/my_case.html"
    if request.method == "POST":
        if not staff_page and request.POST.get("op") not in _APPLICANT_OPS:
            raise Http404
        # Where staff go when the case leaves their department: its queue, as it was.
        department_id = detail.case.department_id if staff_page else None
        error, success = _case_action(request, detail)
        if error is None:
            return _after_action(request, case_id, department_id, success,
                                 staff_page=staff_page)
        detail = _detail_or_404(request.user, case_id)
        return _render_case(request, detail, template=template, error=error,
                            status=error.status)
    return _render_case(request, detail, template=template)


@login_required
@require_http_methods(["GET", "POST"])
def case_page(request, case_id: int):
    return _case_view(request, case_id, staff_page=True)


@login_required
@require_http_methods(["GET", "POST"])
def my_case(request, case_id: int):
    return _case_view(request, case_id, staff_page=False)


@login_required
def document_download(request, attachment_id: int):
    """A case document through the permission check, never a public media URL."""
    try:
        attachment = selectors.attachment_get_for_user(attachment_id=attachment_id,
                                                       user=request.user)
    except NotFound:
        raise Http404 from None
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # Always a download, never shown inline. A document checked by content goes out as the
    # type it was found to be; one stored before the checks only with a neutral type, so an
    # HTML file among them cannot run as a page.
    checked = attachment.sha256 and attachment.content_type in KNOWN_TYPES
    response = FileResponse(handle, as_attachment=True, filename=attachment.download_name,
                            content_type=attachment.content_type if checked
                            else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
