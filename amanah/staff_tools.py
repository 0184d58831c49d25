"""The staff home's tools: the back office's pages, grouped, each shown to whoever may use it.

Entries name their page by URL name, so the shell imports no app; an entry whose page does not
exist (yet) is left out. Each page still checks its own permission: an entry only decides whether
a link is worth showing.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .counter import is_counter_staff
from .permissions import is_portal_admin, is_staff_member
from .selectors_rollout import scorecard_municipality_ids


def staff(user) -> bool:
    return bool(user.is_superuser or is_staff_member(user))


def scorecard_readers(user) -> bool:
    """Admins, and heads of department for their municipality (the page's own rule)."""
    scope = scorecard_municipality_ids(user)
    return scope is None or bool(scope)


@dataclass(frozen=True)
class StaffTool:
    url_name: str
    label: object  # a lazy translation
    description: object
    group: str  # "work" or "config"
    audience: Callable[[object], bool]
    order: int = 100


GROUPS = {"work": _("Daily work"), "config": _("Configuration")}

_tools: dict[str, StaffTool] = {}


def staff_tool_register(*, url_name: str, label, description, group: str,
                        audience: Callable[[object], bool] = staff, order: int = 100) -> None:
    """Registering the same URL name again replaces the entry (ready() may run twice)."""
    if group not in GROUPS:
        raise ValueError(f"unknown staff tool group {group!r}")
    _tools[url_name] = StaffTool(url_name=url_name, label=label, description=description,
                                 group=group, audience=audience, order=order)


def staff_tools_for(user) -> list[dict]:
    """[{"key", "label", "tools": [{"url", "label", "description"}]}] for the groups that have
    any tool this user may use, in order."""
    groups = []
    for key, label in GROUPS.items():
        tools = []
        for tool in sorted((t for t in _tools.values() if t.group == key),
                           key=lambda t: (t.order, t.url_name)):
            if not tool.audience(user):
                continue
            try:
                url = reverse(tool.url_name)
            except NoReverseMatch:
                continue
            tools.append({"url": url, "label": tool.label, "description": tool.description})
        if tools:
            groups.append({"key": key, "label": label, "tools": tools})
    return groups


# The back office's pages (issue 12). Their URL names are the contract with the apps that
# serve them; nothing here imports those apps.
staff_tool_register(url_name="amanah:staff_search", group="work", order=10,
                    label=_("Find a transaction"),
                    description=_("By case or bill number, ID or iqama, unified number, "
                                  "name or mobile."))
staff_tool_register(url_name="amanah:counter", group="work", order=20, audience=is_counter_staff,
                    label=_("Counter service"),
                    description=_("File a request or issue a fee for a citizen at the counter."))
staff_tool_register(url_name="amanah:scorecards", group="work", order=30,
                    audience=scorecard_readers,
                    label=_("Pilot and branch scorecards"),
                    description=_("How each e-service is doing in each municipality."))
staff_tool_register(url_name="workflow:designer_list", group="config", order=10,
                    audience=is_portal_admin, label=_("Procedures"),
                    description=_("Design, check and publish how transactions are routed."))
staff_tool_register(url_name="amanah:rollout_matrix", group="config", order=20,
                    audience=is_portal_admin, label=_("E-service rollout"),
                    description=_("Which e-services are off, piloted or live where."))
staff_tool_register(url_name="payments:fee_list", group="config", order=30,
                    audience=is_portal_admin, label=_("Fee schedules"),
                    description=_("Fees by period, their history and a fee preview."))
staff_tool_register(url_name="amanah:department_list", group="config", order=40,
                    audience=is_portal_admin, label=_("Departments and staff"),
                    description=_("Departments, and who holds which role in them."))
staff_tool_register(url_name="workflow:holiday_list", group="config", order=50,
                    audience=is_portal_admin, label=_("Holidays"),
                    description=_("Days the SLA clock does not count."))
staff_tool_register(url_name="amanah:notification_templates", group="config", order=60,
                    audience=is_portal_admin, label=_("Notification texts"),
                    description=_("The SMS and email texts, in Arabic and English."))
