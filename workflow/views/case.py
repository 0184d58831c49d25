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

from .. import presenters, registry, selectors, services
from ..enums import ActorKind, CaseEventKind, StatusCategory
from ..forms import (
    AssignForm,
    AttachmentForm,
    ClaimForm,
    CommentForm,
    TransferForm,
    TransitionForm,
)
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
    # Staff view only: whom `comment` was for, and the note staff wrote for each other.
    comment_label: str = ""
    internal_note: str = ""


def _timeline(view) -> list[TimelineEntry]:
    """The presented events in words: for the applicant plain sentences (a department acted,
    never a person); for staff who did what as which role in which department, with the
    message the applicant was given and the internal note apart."""
    if isinstance(view, presenters.StaffCase):
        return [_staff_entry(event) for event in view.events]
    return [_applicant_entry(event) for event in view.events]


def _applicant_entry(event: presenters.ApplicantEvent) -> TimelineEntry:
    kind = event.kind
    if kind == CaseEventKind.SUBMITTED:
        title = _("Transaction submitted")
    elif kind == CaseEventKind.ROUTED:
        title = _("Sent to %(department)s") % {"department": label(event.to_department)
                                                or _("the municipality")}
    elif kind == CaseEventKind.TRANSITION:
        title = _("%(action)s — now: %(state)s") % {"action": label(event.action),
                                                    "state": label(event.to_state)}
    elif kind == CaseEventKind.TRANSFERRED:
        title = _("Referred from %(source)s to %(target)s") % {
            "source": label(event.from_department), "target": label(event.to_department)}
    elif kind == CaseEventKind.COMMENTED:
        title = _("Comment")
    elif kind == CaseEventKind.ATTACHMENT_ADDED:
        title = _document_title(event.document, event.document_version)
    else:  # presenters.APPLICANT_MESSAGE
        title = _("Message from the municipality")
    who = ""
    if event.by == ActorKind.STAFF:
        who = label(event.department) or _("The municipality")
    elif event.by == ActorKind.APPLICANT:
        who = _("You")
    return TimelineEntry(at=event.at, title=title, who=who, comment=event.message, kind=kind)


def _document_title(name: str, version: int | None) -> str:
    if version and version > 1:
        return _("Corrected document added: %(name)s (version %(version)s)") % {
            "name": name, "version": version}
    return _("Document added: %(name)s") % {"name": name}


_STAFF_TITLES = {
    CaseEventKind.SUBMITTED: lambda e: _("Transaction submitted"),
    CaseEventKind.ROUTED: lambda e: _("Sent to %(department)s") % {
        "department": label(e.to_department) or _("the municipality")},
    CaseEventKind.TRANSITION: lambda e: _("%(action)s — now: %(state)s") % {
        "action": label(e.transition), "state": label(e.to_state)},
    CaseEventKind.CLAIMED: lambda e: _("Took the transaction from the queue"),
    CaseEventKind.ASSIGNED: lambda e: (_("Assigned to %(name)s") % {"name": e.assignee_name}
                                       if e.assignee else
                                       _("Returned to the department queue")),
    CaseEventKind.TRANSFERRED: lambda e: _("Referred from %(source)s to %(target)s") % {
        "source": label(e.from_department), "target": label(e.to_department)},
    CaseEventKind.COMMENTED: lambda e: _("Internal note") if e.is_internal else _("Comment"),
    CaseEventKind.ATTACHMENT_ADDED: lambda e: _document_title(e.document, e.document_version),
    CaseEventKind.SLA_AT_RISK: lambda e: _("The step's deadline is near"),
    CaseEventKind.SLA_RESTARTED: lambda e: _("New step: its deadline clock starts again"),
    CaseEventKind.SLA_OVERDUE: lambda e: _("The deadline has passed"),
    CaseEventKind.ESCALATED: lambda e: _("Escalated to the head of department"),
}


def _staff_entry(event: presenters.StaffEvent) -> TimelineEntry:
    title = _STAFF_TITLES.get(event.kind)
    entry = TimelineEntry(
        at=event.at, kind=event.kind,
        title=title(event) if title else (str(CaseEventKind(event.kind).label)
                                          if event.kind in CaseEventKind.values else event.kind),
        comment=event.internal_note if event.is_internal else event.message,
        internal_note="" if event.is_internal else event.internal_note)
    if event.actor_kind == ActorKind.STAFF and event.actor is not None:
        entry.who = event.actor_name
        entry.role = str(dict(StaffRole.choices).get(event.actor_role, event.actor_role))
        entry.department = label(event.department)
        if event.message:
            entry.comment_label = _("Message to the applicant")
    elif event.actor_kind == ActorKind.APPLICANT:
        entry.who = _("The applicant")
    else:
        entry.who = _("The system")
    return entry


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
    internal_note: str = ""
    errors: dict = field(default_factory=dict)
    is_danger: bool = False
    disabled_reason: str = ""


# The largest seq a timeline link can name (a PositiveIntegerField); anything else asked for
# in ?timeline_before= is junk a person did not type, answered with the latest entries.
_SEQ_MAX = 2**31 - 1


def _timeline_before(request) -> int | None:
    value = request.GET.get("timeline_before", "")
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    seq = int(value)
    return seq if 1 < seq <= _SEQ_MAX else None


def _detail_or_404(request, case_id: int) -> selectors.CaseDetail:
    try:
        return selectors.case_get_for_user(case_id=case_id, user=request.user,
                                           timeline_limit=selectors.TIMELINE_PAGE_SIZE,
                                           timeline_before=_timeline_before(request))
    except NotFound:
        raise Http404 from None


_FORM_FIELDS = {
    "transition": {"comment", "internal_note", "document"},
    "claim": {"internal_note", "message"},
    "assign": {"assignee", "internal_note", "message"},
    "transfer": {"department", "note", "message"},
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
                                     internal_note=data["internal_note"],
                                     expected_version=data["expected_version"])
            return None, _("Done: the transaction was updated.")
        if op == "claim":
            form = ClaimForm(request.POST)
            if not form.is_valid():
                return _form_error(form, op, None), ""
            services.case_claim(case_id=case_id, actor=user,
                                expected_version=form.cleaned_data["expected_version"],
                                internal_note=form.cleaned_data["internal_note"],
                                message=form.cleaned_data["message"])
            return None, _("The transaction is now assigned to you.")
        if op == "assign":
            form = AssignForm(request.POST, users=detail.assignable_users)
            if not form.is_valid():
                return _form_error(form, op, None), ""
            assignee_id = form.cleaned_data["assignee"]
            assignee = next((u for u in detail.assignable_users if u.pk == assignee_id), None)
            services.case_assign(case_id=case_id, actor=user, assignee=assignee,
                                 expected_version=form.cleaned_data["expected_version"],
                                 internal_note=form.cleaned_data["internal_note"],
                                 message=form.cleaned_data["message"])
            return None, _("The assignment was saved.")
        if op == "transfer":
            form = TransferForm(request.POST, departments=detail.transfer_departments)
            if not form.is_valid():
                return _form_error(form, op, None), ""
            services.case_transfer(case_id=case_id, actor=user,
                                   department_code=form.cleaned_data["department"],
                                   note=form.cleaned_data["note"],
                                   message=form.cleaned_data["message"],
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
    # Every fact the page shows of the case comes from the viewer's presenter, the one the
    # API answers with, so the page and the API cannot tell an audience different things.
    view = presenters.case_present(detail)
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
            panel.internal_note = posted.get("internal_note", "")
            if error.field:
                panel.errors[error.field] = error.message
        panels.append(panel)
    field_errors = {}
    if error is not None and error.field and error.op != "transition":
        field_errors[error.op] = {error.field: error.message}
    top_error = error if error is not None and not error.field else None
    # The internal note and message of the claim, assignment and transfer forms: what was
    # typed (when the page comes back refused) and any refusal next to its field.
    staff_texts = {op: {
        "internal_note": posted.get("internal_note", "") if error and error.op == op else "",
        "message": posted.get("message", "") if error and error.op == op else "",
        "note_error": field_errors.get(op, {}).get("internal_note", ""),
        "message_error": field_errors.get(op, {}).get("message", ""),
    } for op in ("claim", "assign", "transfer")}
    context = {
        "detail": detail, "case": case, "view": view, "panels": panels,
        "timeline": _timeline(view),
        "error": error, "top_error": top_error, "field_errors": field_errors,
        # the refusal is shown on the page, so its title starts with "Error:"
        "page_has_errors": error is not None,
        "posted": posted, "sla_badges": SLA_BADGES, "staff_texts": staff_texts,
        "transfer_form": TransferForm(departments=detail.transfer_departments)
        if detail.can_transfer else None,
        "assign_form": AssignForm(users=detail.assignable_users,
                                  initial={"assignee": case.assignee_id})
        if detail.can_assign else None,
        "queue_url": reverse("workflow:queue", args=[case.department_id])
        if detail.is_staff_view and case.department_id and not detail.is_read_only else None,
        "read_only_notice": _("This transaction is now with %(department)s; you can read it "
                              "because your department worked on it.") % {
            "department": label(case.department) or _("the municipality")}
        if detail.is_read_only else "",
        "is_awaiting_applicant": case.category == StatusCategory.AWAITING_APPLICANT,
        "document_help": CASE_DOCUMENT_POLICY.describe("en" if is_english() else "ar"),
        "document_accept": CASE_DOCUMENT_POLICY.accept,
        "case_links": registry.case_links(case=case, user=request.user,
                                          is_staff_view=detail.is_staff_view),
    }
    return render(request, template, context, status=status)


def _after_action(request, case_id: int, department_id: int | None, success: str,
                  staff_page: bool):
    """Back to the case if the user still holds it; else (sent to another department, which
    leaves them only reading it) to the queue they came from."""
    messages.success(request, success)
    try:
        selectors.case_get_visible(case_id=case_id, user=request.user, include_read_only=False)
    except NotFound:
        if department_id:
            return redirect("workflow:queue", department_id)
        return redirect("workflow:my_cases")
    return redirect("workflow:case" if staff_page else "workflow:my_case", case_id)


_APPLICANT_OPS = {"transition", "comment", "attachment"}
# Moves that end a case for good (withdraw, reject): asked once more before they are made.
_IRREVERSIBLE_CATEGORIES = (StatusCategory.REJECTED, StatusCategory.CANCELLED)


def _irreversible_option(request, detail: selectors.CaseDetail):
    """The posted transition's option when it ends the case and was not yet confirmed."""
    if request.POST.get("op") != "transition" or request.POST.get("confirmed") == "yes":
        return None
    # A page out of date is refused as it is, rather than asking to confirm a move that fails.
    if request.POST.get("expected_version") != str(detail.case.row_version):
        return None
    action = request.POST.get("action")
    return next((option for option in detail.actions_available
                 if option.action == action and option.enabled
                 and option.to_category in _IRREVERSIBLE_CATEGORIES), None)


def _render_confirm(request, detail: selectors.CaseDetail, option, *, staff_page: bool):
    """The confirmation step of an irreversible move: what will happen, confirm or go back.
    What was typed travels in hidden fields, so confirming posts the same action again."""
    number = detail.case.number
    if option.to_category == StatusCategory.CANCELLED and not staff_page:
        consequence = _("Your request %(number)s will be withdrawn. You cannot undo this.")
    elif option.to_category == StatusCategory.CANCELLED:
        consequence = _("The transaction %(number)s will be cancelled. You cannot undo this.")
    else:
        consequence = _("The transaction %(number)s will be rejected. You cannot undo this.")
    return render(request, "workflow/case_confirm.html", {
        "case": detail.case, "detail": detail, "option": option,
        "document_help": CASE_DOCUMENT_POLICY.describe("en" if is_english() else "ar"),
        "document_accept": CASE_DOCUMENT_POLICY.accept,
        "label": option.name("en" if is_english() else "ar"),
        "consequence": consequence % {"number": number},
        "posted": request.POST,
        "back_url": reverse("workflow:case" if staff_page else "workflow:my_case",
                            args=[detail.case.pk]),
    })


def _case_view(request, case_id: int, *, staff_page: bool):
    """The case page, for its department's staff or for its applicant: each is sent to their
    own page. A refused action renders the page again, read anew, with the refusal shown."""
    detail = _detail_or_404(request, case_id)
    if detail.is_staff_view != staff_page:
        return redirect("workflow:my_case" if staff_page else "workflow:case", case_id)
    template = "workflow/case_staff.html" if staff_page else "workflow/my_case.html"
    if request.method == "POST":
        if not staff_page and request.POST.get("op") not in _APPLICANT_OPS:
            raise Http404
        confirming = _irreversible_option(request, detail)
        if confirming is not None:
            return _render_confirm(request, detail, confirming, staff_page=staff_page)
        # Where staff go when the case leaves their department: its queue, as it was.
        department_id = detail.case.department_id if staff_page else None
        if detail.is_read_only:
            # The services would refuse too (no role in the holding department); refusing
            # here says why in the page's words and runs none of them.
            error = PageError(op=request.POST.get("op", ""), code="workflow.read_only",
                              message=_("Your department worked on this transaction, so you "
                                        "can read it, but only its current department can "
                                        "act on it or comment."), status=403)
            return _render_case(request, detail, template=template, error=error,
                                status=error.status)
        error, success = _case_action(request, detail)
        if error is None:
            return _after_action(request, case_id, department_id, success,
                                 staff_page=staff_page)
        detail = _detail_or_404(request, case_id)
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
