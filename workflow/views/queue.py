"""The department queue: what waits for a department, soonest deadline first."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from amanah.permissions import is_admin, staff_memberships

from .. import selectors
from ..forms import QueueFilterForm
from .common import SLA_BADGES, forbidden, is_english

QUEUE_PAGE_SIZE = 25


@login_required
def queue(request, department_id: int):
    department = selectors.department_get(department_id=department_id)
    if department is None:
        raise Http404
    user = request.user
    if not queue_is_readable(user, department):
        return forbidden(request)
    form = queue_filter_form(request, department)
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


def queue_is_readable(user, department) -> bool:
    """The department's members and admins read its queue (its page and its export)."""
    is_member = any(m.department_id == department.pk for m in staff_memberships(user))
    return is_member or is_admin(user)


def queue_filter_form(request, department) -> QueueFilterForm:
    """The queue's filters from the query string, as its page and its export read them."""
    choices = selectors.queue_filter_choices(department=department)
    english = is_english()
    return QueueFilterForm(
        request.GET,
        states=_dedupe([(c, en if english else ar) for c, ar, en in choices.states]),
        kinds=_dedupe([(c, en if english else ar) for c, ar, en in choices.kinds]),
        assignees=choices.assignees)


def _dedupe(pairs):
    seen, result = set(), []
    for code, label in pairs:
        if code not in seen:
            seen.add(code)
            result.append((code, label))
    return result



def home(request):
    """/transactions/: staff to their first queue, everyone else to their own tracker."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("workflow:status_check"))
    memberships = staff_memberships(request.user)
    if memberships:
        return redirect("workflow:queue", memberships[0].department_id)
    return redirect("workflow:my_cases")
