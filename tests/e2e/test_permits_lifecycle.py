"""A permit after issue in Chromium: the holder finds it in "My permits", reads its page and
downloads the certificate; anyone verifies it by its QR address; a head suspends it (reason,
then confirmation) and the verification page says so — Arabic and English, desktop and phone,
nothing wider than the screen, no CSP violation."""

import pytest

from permits.certificates import certificate_ensure, permit_verify_url
from tests.factories import DEFAULT_PASSWORD
from tests.permits.factories import permits_world
from tests.permits.lifecycle_helpers import permit_make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = permits_world()
    world.permit = certificate_ensure(permit_id=permit_make(world).pk)
    return world


@pytest.fixture
def violations(page, mobile_page):
    found = []
    for tab in (page, mobile_page):
        tab.on("console", lambda message: found.append(message.text)
               if "Content Security Policy" in message.text else None)
    return found


def _verify_path(permit, language):
    path = permit_verify_url(permit).split("/ar/", 1)[1]
    return f"/{language}/{path}"


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_holder_reads_the_permit_and_anyone_verifies_it(world, live_server, page, mobile_page,
                                                           sign_in, screenshot, violations,
                                                           language):
    permit = world.permit
    for tab, size in ((page, "desktop"), (mobile_page, "mobile")):
        sign_in(tab, world.owner.user.username, DEFAULT_PASSWORD, language)
        tab.goto(f"{live_server.url}/{language}/permits/mine/")
        assert tab.locator(".permit-list > li").count() == 1
        assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
        screenshot(tab, f"permits-mine-{language}-{size}")
        tab.click(f"a[href$='/permits/permit/{permit.number}/']")
        assert tab.locator(".permit-action").count() == 4
        assert tab.locator(f"a[href$='/permits/permit/{permit.number}/certificate/']").count() == 1
        assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
        screenshot(tab, f"permits-permit-{language}-{size}")
        with tab.expect_download() as download:
            tab.click(f"a[href$='/permits/permit/{permit.number}/certificate/']")
        assert download.value.suggested_filename == f"{permit.number}-v1.pdf"
        # anyone, signed in or not, verifies it by the address in its QR code
        tab.context.clear_cookies()
        tab.goto(f"{live_server.url}{_verify_path(permit, language)}")
        assert "This permit is valid" in tab.locator(".verify-banner").inner_text()
        assert "هذه الرخصة سارية" in tab.locator(".verify-banner").inner_text()
        assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
        screenshot(tab, f"permits-verify-{language}-{size}")
    assert violations == []


def test_a_head_suspends_with_a_reason_and_a_confirmation(world, live_server, page, sign_in,
                                                          screenshot, violations):
    permit = world.permit
    sign_in(page, world.head.username, DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/ar/permits/permit/{permit.number}/")
    page.click(f"a[href$='/permits/permit/{permit.number}/staff/suspend/']")
    page.fill("#id_reason", "مخالفة اشتراطات السلامة في الموقع")
    with page.expect_navigation():
        page.click("form.form-card button[type=submit]")
    screenshot(page, "permits-suspend-confirm-ar-desktop")
    assert "مخالفة اشتراطات السلامة في الموقع" in page.locator("blockquote").inner_text()
    with page.expect_navigation():
        page.click("form.form-card button[type=submit]")
    assert "موقوفة" in page.locator(".permit-head .permit-status").inner_text()
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{_verify_path(permit, 'ar')}")
    assert "هذه الرخصة موقوفة" in page.locator(".verify-banner").inner_text()
    screenshot(page, "permits-verify-suspended-ar-desktop")
    assert violations == []
