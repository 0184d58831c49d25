"""Browser fixtures for every app's e2e tests: Debian's Chromium driven by Playwright.

Use them like this (tests must be marked e2e and django_db(transaction=True), so that the
live server thread sees the rows the test creates):

    pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

    def test_something(page, live_server, sign_in, screenshot):
        sign_in(page, "1012345672", "password")
        page.goto(f"{live_server.url}/ar/…")
        screenshot(page, "my-page-ar")

`page` is desktop-sized (1280×800); `mobile_page` is 390×844. Playwright never downloads a
browser here: it launches /usr/bin/chromium (`make browser` installs it).
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run beside
# one unless told that this is deliberate. The test thread only prepares rows.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser, viewport, **context_options):
    context = browser.new_context(viewport=viewport, **context_options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    return context, page


@pytest.fixture
def page(browser):
    context, page = _new_page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def mobile_page(browser):
    context, page = _new_page(browser, MOBILE, is_mobile=True, has_touch=True,
                              device_scale_factor=2)
    yield page
    context.close()


def _known_browser(page, live_server, person) -> None:
    """The citizen has confirmed this browser by SMS code before (its device cookie is set)."""
    from urllib.parse import urlparse

    from django.core import signing

    from amanah.auth.devices import _SALT, COOKIE_NAME, known_device_add

    device_id = known_device_add(person=person, device_id=None)
    page.context.add_cookies([{"name": COOKIE_NAME, "value": signing.dumps(device_id, salt=_SALT),
                               "domain": urlparse(live_server.url).hostname, "path": "/"}])


def _authenticator_for(user):
    """The staff member's authenticator (one is made if they have none), as the app holds it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return (TOTPDevice.objects.filter(user=user, confirmed=True).first()
            or TOTPDevice.objects.create(user=user, name="e2e authenticator", confirmed=True))


def browser_sign_in(page, live_server, username: str, password: str, language: str = "ar"):
    """Through the real sign-in form, and the real second step: a citizen's browser is one
    they confirmed before (device cookie); staff type the current code of their authenticator
    on the second-factor page."""
    from django_otp.oath import totp

    from amanah.auth.second_factor import needs_second_factor
    from amanah.models import Person, User

    user = User.objects.get(username=username)
    person = Person.objects.filter(user=user).first()
    if person is not None and person.mobile_confirmed_at is not None:
        _known_browser(page, live_server, person)
    page.goto(f"{live_server.url}/{language}/account/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form.form-card button[type=submit]")
    if needs_second_factor(user):
        device = _authenticator_for(user)
        page.goto(f"{live_server.url}/{language}/account/second-factor/")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.fill("#id_token", f"{code:06d}")
        with page.expect_navigation():
            page.click("form.form-card button[type=submit]")
    return page


@pytest.fixture
def sign_in(live_server):
    """sign_in(page, username, password, language="ar"): `browser_sign_in` on this server."""

    def _sign_in(page, username: str, password: str, language: str = "ar"):
        return browser_sign_in(page, live_server, username, password, language)

    return _sign_in


@pytest.fixture
def screenshot():
    """screenshot(page, name): full-page PNG in tests/e2e/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def _screenshot(page, name: str) -> Path:
        page.evaluate("document.fonts.ready")
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _screenshot
