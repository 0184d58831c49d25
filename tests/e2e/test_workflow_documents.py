"""Case documents in a real browser: versions listed for staff, a correction uploaded, and a
too-large file answered next to its field — the browser does get that answer."""

import pytest

from amanah.enums import StaffRole
from tests import samples
from tests.e2e.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD
from tests.workflow.factories import case_new, world_build
from workflow.models import CaseAttachment
from workflow.services import case_attachment_add

from .test_workflow_journey import NO_SIDEWAYS_SCROLL, OVERLAPS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


def _signed_in(browser, live_server, username: str, viewport):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    browser_sign_in(page, live_server, username, DEFAULT_PASSWORD)
    return context, page


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800},
                                      {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_staff_see_versions_correct_one_and_a_too_large_file_is_answered_in_place(
        browser, live_server, screenshot, viewport):
    # given a deed the applicant corrected once, and the clerk of the department
    world = world_build()
    case = case_new(world, subject="طلب إفادة عن مخطط أرض سكنية")
    first = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                document=samples.upload("صك الملكية.pdf", samples.pdf()))
    second = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                 document=samples.upload("صك الملكية - واضح.pdf",
                                                         samples.pdf()),
                                 replaces_id=first.pk)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    context, page = _signed_in(browser, live_server, clerk.username, viewport)
    try:
        # when the clerk opens the case
        page.goto(f"{live_server.url}/ar/transactions/cases/{case.pk}/")
        # then both versions are listed, the first marked replaced, and the page fits
        items = page.locator(".wf-documents li")
        assert items.count() == 2
        assert "استُبدلت بالنسخة 2" in items.nth(0).inner_text()
        page.evaluate("document.fonts.ready")
        assert page.evaluate(NO_SIDEWAYS_SCROLL) is True
        assert page.evaluate(OVERLAPS) == []
        name = "documents-" + ("phone" if viewport["width"] < 500 else "desktop")
        screenshot(page, f"{name}-versions")
        # when the clerk uploads an 11 MB file as a correction of the current version
        page.select_option("#id_attachment_replaces", str(second.pk))
        page.set_input_files("#id_attachment_document", files=[{
            "name": "big.pdf", "mimeType": "application/pdf",
            "buffer": b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024)}])
        with page.expect_navigation():
            page.click("#attachment-form button[type=submit]")
        # then the browser shows "too large" next to the file field, and nothing was added
        error = page.locator("#attachment-document-error")
        assert error.inner_text() == "الملف أكبر من الحجم المسموح (بحد أقصى ١٠ ميجابايت)."
        assert CaseAttachment.objects.filter(case=case).count() == 2
        screenshot(page, f"{name}-too-large")
        # and a proper correction goes through
        page.select_option("#id_attachment_replaces", str(second.pk))
        page.set_input_files("#id_attachment_document", files=[{
            "name": "deed-scan.png", "mimeType": "image/png", "buffer": samples.png()}])
        with page.expect_navigation():
            page.click("#attachment-form button[type=submit]")
        assert page.locator(".wf-documents li").count() == 3
        assert CaseAttachment.objects.get(replaces=second).version == 3
    finally:
        context.close()
