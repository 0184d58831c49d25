"""A demo citizen sees a bill, pays it with the simulated bank, sees it paid, and downloads
the receipt — in a real browser against the live server, with the real demo data."""

import shutil
import subprocess

import pytest
from django.core.management import call_command

from amanah.demo import DEMO_PASSWORD
from payments.enums import BillStatus
from payments.models import Bill, Payment, Receipt
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CITIZEN = "1012345672"  # the demo citizen عبدالله بن محمد الدوسري
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", verbosity=0)
    return Bill.objects.get(payable_ref="DEMO-MISC-1")


def test_demo_citizen_pays_a_bill_and_downloads_the_receipt(page, live_server, sign_in,
                                                            screenshot, demo):
    bill = demo
    assert bill.status == BillStatus.UNPAID
    base = live_server.url
    # given the demo citizen signed in
    sign_in(page, CITIZEN, DEMO_PASSWORD)
    # when they open their bills
    page.goto(f"{base}/ar/payments/bills/")
    card = page.locator("li.bill-card", has=page.locator(f"#acct-{bill.pk}"))
    # then the bill shows the biller code and bill number to pay with, and a copy button
    assert card.locator(f"#acct-{bill.pk}").inner_text() == bill.billing_account
    assert card.locator(f"#biller-{bill.pk}").inner_text() == "090"
    assert card.locator(".status").inner_text() == "غير مدفوعة — جاهزة للسداد"
    assert card.locator("button.copy-button").first.is_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL) is True
    screenshot(page, "payments-my-bills-ar")

    # when they open the bill and pay it with the simulated bank
    card.locator("h2 a").click()
    page.wait_for_url(f"{base}/ar/payments/bills/{bill.billing_account}/")
    screenshot(page, "payments-bill-unpaid-ar")
    with page.expect_navigation():
        page.get_by_role("button", name="ادفع عبر البنك التجريبي").click()

    # then the page says it is paid, and the portal recorded exactly one payment
    assert page.locator(".bill-head .status").inner_text() == "مدفوعة"
    assert "دفع البنك التجريبي الفاتورة" in page.locator(".messages").inner_text()
    assert page.get_by_role("button", name="ادفع عبر البنك التجريبي").count() == 0
    payment = Payment.objects.get(bill=bill)
    receipt = Receipt.objects.get(payment=payment)
    screenshot(page, "payments-bill-paid-ar")

    # when they download the receipt
    with page.expect_download() as download_info:
        page.locator(f"a[href$='/receipts/{receipt.number}/pdf/']").click()
    download = download_info.value
    # then it is the receipt's PDF
    assert download.suggested_filename == f"{receipt.number}.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    # and, for people to look at, its first page as a PNG next to the screenshots
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", download.path(),
                        str(SCREENSHOTS / "payments-receipt-pdf")], check=True)

    # and the receipt list shows it, in English too
    page.goto(f"{base}/en/payments/receipts/")
    assert receipt.number in page.locator("table.data-table").inner_text()
    screenshot(page, "payments-my-receipts-en")


def test_bills_page_on_a_phone(mobile_page, live_server, sign_in, screenshot, demo):
    sign_in(mobile_page, CITIZEN, DEMO_PASSWORD)
    mobile_page.goto(f"{live_server.url}/ar/payments/bills/")
    assert mobile_page.evaluate(NO_SIDEWAYS_SCROLL) is True
    screenshot(mobile_page, "payments-my-bills-ar-mobile")


def test_finance_dashboard_in_the_browser(page, live_server, sign_in, screenshot, demo):
    sign_in(page, "epa.finance.head", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/ar/payments/finance/")
    assert page.locator("svg.chart").count() == 1
    screenshot(page, "payments-finance-dashboard-ar")
    page.goto(f"{live_server.url}/en/payments/finance/bills/")
    screenshot(page, "payments-finance-bills-en")
