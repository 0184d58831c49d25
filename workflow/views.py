"""HTML pages of the workflow: the department queue and case page for staff, the tracker and
the public status check for citizens, procedure analytics for admins.

Each view checks who is asking, calls one selector or service, and renders. A refusal from a
service (DomainError) is shown next to the field it names, in the page's language, with the
error's HTTP status; the page is rendered again from the database, which the refusal left as
it was.
"""

import time
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amanah.enums import StaffRole
from amanah.errors import Conflict, DomainError, NotFound
from amanah.models import Department, Municipality
from amanah.permissions import is_admin, person_for_user, staff_memberships

from . import selectors, services
from .enums import ActorKind, CaseEventKind, SlaStatus, StatusCategory, VersionStatus
from .forms import (
    AssignForm,
    AttachmentForm,
    CaseSubmitForm,
    ClaimForm,
    CommentForm,
    QueueFilterForm,
    StatusCheckForm,
    TransferForm,
    TransitionForm,
)
from .models import CaseEvent, State, Transition, WorkflowDefinition

QUEUE_PAGE_SIZE = 25
TRACKER_PAGE_SIZE = 20


def _is_english() -> bool:
    return (get_language() or "ar").startswith("en")


def _label(obj) -> str:
    if obj is None:
        return ""
    return (obj.name_en or obj.name_ar) if _is_english() else obj.name_ar


def _forbidden(request):
    return render(request, "amanah/forbidden.html", status=403)


# --- Department queue ----------------------------------------------------------------------


@login_required
def queue(request, department_id: int):
    department = get_object_or_404(Department.objects.select_related("municipality"),
                                   pk=department_id)
    user = request.user
    is_member = any(m.department_id == department.pk for m in staff_memberships(user))
    if not (is_member or is_admin(user)):
        return _forbidden(request)
    states = list(State.objects.filter(version__status=VersionStatus.PUBLISHED)
                  .values_list("code", "name_ar", "name_en").order_by("code").distinct())
    kinds = list(WorkflowDefinition.objects.values_list("code", "name_ar", "name_en")
                 .order_by("code").distinct())
    assignees = sorted({(m.user_id, m.user.get_full_name() or m.user.username)
                        for m in department.memberships.filter(is_active=True)
                        .select_related("user")}, key=lambda pair: pair[1])
    english = _is_english()
    form = QueueFilterForm(
        request.GET,
        states=_dedupe([(c, en if english else ar) for c, ar, en in states]),
        kinds=_dedupe([(c, en if english else ar) for c, ar, en in kinds]),
        assignees=assignees)
    filters = form.filters()
    page = selectors.case_queue_for_department(department=department, user=user,
                                               per_page=QUEUE_PAGE_SIZE, **filters)
    query = request.GET.copy()
    query.pop("page", None)
    tabs = []
    for scope, label in (("unassigned", _("Unassigned")), ("mine", _("Assigned to me")),
                         ("all", _("All"))):
        tab_query = query.copy()
        tab_query["scope"] = scope
        tabs.append({"scope": scope, "label": label, "query": tab_query.urlencode(),
                     "current": filters["scope"] == scope})
    return render(request, "workflow/queue.html", {
        "department": department, "page": page, "form": form, "tabs": tabs,
        "filter_query": query.urlencode(), "scope": filters["scope"],
        "sla_badges": SLA_BADGES,
    })


def _dedupe(pairs):
    seen, result = set(), []
    for code, label in pairs:
        if code not in seen:
            seen.add(code)
            result.append((code, label))
    return result


SLA_BADGES = {SlaStatus.ON_TRACK: "badge-ok", SlaStatus.AT_RISK: "badge-warn",
              SlaStatus.OVERDUE: "badge-danger"}


# --- Timeline ------------------------------------------------------------------------------


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
    case = detail.case
    staff_view = detail.is_staff_view
    labels = {(t.from_state_id, t.action): t for t in
              Transition.objects.filter(version_id=case.version_id)}
    assignee_ids = {e.data.get("assignee") for e in detail.events
                    if e.kind == CaseEventKind.ASSIGNED and e.data.get("assignee")}
    users = ({u.pk: u for u in get_user_model().objects.filter(pk__in=assignee_ids)}
             if staff_view and assignee_ids else {})
    roles = dict(StaffRole.choices)
    entries = []
    for event in detail.events:
        title = _event_title(event, labels, users, staff_view)
        if title is None:
            continue
        entry = TimelineEntry(at=event.created_at, title=title, comment=event.comment,
                              kind=event.kind)
        if staff_view:
            if event.actor_kind == ActorKind.STAFF and event.actor is not None:
                entry.who = event.actor.get_full_name() or event.actor.username
                entry.role = str(roles.get(event.actor_role, event.actor_role))
                entry.department = _label(event.department)
            elif event.actor_kind == ActorKind.APPLICANT:
                entry.who = _("The applicant")
            else:
                entry.who = _("The system")
        elif event.actor_kind == ActorKind.STAFF:
            entry.who = _label(event.department) or _("The municipality")
        elif event.actor_kind == ActorKind.APPLICANT:
            entry.who = _("You")
        entries.append(entry)
    return entries


_APPLICANT_HIDDEN = {CaseEventKind.CLAIMED, CaseEventKind.ASSIGNED, CaseEventKind.SLA_AT_RISK,
                     CaseEventKind.SLA_OVERDUE, CaseEventKind.ESCALATED}


def _event_title(event: CaseEvent, labels: dict, users: dict, staff_view: bool) -> str | None:
    kind = event.kind
    if not staff_view and kind in _APPLICANT_HIDDEN:
        return None
    if kind == CaseEventKind.SUBMITTED:
        return _("Transaction submitted")
    if kind == CaseEventKind.ROUTED:
        return _("Sent to %(department)s") % {"department": _label(event.to_department)
                                                  or _("the municipality")}
    if kind == CaseEventKind.TRANSITION:
        transition = labels.get((event.from_state_id, event.action))
        action = _label(transition) if transition else event.action
        return _("%(action)s — now: %(state)s") % {"action": action,
                                                    "state": _label(event.to_state)}
    if kind == CaseEventKind.CLAIMED:
        return _("Took the transaction from the queue")
    if kind == CaseEventKind.ASSIGNED:
        user = users.get(event.data.get("assignee"))
        if user is None:
            return _("Returned to the department queue")
        return _("Assigned to %(name)s") % {"name": user.get_full_name() or user.username}
    if kind == CaseEventKind.TRANSFERRED:
        return _("Referred from %(source)s to %(target)s") % {
            "source": _label(event.from_department), "target": _label(event.to_department)}
    if kind == CaseEventKind.COMMENTED:
        return _("Internal note") if event.data.get("internal") else _("Comment")
    if kind == CaseEventKind.ATTACHMENT_ADDED:
        return _("Document added: %(name)s") % {"name": event.data.get("name", "")}
    if kind == CaseEventKind.SLA_AT_RISK:
        return _("The step's deadline is near")
    if kind == CaseEventKind.SLA_OVERDUE:
        return _("The deadline has passed")
    if kind == CaseEventKind.ESCALATED:
        return _("Escalated to the head of department")
    return str(CaseEventKind(kind).label) if kind in CaseEventKind.values else kind


# --- Case page (staff and applicant) -------------------------------------------------------


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
    "attachment": {"document"},
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
            services.case_attachment_add(case_id=case_id, actor=user,
                                         document=form.cleaned_data["document"],
                                         is_internal=form.cleaned_data["is_internal"])
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
        language = "en" if _is_english() else "ar"
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


@login_required
@require_http_methods(["GET", "POST"])
def case_page(request, case_id: int):
    detail = _detail_or_404(request.user, case_id)
    if not detail.is_staff_view:
        return redirect("workflow:my_case", case_id)
    if request.method == "POST":
        department_id = detail.case.department_id
        error, success = _case_action(request, detail)
        if error is None:
            return _after_action(request, case_id, department_id, success, staff_page=True)
        detail = _detail_or_404(request.user, case_id)
        return _render_case(request, detail, template="workflow/case_staff.html", error=error,
                            status=error.status)
    return _render_case(request, detail, template="workflow/case_staff.html")


_APPLICANT_OPS = {"transition", "comment", "attachment"}


@login_required
@require_http_methods(["GET", "POST"])
def my_case(request, case_id: int):
    detail = _detail_or_404(request.user, case_id)
    if detail.is_staff_view:
        return redirect("workflow:case", case_id)
    if request.method == "POST":
        if request.POST.get("op") not in _APPLICANT_OPS:
            raise Http404
        error, success = _case_action(request, detail)
        if error is None:
            return _after_action(request, case_id, None, success, staff_page=False)
        detail = _detail_or_404(request.user, case_id)
        return _render_case(request, detail, template="workflow/my_case.html", error=error,
                            status=error.status)
    return _render_case(request, detail, template="workflow/my_case.html")


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
    # Served as a download with a neutral type, so an uploaded HTML file cannot run as a page.
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Citizen tracker ---------------------------------------------------------------------------


@login_required
def my_cases(request):
    cases = selectors.case_list_for_applicant(user=request.user)
    page = Paginator(cases, TRACKER_PAGE_SIZE).get_page(request.GET.get("page"))
    person = person_for_user(request.user)
    return render(request, "workflow/my_cases.html", {
        "page": page, "may_submit": person is not None, "terminal": StatusCategory.terminal()})


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    """A general correspondence or complaint, in the citizen's own municipality."""
    person = person_for_user(request.user)
    if person is None:
        return _forbidden(request)
    municipality = person.municipality
    versions = selectors.definitions_published_for(municipality=municipality)
    kinds = [(v.definition.code, _label(v.definition)) for v in versions]
    form = CaseSubmitForm(request.POST or None, request.FILES or None, kinds=kinds,
                          initial={"kind": request.GET.get("kind")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.case_submit(
                    kind=data["kind"], municipality=municipality, subject=data["subject"],
                    description=data["description"], submitted_by=request.user,
                    applicant_person=person,
                    documents=[data["document"]] if data["document"] else [])
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Your transaction %(number)s was submitted.")
                                 % {"number": case.number})
                return redirect("workflow:my_case", case.pk)
        status = 400
    return render(request, "workflow/case_new.html", {"form": form}, status=status)


# Same budget as the public status API: enough for a person, too little to guess IDs.
STATUS_CHECKS_PER_MINUTE = 30


def _status_check_allowed(request) -> bool:
    key = f"workflow:status-check:{request.META.get('REMOTE_ADDR', '')}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=90)
    try:
        return cache.incr(key) <= STATUS_CHECKS_PER_MINUTE
    except ValueError:  # the key expired between add and incr: a fresh minute
        return True


@require_http_methods(["GET", "POST"])
def status_check(request):
    """Anyone: case number + the applicant's ID → status. One answer for "no such number"
    and "wrong ID", so the page cannot be used to find out which numbers exist."""
    form = StatusCheckForm(request.POST or None)
    result, not_found, status = None, False, 200
    if request.method == "POST" and not _status_check_allowed(request):
        form = StatusCheckForm()
        return render(request, "workflow/status_check.html",
                      {"form": form, "too_many": True}, status=429)
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


# --- Procedure analytics -------------------------------------------------------------------


CHART_BAR_HEIGHT = 22
CHART_GAP = 14
CHART_LABEL_WIDTH = 230
CHART_PLOT_WIDTH = 460


def _chart(rows: list[dict]) -> dict:
    """Bars of median and p90 working hours per row (the SLA's measure), laid out for an
    inline SVG (no JavaScript).

    The SVG itself is drawn left to right; for Arabic the layout is mirrored here (labels on
    the right, bars growing leftwards), so the chart reads the same way as the page.
    """
    peak = max([r["p90_working_hours"] for r in rows]
               + [r["median_working_hours"] for r in rows] + [1.0])
    rtl = not _is_english()
    width = CHART_LABEL_WIDTH + CHART_PLOT_WIDTH + 70
    bars = []
    for index, row in enumerate(rows):
        top = index * (2 * CHART_BAR_HEIGHT + CHART_GAP)
        parts = []
        for offset, value in ((0, row["median_working_hours"]),
                              (CHART_BAR_HEIGHT, row["p90_working_hours"])):
            length = max(1.0, round(CHART_PLOT_WIDTH * value / peak, 1))
            if rtl:
                bar_x = width - CHART_LABEL_WIDTH - length
                value_x, value_anchor = bar_x - 6, "end"
            else:
                bar_x = CHART_LABEL_WIDTH
                value_x, value_anchor = bar_x + length + 6, "start"
            parts.append({"x": round(bar_x, 1), "y": top + offset, "width": length,
                          "value": number_format(value, 1), "value_x": round(value_x, 1),
                          "value_y": top + offset + CHART_BAR_HEIGHT - 8,
                          "value_anchor": value_anchor})
        bars.append({
            "label": _label_dict(row), "label_y": top + CHART_BAR_HEIGHT + 4,
            "label_x": width - 10 if rtl else CHART_LABEL_WIDTH - 10,
            "label_anchor": "end", "median": parts[0], "p90": parts[1],
        })
    height = max(1, len(rows)) * (2 * CHART_BAR_HEIGHT + CHART_GAP)
    return {"bars": bars, "height": height, "width": width,
            "bar_height": CHART_BAR_HEIGHT - 3}


def _label_dict(row: dict) -> str:
    return (row.get("name_en") or row.get("name_ar", "")) if _is_english() \
        else row.get("name_ar", "")


@login_required
def analytics(request):
    if not is_admin(request.user):
        return _forbidden(request)
    definitions = list(selectors.definition_list())
    municipalities = list(Municipality.objects.order_by("kind", "code"))
    chosen = _pick(definitions, request.GET.get("definition")) or next(iter(definitions), None)
    municipality = _pick(municipalities, request.GET.get("municipality"))
    report = None
    if chosen is not None:
        report = selectors.procedure_analytics(definition=chosen, municipality=municipality)
        for row in report["departments"]:
            row["label"] = _label_dict(row)
        for row in report["states"]:
            row["label"] = _label_dict(row)
    return render(request, "workflow/analytics.html", {
        "definitions": definitions, "municipalities": municipalities, "chosen": chosen,
        "municipality": municipality, "report": report,
        "returned_percent": round(report["returned_share"] * 100, 1) if report else None,
        "state_chart": _chart(report["states"]) if report else None,
        "department_chart": _chart(report["departments"]) if report else None,
    })


def _pick(objects: list, raw: str | None):
    if not raw or not str(raw).isdigit():
        return None
    return next((o for o in objects if o.pk == int(raw)), None)


def home(request):
    """/transactions/: staff to their first queue, everyone else to their own tracker."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("workflow:status_check"))
    memberships = staff_memberships(request.user)
    if memberships:
        return redirect("workflow:queue", memberships[0].department_id)
    return redirect("workflow:my_cases")
