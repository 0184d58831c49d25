"""The rollout matrix and the scorecards in a browser, Arabic and English, desktop and 360 px:
axe finds nothing serious, the matrix scrolls inside its own labelled region on a phone (the
page itself never sideways), and a pilot is switched live after the confirmation."""

import pytest

from amanah.enums import RolloutState, StaffRole
from amanah.models import EService, EServiceRollout
from tests.amanah.scorecards.fixtures import at, bills_build, cases_build, pilot_in_khobar
from tests.e2e.axe import axe_assert_clean
from tests.factories import DEFAULT_PASSWORD
from tests.workflow.factories import world_build

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
PHONE = {"width": 360, "height": 780}


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def admin_world(clock):
    world = world_build()
    eservice = EService.objects.get(code="general_correspondence")
    cases_build(world, clock)
    bills_build(world, clock, eservice)
    pilot_in_khobar(world, eservice)
    clock.set(at(11, 30, 10))
    admin = world.staff("customer_service", StaffRole.ADMIN, world.amanah)
    return world, eservice, admin


def test_the_matrix_and_the_scorecards_read_well_everywhere(
        page, phone, live_server, sign_in, screenshot, admin_world):
    world, eservice, admin = admin_world
    # A second admin for the phone: one authenticator code is accepted once only.
    phone_admin = world.staff("licensing", StaffRole.ADMIN, world.amanah)
    sign_in(page, admin.username, DEFAULT_PASSWORD)
    sign_in(phone, phone_admin.username, DEFAULT_PASSWORD)
    for language in ("ar", "en"):
        for name, path in (("matrix", "/staff/rollout/"),
                           ("scorecards", f"/staff/rollout/scorecards/?eservice={eservice.pk}"
                                          "&date_from=2026-11-01&date_to=2026-11-30"),
                           ("thresholds", "/staff/rollout/thresholds/")):
            for viewer, size in ((page, "desktop"), (phone, "360")):
                viewer.goto(f"{live_server.url}/{language}{path}")
                axe_assert_clean(viewer, f"{name}, {language}, {size}")
                assert viewer.evaluate(NO_SIDEWAYS_SCROLL), f"{name} {language} {size}"
                screenshot(viewer, f"rollout-{name}-{language}-{size}")


def test_an_admin_switches_a_pilot_live_after_confirming(page, live_server, sign_in,
                                                          screenshot, admin_world):
    world, eservice, admin = admin_world
    sign_in(page, admin.username, DEFAULT_PASSWORD, "en")
    page.goto(f"{live_server.url}/en/staff/rollout/")
    page.select_option('select[aria-label="State of General correspondence in Khobar"]',
                       RolloutState.LIVE)
    with page.expect_navigation():
        page.click('button:has-text("Change — State of General correspondence in Khobar")')
    assert "All residents will be able to use it." in page.inner_text("main")
    axe_assert_clean(page, "rollout confirmation, en")
    screenshot(page, "rollout-confirm-en-desktop")
    page.fill("#id_reason", "Pilot went well")
    with page.expect_navigation():
        page.click('button:has-text("Yes, switch to")')
    assert EServiceRollout.objects.get(eservice=eservice,
                                       municipality=world.branch).state == RolloutState.LIVE
    assert "Pilot went well" in page.inner_text("#rollout-history")
    screenshot(page, "rollout-after-change-en-desktop")
