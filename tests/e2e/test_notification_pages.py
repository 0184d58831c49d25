"""The notification texts page and a person's notification history in Chromium: Arabic and
English, desktop and a 360 px phone, no sideways scroll, and axe finds nothing serious."""

import pytest

from amanah.enums import MunicipalityKind, StaffRole
from amanah.models import NotificationTemplate
from amanah.notify import Recipient, notification_request
from tests.e2e.axe import axe_assert_clean
from tests.factories import (
    DEFAULT_PASSWORD,
    CitizenFactory,
    DepartmentFactory,
    MunicipalityFactory,
    StaffMembershipFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def notification_texts():
    # A transactional test's flush takes the migration's rows with it.
    from amanah.notify import notification_templates_seed

    notification_templates_seed()

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_an_admin_edits_a_text_with_a_preview_and_a_refusal(page, phone, live_server, sign_in,
                                                            screenshot):
    admin = StaffMembershipFactory(role=StaffRole.ADMIN, department=DepartmentFactory(
        municipality=MunicipalityFactory(kind=MunicipalityKind.AMANAH))).user
    template = NotificationTemplate.objects.get(event="bill.expiring", channel="email")
    sign_in(page, admin.username, DEFAULT_PASSWORD)
    for language in ("ar", "en"):
        page.goto(f"{live_server.url}/{language}/staff/notifications/")
        axe_assert_clean(page, f"notification texts ({language})")
        screenshot(page, f"notification-texts-{language}")
        page.goto(f"{live_server.url}/{language}/staff/notifications/{template.pk}/")
        page.fill("#id_body_en", "Bill {bill_number} for {customer} expires {expiry_date}.")
        page.click("button[value=save]")
        assert page.locator(".field-error").count() == 1
        axe_assert_clean(page, f"a refused text ({language})")
        screenshot(page, f"notification-text-refused-{language}")
    page.fill("#id_body_en", "Bill {bill_number} expires {expiry_date}.")
    page.click("button[value=preview]")
    assert "Bill 100000000017 expires" in page.locator("#preview").locator("..").inner_text()
    screenshot(page, "notification-text-preview-en")
    sign_in(phone, StaffMembershipFactory(role=StaffRole.ADMIN, department=DepartmentFactory(
        municipality=MunicipalityFactory(kind=MunicipalityKind.AMANAH))).user.username,
        DEFAULT_PASSWORD)
    phone.goto(f"{live_server.url}/ar/staff/notifications/{template.pk}/")
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(phone, "notification-text-phone-ar")


def test_a_citizen_reads_their_notifications_on_the_account_page(page, live_server, sign_in,
                                                                  screenshot):
    person = CitizenFactory(language="en")
    for number in ("100000000017", "100000000025"):
        notification_request(event="bill.paid", key=f"bill.paid:{number}",
                             recipients=[Recipient.of_person(person)],
                             context={"bill_number": number,
                                      "amount": {"ar": "150.00 ر.س", "en": "SAR 150.00"}})
    sign_in(page, person.national_id, DEFAULT_PASSWORD)
    for language in ("ar", "en"):
        page.goto(f"{live_server.url}/{language}/account/")
        axe_assert_clean(page, f"account ({language})")
        screenshot(page, f"account-notifications-{language}")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/ar/account/notifications/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, "my-notifications-phone-ar")
