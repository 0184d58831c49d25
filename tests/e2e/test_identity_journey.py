"""In the browser: sign-up through the simulated Nafath, and a new device's SMS code."""

import re

import pytest

from amanah.models import Person
from amanah.notifications import LocmemSmsBackend
from tests.factories import DEFAULT_PASSWORD, CitizenFactory, MunicipalityFactory, national_id_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


def test_sign_up_through_the_nafath_simulator(page, live_server, screenshot, sms_outbox):
    MunicipalityFactory(code="KHB", name_ar="بلدية محافظة الخبر", name_en="Al Khobar")
    national_id = national_id_for(31415926)
    # the ID, then the number to choose in Nafath
    page.goto(f"{live_server.url}/en/account/sign-up/")
    page.fill("#id_national_id", national_id)
    with page.expect_navigation():
        page.click("form.form-card button[type=submit]")
    number = page.inner_text("#nafath-number").strip()
    screenshot(page, "nafath-waiting-en")
    # the simulated Nafath app, in another tab, marked as training
    simulator = page.context.new_page()
    simulator.goto(live_server.url + page.get_attribute("#nafath-simulator-link", "href"))
    assert "محاكاة نفاذ — للتدريب" in simulator.content()
    simulator.fill("#id_name_ar", "ريم خالد")
    simulator.fill("#id_name_en", "Reem Khaled")
    screenshot(simulator, "nafath-simulator-en")
    with simulator.expect_navigation():
        simulator.click(f"button.nafath-choice:has-text('{number}')")
    assert simulator.is_visible("#simulator-outcome")
    simulator.close()
    # back on the portal, which moves on by itself
    page.wait_for_url(re.compile(r".*/account/sign-up/details/$"), timeout=15_000)
    assert "Reem Khaled" in page.content()
    page.fill("#id_mobile", "0551112233")
    page.select_option("#id_municipality", label="Al Khobar")
    page.fill("#id_password1", "Corniche-Sunset-2030")
    page.fill("#id_password2", "Corniche-Sunset-2030")
    with page.expect_navigation():
        page.click("form.form-card button[type=submit]")
    assert page.url.endswith("/en/account/confirm-mobile/")
    person = Person.objects.get(national_id=national_id)
    assert (person.name_ar, person.name_en) == ("ريم خالد", "Reem Khaled")


def test_a_new_browser_asks_for_the_sms_code(page, live_server, sms_outbox):
    citizen = CitizenFactory()
    page.goto(f"{live_server.url}/en/account/sign-in/")
    page.fill("#id_username", citizen.national_id)
    page.fill("#id_password", DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.click("form.form-card button[type=submit]")
    assert page.url.endswith("/en/account/sign-in/confirm-device/")
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].body).group(1)
    page.fill("#id_code", code)
    with page.expect_navigation():
        page.click("form.form-card button[type=submit]")
    assert page.url.endswith("/en/")
