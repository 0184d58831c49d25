"""The review pages in Chromium, Arabic and English, desktop and a 360 px phone: the staff
page of an application (its sections side by side on a desktop, stacked on a phone, never a
sideways scroll), the correction the applicant answers, and the inspector's checklist."""

import datetime as dt

import pytest

from amanah import clock
from permits.services.corrections import application_correction_request
from permits.services.inspections import inspection_book
from permits.services.plan_check import plan_check_run
from tests.factories import DEFAULT_PASSWORD
from tests.permits.factories import (
    application_at_inspection_make,
    application_document_make,
    application_submitted_make,
    permits_world,
    slot_make,
)

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


def _columns(page) -> int:
    """How many sections sit side by side in the page's first row."""
    return page.evaluate("""() => {
        const cards = [...document.querySelectorAll('.pr-grid > .pr-card')];
        const top = cards[0].getBoundingClientRect().top;
        return cards.filter(c => Math.abs(c.getBoundingClientRect().top - top) < 2).length;
    }""")


def test_the_staff_page_side_by_side_on_a_desktop_and_stacked_on_a_phone(
        page, phone, live_server, sign_in, screenshot):
    world = permits_world()
    application = application_submitted_make(world)
    application_document_make(application)
    plan_check_run(application_id=application.pk, actor=world.clerk)
    url = f"{live_server.url}/%s/permits/staff/applications/{application.reference}/"
    # (two members of staff: an authenticator's code is taken once only)
    sign_in(page, world.clerk.username, DEFAULT_PASSWORD)
    sign_in(phone, world.head.username, DEFAULT_PASSWORD)
    for language in ("ar", "en"):
        page.goto(url % language)
        assert page.locator("#answers").is_visible()
        assert _columns(page) == 3
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        screenshot(page, f"permits-staff-application-{language}-desktop")
        phone.goto(url % language)
        assert _columns(phone) == 1
        assert phone.evaluate(NO_SIDEWAYS_SCROLL)
        screenshot(phone, f"permits-staff-application-{language}-360")
    assert page.evaluate("document.documentElement.dir") == "ltr"


def test_the_correction_and_the_checklist_on_a_phone(browser, phone, live_server, sign_in,
                                                     screenshot):
    world = permits_world()
    application = application_submitted_make(world)
    application_document_make(application)
    application_correction_request(application_id=application.pk, actor=world.clerk,
                                   fields=["floors", "use"], documents=["architectural_plans"],
                                   note="عدد الأدوار لا يطابق المخططات المرفقة")
    sign_in(phone, world.owner.national_id, DEFAULT_PASSWORD, "ar")
    phone.goto(f"{live_server.url}/ar/permits/applications/{application.reference}/correction/")
    assert phone.locator("#id_floors").input_value() == "2"
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(phone, "permits-correction-ar-360")

    visit_application = application_at_inspection_make(world)
    slot = slot_make(world, starts_at=clock.now() + dt.timedelta(minutes=30))
    visit = inspection_book(application_id=visit_application.pk, user=world.owner.user,
                            slot_id=slot.pk, purpose="site")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    inspector = context.new_page()
    try:
        sign_in(inspector, world.inspector.username, DEFAULT_PASSWORD, "ar")
        inspector.goto(f"{live_server.url}/ar/permits/inspections/{visit.pk}/")
        assert inspector.locator("input[type=radio]").count() == 9
        assert inspector.evaluate(NO_SIDEWAYS_SCROLL)
        screenshot(inspector, "permits-checklist-ar-360")
    finally:
        context.close()
