"""A shop licence walked in Chromium, in Arabic on a 360 px phone and in English on a desktop:
the establishment's delegate applies through every page (the service, the activities, the
answers, the shop's place, the fees, the review with the self-declaration) and submits; both
bills are paid through SADAD and the licence is issued at once, with no staff touch; the
delegate finds it in the establishment's workspace, downloads its certificate and adds a
signage sub-permit, which goes to the municipality. The certificate's HTML is also rendered in
Chromium and kept as a PNG."""

import datetime as dt
from decimal import Decimal

import pytest

from permits.certificates import certificate_html, permit_certificate_content
from permits.enums import ApplicationStatus, FeeStage, PermitStatus
from permits.models import Application, ApplicationFee, Permit
from tests.e2e.test_permits_review_pages import NO_SIDEWAYS_SCROLL, phone  # noqa: F401
from tests.factories import DEFAULT_PASSWORD
from tests.permits.apply_helpers import pay
from tests.permits.licences.factories import GROCERY, SIGNAGE_CODE, licence_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, tmp_path, clock):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = tmp_path / "media"
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    return licence_world()


def _submit(tab, selector: str = "form.form-card button[type=submit]") -> None:
    with tab.expect_navigation():
        tab.click(selector)
    assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True, tab.url


@pytest.mark.parametrize("language, viewport", [("ar", "360"), ("en", "desktop")])
def test_an_establishment_gets_an_instant_licence_and_adds_a_sign(
        world, live_server, sign_in, screenshot, page, phone, language,  # noqa: F811
        viewport):
    tab = phone if viewport == "360" else page
    shot = f"{language}-{viewport}"
    base = f"{live_server.url}/{language}/permits"
    sign_in(tab, world.delegate.national_id, DEFAULT_PASSWORD, language)

    # 1. the delegate applies: the service, then the activities
    tab.goto(f"{base}/apply/")
    tab.check("input[name=permit_type][value=commercial_license]")
    screenshot(tab, f"licence-01-start-{shot}")
    _submit(tab)
    application = Application.objects.get()
    assert tab.url.endswith(f"/applications/{application.reference}/activities/")
    tab.check(f"input[name=activities][value='{GROCERY}']")
    screenshot(tab, f"licence-02-activities-{shot}")
    _submit(tab)
    # the answers: trade name, registration, lease, area, sign, period
    for key, value in (("trade_name", "بقالة النخيل"), ("cr_number", world.registration.cr_number),
                       ("lease_contract_number", world.lease.contract_number),
                       ("shop_area_m2", "60"), ("signage_area_m2", "3")):
        tab.fill(f"#id_{key}", value)
    tab.check("input[name=validity_years][value='1']")
    screenshot(tab, f"licence-03-answers-{shot}")
    _submit(tab, "button[name=go][value=next]")
    # the shop's place: the landlord's deed (its Hijri date) and the point in its district
    tab.goto(f"{base}/applications/{application.reference}/location/")
    tab.fill("#id_deed_number", world.deed.deed_number)
    tab.fill("#id_deed_date", "1440-07-07")
    tab.select_option("#id_district_code", world.district.code)
    tab.fill("#id_latitude", "26.250000")
    tab.fill("#id_longitude", "50.150000")
    _submit(tab)
    screenshot(tab, f"licence-04-location-{shot}")
    # the fees: 60 m² × 10.00 and a 3 m² sign × 200.00, for one year
    tab.goto(f"{base}/applications/{application.reference}/fees/")
    assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
    fees_text = tab.inner_text("main")
    assert "600.00" in fees_text and "1,200.00" in fees_text.replace("1200.00", "1,200.00")
    screenshot(tab, f"licence-05-fees-{shot}")
    # the review: issued on payment, against the declaration the delegate signs here
    tab.goto(f"{base}/applications/{application.reference}/review/")
    assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
    assert tab.locator("input[name=declaration]").count() == 1
    tab.check("input[name=declaration]")
    screenshot(tab, f"licence-06-review-{shot}")
    _submit(tab, "form.pa-submit button[type=submit]")
    screenshot(tab, f"licence-07-submitted-{shot}")
    application.refresh_from_db()
    assert (application.status, application.case_id) == (ApplicationStatus.AWAITING_FEE, None)
    assert application.declaration.signed_by_id == world.delegate.pk
    fees = {fee.stage: fee for fee in ApplicationFee.objects.select_related("bill")
            .filter(application=application)}
    assert {stage: fee.amount for stage, fee in fees.items()} == {
        FeeStage.ISSUANCE: Decimal("600.00"), FeeStage.SIGNAGE: Decimal("600.00")}
    # the application page shows both bills to pay, with their SADAD numbers
    page_text = tab.inner_text("main")
    for fee in fees.values():
        assert fee.bill.billing_account in page_text

    # 2. both bills are paid at the bank: the licence is issued at once, nobody at the
    # municipality touched it (the tasks run in-process here)
    for fee in fees.values():
        pay(fee.bill)
    licence = Permit.objects.get(application=application)
    assert (licence.status, licence.valid_until, licence.details["activities"]) == (
        PermitStatus.VALID, dt.date(2027, 11, 30), [GROCERY])
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.ISSUED

    # 3. the establishment's workspace lists it; its page gives the certificate
    tab.goto(f"{base}/establishment/")
    assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
    assert licence.number in tab.inner_text("main")
    screenshot(tab, f"licence-08-workspace-{shot}")
    tab.goto(f"{base}/permit/{licence.number}/")
    assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
    screenshot(tab, f"licence-09-licence-{shot}")
    # its activities named once, in words, not as a raw list among the approved details
    assert "['" not in tab.inner_text("main")
    link = tab.locator(f"a[href$='/permits/permit/{licence.number}/certificate/']")
    response = tab.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert (response.status, response.headers["content-type"]) == (200, "application/pdf")
    assert response.body().startswith(b"%PDF")
    with tab.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"{licence.number}-v1.pdf"

    # 4. a signage sub-permit, which the grocery activity allows: started from the licence
    # page, on the licence's own shop, answered and submitted to the municipality
    with tab.expect_navigation():
        tab.click(f"a[href$='/permits/licence/{licence.number}/sub-permits/{SIGNAGE_CODE}/']")
    screenshot(tab, f"licence-10-sign-start-{shot}")
    _submit(tab)
    sign = Application.objects.get(permit_type__code=SIGNAGE_CODE)
    assert (sign.permit_id, sign.parcel_id, sign.owner_establishment_id) == (
        licence.pk, licence.parcel_id, world.establishment.pk)
    tab.goto(f"{base}/applications/{sign.reference}/steps/1/")
    tab.fill("#id_sign_area_m2", "3")
    _submit(tab, "button[name=go][value=next]")
    tab.goto(f"{base}/applications/{sign.reference}/review/")
    assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True
    screenshot(tab, f"licence-11-sign-review-{shot}")
    _submit(tab, "form.pa-submit button[type=submit]")
    sign.refresh_from_db()
    assert sign.status == ApplicationStatus.IN_REVIEW and sign.case_id is not None
    screenshot(tab, f"licence-12-sign-submitted-{shot}")

    # the certificate's HTML, as the PDF renderer gets it, drawn by Chromium (A4 at 96 dpi)
    printed = tab.context.browser.new_page(viewport={"width": 794, "height": 1123})
    try:
        printed.set_content(certificate_html(permit_certificate_content(
            Permit.objects.get(pk=licence.pk))))
        assert printed.locator("span.en:not([dir=ltr])").count() == 0
        text = printed.inner_text("body")
        assert GROCERY in text and "بقالة النخيل" in text
        path = screenshot(printed, f"licence-13-certificate-{shot}")
        assert path.read_bytes().startswith(b"\x89PNG")
    finally:
        printed.close()
