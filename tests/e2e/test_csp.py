"""The Content-Security-Policy breaks nothing: on the main pages, in Chromium, with the demo
data, no CSP violation is reported (a page with inline script or style would log one)."""

import pytest
from django.core.management import call_command

from amanah.demo import DEMO_PASSWORD
from payments.models import Bill

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CITIZEN = "1012345672"  # the demo citizen
ANONYMOUS_PAGES = ["/ar/", "/en/", "/ar/account/sign-in/", "/en/account/sign-up/",
                   "/ar/payments/inquiry/", "/ar/transactions/status/", "/api/v1/docs/",
                   "/ar/no-such-page/", "/ar/payments/receipts/verify/AAAAAAAAAAAAAAAAAAAAAA"]


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", verbosity=0)
    return Bill.objects.get(payable_ref="DEMO-MISC-1")


@pytest.fixture
def violations(page):
    """CSP violations the browser reports on `page`: its console and the DOM event."""
    found = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));")
    return found


def _visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")


def test_the_main_pages_report_no_csp_violation(page, live_server, sign_in, demo, violations):
    base = live_server.url
    for path in ANONYMOUS_PAGES:
        _visit(page, base + path)
    # a citizen's pages, with the copy-button script
    sign_in(page, CITIZEN, DEMO_PASSWORD)
    _visit(page, f"{base}/ar/payments/bills/{demo.billing_account}/")
    # the copy buttons are shown by a script file: it ran, the policy let it
    assert page.locator("button.copy-button").first.is_visible()
    for path in ["/ar/", "/ar/payments/bills/", "/en/payments/receipts/",
                 "/ar/transactions/mine/", "/ar/account/"]:
        _visit(page, base + path)
    page.context.clear_cookies()
    # staff pages, with the SVG charts
    sign_in(page, "khb.finance.head", DEMO_PASSWORD)
    for path in ["/ar/staff/", "/ar/payments/finance/", "/ar/payments/finance/suspense/",
                 "/ar/transactions/", "/ar/transactions/analytics/"]:
        _visit(page, base + path)
    assert violations == []


def test_a_planted_inline_style_is_reported(page, live_server, violations):
    # the check itself works: an inline style the policy forbids is seen
    _visit(page, live_server.url + "/ar/")
    page.evaluate("() => { const s = document.createElement('style');"
                  " s.textContent = 'body{color:red}'; document.head.appendChild(s); }")
    page.wait_for_timeout(300)
    assert violations != []
