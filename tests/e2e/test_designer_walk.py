"""An admin edits a procedure in the designer and publishes it, in Chromium: Arabic on a 360 px
phone and English on a desktop. Every page is checked with axe and photographed; the diagram
scrolls inside its own region on the phone, never the page."""

import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.workflow.factories import world_build
from workflow.enums import VersionStatus
from workflow.models import DefinitionVersion, State

from .axe import axe_assert_clean

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
PHONE = {"width": 360, "height": 780}

TEXTS = {
    "ar": {"problem": "لا يصل إليها أي انتقال من حالة البداية.",
           "department": "اختر الإدارة المالكة لهذه الحالة.",
           "valid": "لا مشكلات في هذه المسودة: يمكن نشرها.",
           "consequence": "ستتبع المعاملات الجديدة الإصدار 2، وتبقى المعاملات المفتوحة على "
                          "الإصدار 1.",
           "procedure": "المراسلات العامة"},
    "en": {"problem": "No transition leads here from the start state.",
           "department": "Choose the department that owns this state.",
           "valid": "This draft has no problems: it may be published.",
           "consequence": "New cases will follow version 2; open cases stay on version 1.",
           "procedure": "General correspondence"},
}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _check(page, name: str, screenshot, language: str, *, narrow: bool) -> None:
    axe_assert_clean(page, f"designer {name}, {language}")
    if narrow:
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{name} scrolls sideways"
    screenshot(page, f"designer-{name}-{language}-{'360' if narrow else 'desktop'}")


def _walk(page, live_server, sign_in, screenshot, language: str, *, narrow: bool):
    world = world_build()
    admin = world.staff("customer_service", "admin", world.amanah)
    texts = TEXTS[language]
    sign_in(page, admin.username, DEFAULT_PASSWORD, language)

    # the list of procedures, then one procedure: its diagram and history
    page.goto(f"{live_server.url}/{language}/transactions/designer/")
    _check(page, "list", screenshot, language, narrow=narrow)
    with page.expect_navigation():
        page.click(f"#procedures a:text-is('{texts['procedure']}')")
    assert page.locator(".dg-scroll[role=region][tabindex='0'] svg[role=img]").count() == 1
    _check(page, "procedure", screenshot, language, narrow=narrow)

    # start a draft and add a state, forgetting its department and its transitions
    with page.expect_navigation():
        page.click("form[action$='/draft/'] button[type=submit]")
    page.click("#add-state > summary")
    page.fill("#id_state-new-name_ar", "رأي قانوني")
    page.fill("#id_state-new-name_en", "Legal opinion")
    page.fill("#id_state-new-code", "legal_opinion")
    page.select_option("#id_state-new-category", "in_review")
    page.fill("#id_state-new-sla_hours", "8")
    with page.expect_navigation():
        page.click("#add-state button[type=submit]")
    item = page.locator("#item-state-legal_opinion")
    assert texts["problem"] in item.inner_text()
    assert texts["department"] in item.inner_text()
    assert page.locator("#state-legal_opinion.dg-problem").count() == 1
    _check(page, "draft-invalid", screenshot, language, narrow=narrow)

    # fix it: give it a department, a way in and a way out
    draft = DefinitionVersion.objects.get(status=VersionStatus.DRAFT,
                                          definition__code="general_correspondence")
    legal = State.objects.get(version=draft, code="legal_opinion")
    review = State.objects.get(version=draft, code="in_review")
    item.locator("summary").first.click()
    page.select_option(f"#id_state-{legal.pk}-department_code", "legal")
    with page.expect_navigation():
        item.locator("button[type=submit]").first.click()
    for action, name, source, target in (("ask_legal", "Ask legal", review, legal),
                                         ("legal_answered", "Legal answer", legal, review)):
        page.click("#add-transition > summary")
        page.fill("#id_transition-new-name_ar", "إحالة قانونية" if source == review
                  else "إفادة قانونية")
        page.fill("#id_transition-new-name_en", name)
        page.fill("#id_transition-new-action", action)
        page.select_option("#id_transition-new-from_state", str(source.pk))
        page.select_option("#id_transition-new-to_state", str(target.pk))
        page.check("input[name='transition-new-allowed_roles'][value='reviewer']")
        with page.expect_navigation():
            page.click("#add-transition button[type=submit]")
    assert texts["valid"] in page.inner_text("#valid")
    assert page.locator(".dg-problem").count() == 0
    _check(page, "draft-valid", screenshot, language, narrow=narrow)

    # publish, after the confirmation page says what happens and shows the difference
    with page.expect_navigation():
        page.click(f"a[href$='/drafts/{draft.pk}/publish/']")
    assert page.inner_text("#consequence") == texts["consequence"]
    _check(page, "publish", screenshot, language, narrow=narrow)
    with page.expect_navigation():
        page.click("form.ds-actions button[type=submit]")
    draft.refresh_from_db()
    assert (draft.status, draft.published_by_id) == (VersionStatus.PUBLISHED, admin.pk)
    _check(page, "published", screenshot, language, narrow=narrow)


def test_an_admin_edits_and_publishes_a_procedure_in_arabic_on_a_phone(
        phone, live_server, sign_in, screenshot):
    _walk(phone, live_server, sign_in, screenshot, "ar", narrow=True)


def test_an_admin_edits_and_publishes_a_procedure_in_english_on_a_desktop(
        page, live_server, sign_in, screenshot):
    _walk(page, live_server, sign_in, screenshot, "en", narrow=False)
