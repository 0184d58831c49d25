"""The permit catalogue in Chromium, as a visitor without an account reads it: the services,
a service card and the fee calculator, in Arabic and English, on a desktop and a phone —
nothing wider than the screen, no CSP violation, the fees shown exactly."""

import pytest

from amanah.enums import RolloutState
from amanah.models import EService, EServiceRollout
from permits.catalogue import catalogue_load
from tests.permits.catalogue_world import catalogue_world_make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def catalogue():
    world = catalogue_world_make()
    catalogue_load(log=lambda _: None)
    for code in ("building_permit", "excavation_permit", "occupancy_certificate"):
        EServiceRollout.objects.create(eservice=EService.objects.get(code=code),
                                       municipality=world.branches["KHB"],
                                       state=RolloutState.LIVE)
    return world


@pytest.fixture
def violations(page, mobile_page):
    found = []
    for tab in (page, mobile_page):
        tab.on("console", lambda message: found.append(message.text)
               if "Content Security Policy" in message.text else None)
    return found


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_visitor_reads_a_card_and_prices_a_building(catalogue, live_server, page, mobile_page,
                                                      screenshot, violations, language):
    for tab, size in ((page, "desktop"), (mobile_page, "mobile")):
        # the list of services
        tab.goto(f"{live_server.url}/{language}/permits/services/")
        assert tab.locator(".service-card").count() == 3
        assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
        screenshot(tab, f"permits-services-{language}-{size}")
        # the building card, with Khobar's fees
        tab.click("a[href$='/permits/services/building_permit/']")
        assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
        screenshot(tab, f"permits-card-{language}-{size}")
        # the calculator, from the card, with 420 m²
        tab.click("a[href*='/permits/fees/?type=building_permit']")
        tab.fill("#id_built_area_m2", "420")
        with tab.expect_navigation():
            tab.click("form.form-card button[type=submit]")
        total = tab.locator(".estimate tfoot td").inner_text()
        assert total == ("1,560.00 ر.س" if language == "ar" else "SAR 1,560.00")
        assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
        screenshot(tab, f"permits-fees-{language}-{size}")
    assert violations == []
