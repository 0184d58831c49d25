"""axe on the staff and admin pages, Arabic and English: no serious or critical violation.

The pages are data: STAFF_PAGES lists (who, URL name, how to get its arguments). Every staff
page without arguments is found in the URL resolver; a page that needs an id adds one line
here (the other parts of issue 12 add theirs: designer, config, rollout, search, counter,
exports, notifications). The Django admin's index, each model's changelist and one change form
come from the admin site's registry.
"""

import json
from dataclasses import dataclass, field

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from amanah.enums import StaffRole
from tests.conftest import otp_session_verify
from tests.e2e.axe import axe_violations
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import StaffMembershipFactory
from tests.workflow.factories import case_new, world_build

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# URL prefixes (after the language) of the staff and admin areas walked without arguments.
STAFF_AREAS = ("transactions/", "payments/finance/", "permits/staff/", "violations/",
               "staff/", "admin/")
# Pages with no arguments that are not staff pages although they live in those areas.
NOT_STAFF = {"workflow:my_cases", "workflow:case_new", "workflow:status_check"}


@dataclass
class Page:
    who: str
    url_name: str
    args: object = field(default=None)  # callable(world) -> args, or None

    def url(self, world) -> str:
        return reverse(self.url_name, args=self.args(world) if self.args else None)


# Pages that need an id: one line each.
STAFF_PAGES = [
    Page("clerk", "workflow:case", lambda world: [world.case.pk]),
    Page("clerk", "workflow:queue", lambda world: [world.case.department_id]),
    Page("head", "workflow:case", lambda world: [world.case.pk]),
    Page("head", "workflow:queue", lambda world: [world.case.department_id]),
]
# Which areas' argument-free pages each kind of staff walks (the admin walks them all).
AREAS_OF = {"clerk": ("staff/", "transactions/"), "head": ("staff/", "transactions/"),
            "finance": ("staff/", "payments/finance/"),
            "inspector": ("staff/", "violations/", "permits/staff/")}


def _argument_free_url_names(resolver=None, namespace="") -> list[str]:
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += _argument_free_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and \
                not pattern.pattern.regex.groups:
            names.append(f"{namespace}{pattern.name}")
    return names


def staff_pages_without_arguments() -> list[str]:
    found = []
    for name in _argument_free_url_names():
        try:
            path = reverse(name)
        except NoReverseMatch:  # a name whose include needs arguments
            continue
        bare = path.split("/", 2)[-1] if path.startswith(("/ar/", "/en/")) else path[1:]
        if bare.startswith(STAFF_AREAS) and name not in NOT_STAFF \
                and not name.startswith("admin:") and "export" not in name:
            found.append(name)
    return sorted(set(found))


def admin_pages(world) -> list[str]:
    urls = [reverse("admin:index")]
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change",
                                args=[first.pk]))
    return urls


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


def _signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    otp_session_verify(client, user)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    return context, context.new_page()


def test_axe_finds_nothing_serious_on_the_staff_and_admin_pages(browser, live_server,
                                                                  screenshot):
    world = world_build()
    world.case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    head = world.staff("customer_service", StaffRole.HEAD)
    StaffMembershipFactory(user=head, role=StaffRole.HEAD, department=world.department("legal"))
    superuser = world.staff("legal", StaffRole.REVIEWER)
    superuser.is_superuser = True
    superuser.is_staff = True
    superuser.save()
    users = {"clerk": clerk, "head": head, "admin": superuser,
             "finance": world.staff("finance", StaffRole.CASHIER, world.amanah),
             "inspector": world.staff("inspection", StaffRole.INSPECTOR)}
    argument_free = [reverse(name) for name in staff_pages_without_arguments()]
    walks = {who: [page.url(world) for page in STAFF_PAGES if page.who == who]
             for who in users}
    for who, areas in AREAS_OF.items():
        walks[who] += [url for url in argument_free if url.split("/", 2)[-1].startswith(areas)]
    walks["admin"] += argument_free + admin_pages(world)
    visited = []
    found = {}
    for who, urls in walks.items():
        context, page = _signed_in(browser, live_server, users[who])
        for index, url in enumerate(urls):
            # The portal's pages in both languages; the admin's many pages alternate between
            # the two (its templates are the same in both), which keeps the walk within minutes.
            is_admin = url.split("/", 2)[-1].startswith("admin/")
            languages = (("ar", "en")[index % 2],) if is_admin else ("ar", "en")
            for language in languages:
                localized = f"/{language}/" + url.split("/", 2)[-1]
                response = page.goto(f"{live_server.url}{localized}")
                if response is None or response.status >= 400:
                    continue
                visited.append(f"{who} {localized}")
                violations = axe_violations(page)
                if violations:
                    found[f"{who} {localized}"] = violations
        context.close()
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "axe-staff-pages.json").write_text(json.dumps(found, indent=1,
                                                                 ensure_ascii=False))
    summary = sorted({(v["id"], v["impact"]) for items in found.values() for v in items})
    assert found == {}, f"{len(found)} pages; rules: {summary}"
    # and the walk did reach the pages (a refused page is skipped, not passed)
    assert len(visited) > 100, visited
