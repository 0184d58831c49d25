"""An engineering office applies for a building permit in the browser, in Arabic on a phone and
in English on a desktop: the steps, the only-if question, the plans uploaded, the fees, the
review and the submission that waits for the owner."""

import datetime as dt

import pytest

from permits.enums import ApplicationStatus
from permits.models import Application
from tests.factories import DEFAULT_PASSWORD
from tests.permits.factories import permits_world
from tests.samples import pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, tmp_path, clock):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    return permits_world()


@pytest.mark.parametrize("language, viewport", [("ar", "mobile"), ("en", "desktop")])
def test_an_office_applies_for_the_owner(world, live_server, sign_in, screenshot, page,
                                         mobile_page, tmp_path, language, viewport):
    browser = mobile_page if viewport == "mobile" else page
    sign_in(browser, world.office_worker.national_id, DEFAULT_PASSWORD, language)
    base = f"{live_server.url}/{language}/permits"
    # the start: the service, the municipality, the owner's ID
    browser.goto(f"{base}/apply/")
    browser.check("input[name=permit_type][value=building_new]")
    browser.fill("#id_owner_national_id", world.owner.national_id)
    screenshot(browser, f"permits-apply-start-{language}-{viewport}")
    with browser.expect_navigation():
        browser.click("form.form-card button[type=submit]")
    # step 1, with the shops question noted "only if"
    browser.fill("#id_floors", "2")
    browser.fill("#id_built_area_m2", "420")
    browser.fill("#id_footprint_m2", "300")
    browser.check("input[name=use][value=commercial]")
    with browser.expect_navigation():
        browser.click("button[name=go][value=next]")
    assert browser.locator("#id_shop_count_error").is_visible()
    screenshot(browser, f"permits-apply-step-error-{language}-{viewport}")
    browser.fill("#id_shop_count", "3")
    with browser.expect_navigation():
        browser.click("button[name=go][value=next]")
    # step 2
    for key, value in (("front_setback_m", "5"), ("side_setback_m", "2.5"),
                       ("rear_setback_m", "2")):
        browser.fill(f"#id_{key}", value)
    with browser.expect_navigation():
        browser.click("button[name=go][value=next]")
    screenshot(browser, f"permits-apply-parcel-{language}-{viewport}")
    application = Application.objects.get()
    Application.objects.filter(pk=application.pk).update(parcel=world.parcel)
    # the plans, uploaded
    browser.goto(f"{base}/applications/{application.reference}/documents/")
    plans = tmp_path / "plans.pdf"
    plans.write_bytes(pdf())
    browser.set_input_files("#id_architectural_plans_file", str(plans))
    with browser.expect_navigation():
        browser.click("#doc-architectural_plans ~ form button[type=submit]")
    screenshot(browser, f"permits-apply-documents-{language}-{viewport}")
    browser.goto(f"{base}/applications/{application.reference}/fees/")
    screenshot(browser, f"permits-apply-fees-{language}-{viewport}")
    # the review, and the submission that waits for the owner
    browser.goto(f"{base}/applications/{application.reference}/review/")
    screenshot(browser, f"permits-apply-review-{language}-{viewport}")
    with browser.expect_navigation():
        browser.click("form.pa-submit button[type=submit]")
    screenshot(browser, f"permits-apply-submitted-{language}-{viewport}")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWAITING_CONSENT
    assert application.answers["shop_count"] == 3
