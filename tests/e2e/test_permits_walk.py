"""One building permit walked through its whole life in Chromium, in Arabic on a 360 px phone
and in English on a desktop: the engineering office's person applies through every page (the
service and the owner's ID, each step of answers, the parcel and its location, the parties,
the plans uploaded, the fees, the review) and submits; the owner consents; staff take it to the
decision through the services (fee, plan check, site visit) and a reviewer approves it on the
case page; the issuance fee billed by the (eager, in-process) task is paid through simulated
SADAD and the permit is issued; the owner finds it in "My permits" and downloads the
certificate. The certificate's HTML is also rendered in Chromium and kept as a PNG."""

from decimal import Decimal

import pytest

from amanah import clock as amanah_clock
from permits.certificates import certificate_html, permit_certificate_content
from permits.enums import ApplicationStatus, ConsentStatus, FeeStage, PartyRole, PermitStatus
from permits.models import Application, ApplicationFee, Permit
from tests.e2e.test_permits_apply import world  # noqa: F401  (the fixture)
from tests.e2e.test_permits_review_pages import NO_SIDEWAYS_SCROLL, phone  # noqa: F401
from tests.factories import DEFAULT_PASSWORD
from tests.permits.apply_helpers import pay
from tests.permits.factories import application_decision_make
from tests.samples import pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Certificates are written under a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _submit(tab, selector: str = "form.form-card button[type=submit]") -> None:
    with tab.expect_navigation():
        tab.click(selector)
    assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True, tab.url


def _as(tab, sign_in, username: str, language: str) -> None:
    """The next person at this browser: the one before signed out (cookies gone)."""
    tab.context.clear_cookies()
    sign_in(tab, username, DEFAULT_PASSWORD, language)


@pytest.mark.parametrize("language, viewport", [("ar", "360"), ("en", "desktop")])
def test_a_building_permit_from_the_office_to_the_owners_certificate(
        world, live_server, sign_in, screenshot, page, phone, tmp_path,  # noqa: F811
        language, viewport):
    tab = phone if viewport == "360" else page
    shot = f"{language}-{viewport}"
    base = f"{live_server.url}/{language}/permits"

    # 1. the office's person applies through the pages
    _as(tab, sign_in, world.office_worker.national_id, language)
    tab.goto(f"{base}/apply/")
    tab.check("input[name=permit_type][value=building_new]")
    tab.fill("#id_owner_national_id", world.owner.national_id)
    screenshot(tab, f"walk-01-start-{shot}")
    _submit(tab)
    application = Application.objects.get()
    tab.fill("#id_floors", "2")
    tab.fill("#id_built_area_m2", "420")
    tab.fill("#id_footprint_m2", "300")
    tab.check("input[name=use][value=residential]")
    screenshot(tab, f"walk-02-step-1-{shot}")
    _submit(tab, "button[name=go][value=next]")
    for key, value in (("front_setback_m", "5"), ("side_setback_m", "2.5"),
                       ("rear_setback_m", "2")):
        tab.fill(f"#id_{key}", value)
    screenshot(tab, f"walk-03-step-2-{shot}")
    _submit(tab, "button[name=go][value=next]")
    assert tab.url.endswith(f"/applications/{application.reference}/parcel/")
    # the location: the deed (its Hijri date) and the point inside its district
    tab.goto(f"{base}/applications/{application.reference}/location/")
    tab.fill("#id_deed_number", world.deed.deed_number)
    tab.fill("#id_deed_date", "1440-07-07")
    tab.select_option("#id_district_code", world.district.code)
    tab.fill("#id_latitude", "26.250000")
    tab.fill("#id_longitude", "50.150000")
    _submit(tab, "form.form-card button[type=submit]")
    screenshot(tab, f"walk-04-location-{shot}")
    # the parties: the owner and the design office are named; the contractor is added
    tab.goto(f"{base}/applications/{application.reference}/parties/")
    tab.fill("#id_contractor-office_licence_number", world.contractor.licence_number)
    _submit(tab, "form.wf-action:has(input[name=role_form][value=contractor]) button")
    assert tab.locator(".pp-party").count() == 3
    screenshot(tab, f"walk-05-parties-{shot}")
    # the plans, uploaded
    tab.goto(f"{base}/applications/{application.reference}/documents/")
    plans = tmp_path / "plans.pdf"
    plans.write_bytes(pdf())
    tab.set_input_files("#id_architectural_plans_file", str(plans))
    _submit(tab, "#doc-architectural_plans ~ form button[type=submit]")
    screenshot(tab, f"walk-06-documents-{shot}")
    tab.goto(f"{base}/applications/{application.reference}/fees/")
    assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
    screenshot(tab, f"walk-07-fees-{shot}")
    tab.goto(f"{base}/applications/{application.reference}/review/")
    assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
    screenshot(tab, f"walk-08-review-{shot}")
    # the coordinates as written, not with the Arabic locale's decimal comma ("26,250000")
    assert "26.250000, 50.150000" in tab.inner_text("body")
    _submit(tab, "form.pa-submit button[type=submit]")
    screenshot(tab, f"walk-09-submitted-{shot}")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWAITING_CONSENT
    assert application.parcel.deed_number == world.deed.deed_number
    assert application.answers["floors"] == 2

    # 2. the owner consents: the application goes to the municipality, its case open
    _as(tab, sign_in, world.owner.national_id, language)
    tab.goto(f"{base}/applications/{application.reference}/consent/")
    screenshot(tab, f"walk-10-consent-{shot}")
    _submit(tab, "form.wf-action:has(input[name=decision][value=give]) button")
    _submit(tab, "form.actions button[type=submit]")
    screenshot(tab, f"walk-11-consented-{shot}")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert application.case_id is not None
    assert application.parties.get(role=PartyRole.OWNER).consent == ConsentStatus.GIVEN

    # 3. staff: the application fee paid, the plan checked, the visit booked and passed …
    application_fee = ApplicationFee.objects.select_related("bill").get(
        application=application, stage=FeeStage.APPLICATION)
    pay(application_fee.bill)
    application = application_decision_make(world, now=amanah_clock.now(),
                                            application=application)
    assert application.case.state.code == "decision"
    # … and a reviewer approves on the case page
    _as(tab, sign_in, world.reviewer.username, language)
    tab.goto(f"{live_server.url}/{language}/transactions/cases/{application.case_id}/")
    tab.fill("#id_comment_approve", "مطابق للاشتراطات" if language == "ar" else "As the rules ask")
    screenshot(tab, f"walk-12-case-{shot}")
    _submit(tab, "form[data-action=approve] button[type=submit]")
    screenshot(tab, f"walk-13-approved-{shot}")
    # the worker's task (eager here) billed the issuance fee: 2.50 × 420 m²
    issuance = ApplicationFee.objects.select_related("bill").get(
        application=application, stage=FeeStage.ISSUANCE)
    assert (issuance.amount, issuance.bill.payer_person_id) == (Decimal("1050.00"),
                                                                world.owner.pk)
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.AWAITING_FEE
    pay(issuance.bill)
    permit = Permit.objects.get(application=application)
    assert permit.status == PermitStatus.VALID
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.ISSUED

    # 4. the owner finds the permit and downloads its certificate
    _as(tab, sign_in, world.owner.national_id, language)
    tab.goto(f"{base}/mine/")
    assert tab.locator(".permit-list > li").count() == 1
    assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
    screenshot(tab, f"walk-14-my-permits-{shot}")
    with tab.expect_navigation():
        tab.click(f"a[href$='/permits/permit/{permit.number}/']")
    assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
    screenshot(tab, f"walk-15-permit-{shot}")
    link = tab.locator(f"a[href$='/permits/permit/{permit.number}/certificate/']")
    response = tab.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    with tab.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"{permit.number}-v1.pdf"

    # the certificate's HTML, as the PDF renderer gets it, drawn by Chromium (A4 at 96 dpi)
    # (a desktop page of its own: a phone would lay the sheet out 980 px wide)
    printed = tab.context.browser.new_page(viewport={"width": 794, "height": 1123})
    try:
        printed.set_content(certificate_html(permit_certificate_content(
            Permit.objects.get(pk=permit.pk))))
        # English inside the right-to-left cells reads left to right ("600 m²", not "m² 600")
        assert printed.locator("span.en").count() == 13
        assert printed.locator("span.en:not([dir=ltr])").count() == 0
        path = screenshot(printed, f"walk-16-certificate-{shot}")
        assert path.read_bytes().startswith(b"\x89PNG")
    finally:
        printed.close()
