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


@pytest.fixture
def sign_in(live_server):
    """sign_in(page, username, password, language="ar"): through the real sign-in form."""

    def _sign_in(page, username: str, password: str, language: str = "ar"):
        page.goto(f"{live_server.url}/{language}/account/sign-in/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("form.form-card button[type=submit]")
        return page

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
