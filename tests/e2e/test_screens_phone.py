"""The shell on a 360 px phone: the main menu wraps without losing an item and nothing scrolls
sideways; the staff case page shows its actions before a long history."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from amanah.enums import StaffRole
from tests.conftest import otp_session_verify
from tests.factories import StaffMembershipFactory
from tests.workflow.factories import case_new, world_build
from workflow.services import case_comment_add

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 780}
# Compared with the device's 360 px, not the layout viewport: phone emulation widens the layout
# viewport to fit a too-wide page, and then scrollWidth <= innerWidth holds for the wrong reason.
TRULY_NO_SIDEWAYS_SCROLL = """() => {
  const width = 360;
  if (window.innerWidth > width || document.documentElement.scrollWidth > width) return false;
  return [...document.querySelectorAll('body *')].every((element) => {
    const box = element.getBoundingClientRect();
    return box.width === 0 || (box.right <= width + 0.5 && box.left >= -0.5);
  });
}"""
WIDE_ELEMENTS = """() => [...document.querySelectorAll('body *')].filter((element) => {
  const box = element.getBoundingClientRect();
  return box.width > 0 && (box.right > 360.5 || box.left < -0.5);
}).slice(0, 5).map((element) => element.outerHTML.slice(0, 120))"""


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


def signed_in_phone(browser, live_server, user):
    """A 360 px phone whose browser holds the user's session (the second factor passed), made
    the way the sign-in pages would make it, without walking them for every user."""
    client = Client()
    client.force_login(user)
    otp_session_verify(client, user)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    return context, context.new_page()


def _assert_menu_whole(page, where: str):
    items = page.locator(".site-nav a")
    assert items.count() > 0, where
    for index in range(items.count()):
        box = items.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, \
            f"{where}: menu item {items.nth(index).inner_text()!r} at {box}"
    assert page.evaluate(TRULY_NO_SIDEWAYS_SCROLL), f"{where}: {page.evaluate(WIDE_ELEMENTS)}"


def test_the_menu_wraps_on_a_phone_for_a_citizen_a_busy_clerk_and_an_admin(
        browser, live_server, screenshot):
    world = world_build()
    clerk = world.staff("customer_service", StaffRole.CLERK)
    # a clerk in several departments and roles: the longest menu a clerk gets
    for code in ("engineering", "legal"):
        StaffMembershipFactory(user=clerk, role=StaffRole.HEAD, department=world.department(code))
    admin = world.staff("legal", StaffRole.REVIEWER)
    admin.is_superuser = True
    admin.is_staff = True
    admin.save()
    for who, user in (("citizen", world.applicant.user), ("clerk", clerk), ("admin", admin)):
        context, page = signed_in_phone(browser, live_server, user)
        for language in ("ar", "en"):
            page.goto(f"{live_server.url}/{language}/")
            _assert_menu_whole(page, f"{who} {language}")
            if who == "clerk":
                screenshot(page, f"screens-menu-{who}-{language}-360")
        context.close()


def test_the_staff_case_page_shows_its_actions_first_on_a_phone(browser, live_server,
                                                                 screenshot):
    # given a case with a long history
    world = world_build()
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    for number in range(30):
        case_comment_add(case_id=case.pk, actor=reviewer,
                         body=f"ملاحظة رقم {number}: تمت مراجعة المرفقات والتواصل مع المراجع.",
                         is_internal=number % 2 == 0)
    context, page = signed_in_phone(browser, live_server, reviewer)
    for language in ("ar", "en"):
        # when the reviewer opens it on a phone
        page.goto(f"{live_server.url}/{language}/transactions/cases/{case.pk}/")
        # then the first action's button is on the first screen, above the history
        screenshot(page, f"screens-case-staff-{language}-360")
        first_button = page.locator(".wf-side form.wf-action button[type=submit]").first
        top = first_button.bounding_box()["y"]
        assert top < 800, top
        assert top < page.locator(".wf-main").bounding_box()["y"]
        assert page.evaluate(TRULY_NO_SIDEWAYS_SCROLL), page.evaluate(WIDE_ELEMENTS)
    context.close()
