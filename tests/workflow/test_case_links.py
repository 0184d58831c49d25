"""Other apps may put a link on the case page to their own page about the case (permits: the
application behind it) through `registry.case_link_register`: shown to whom the app says."""

import pytest

from amanah.enums import StaffRole
from workflow import registry

from .factories import case_new


@pytest.fixture
def linked():
    """A link for staff to /about/<case id>/, and one nobody gets (None)."""
    seen = []

    def about(*, case, user, is_staff_view):
        seen.append((case.pk, user.pk, is_staff_view))
        return (f"About case {case.number}", f"/about/{case.pk}/") if is_staff_view else None

    def nothing(*, case, user, is_staff_view):
        return None

    registry.case_link_register(about)
    registry.case_link_register(about)  # registering again adds nothing
    registry.case_link_register(nothing)
    yield seen
    registry._case_links.remove(about)
    registry._case_links.remove(nothing)


def test_the_staff_case_page_shows_the_registered_link(client, world, linked):
    case = case_new(world)
    clerk = world.staff(case.department.code, StaffRole.CLERK, case.department.municipality)
    client.force_login(clerk)
    page = client.get(f"/en/transactions/cases/{case.pk}/").content.decode()
    assert f'<li><a href="/about/{case.pk}/">About case {case.number}</a></li>' in page
    assert page.count(f'href="/about/{case.pk}/"') == 1
    assert linked == [(case.pk, clerk.pk, True)]


def test_the_applicant_gets_only_what_the_app_gives_them(client, world, linked):
    case = case_new(world)
    client.force_login(world.applicant.user)
    page = client.get(f"/en/transactions/mine/{case.pk}/").content.decode()
    assert "/about/" not in page and "wf-case-links" not in page
    assert linked == [(case.pk, world.applicant.user.pk, False)]
