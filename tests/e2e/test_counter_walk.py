"""The clerk's working walk (issue 12, "Done when"): a citizen phones in with their ID and the
clerk finds their case by it through the staff search and opens it; then a walk-in citizen the
portal does not know is recorded at the counter, a request is filed for them and a fee issued.
In Arabic on a 360 px phone and in English on a desktop, with axe on every page visited and a
screenshot of each."""

import datetime as dt
import re

import pytest

from amanah.enums import RolloutState, StaffRole
from amanah.models import Person
from payments.enums import FeeRuleKind
from payments.models import Bill
from payments.services import fee_schedule_create
from tests.e2e.axe import axe_assert_clean
from tests.e2e.test_permits_review_pages import NO_SIDEWAYS_SCROLL, PHONE
from tests.factories import DEFAULT_PASSWORD, EServiceRolloutFactory, national_id_for
from tests.payments.factories import misc_fee_service
from tests.workflow.factories import case_new, world_build
from workflow.enums import CaseChannel
from workflow.models import Case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WALKS = {
    # language, viewport, the walk-in's ID, their name in Arabic
    "ar-360": ("ar", PHONE, national_id_for(880001), "منيرة الدوسري"),
    "en-desktop": ("en", {"width": 1280, "height": 800}, national_id_for(880002),
                   "عبدالله الشهري"),
}


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


def _world():
    world = world_build()
    service = misc_fee_service()
    EServiceRolloutFactory(eservice=service, municipality=world.branch, state=RolloutState.LIVE)
    fee_schedule_create(eservice=service, municipality_class=world.branch.municipality_class,
                        kind=FeeRuleKind.FIXED, amount="1000",
                        effective_from=dt.date(2020, 1, 1))
    return world, service


def _check(page, name: str, where: str, screenshot, *, phone: bool) -> None:
    """Every page of the walk: axe clean, no sideways scroll on the phone, a screenshot."""
    page.wait_for_load_state("load")
    axe_assert_clean(page, where)
    if phone:
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"sideways scroll on {where}"
    screenshot(page, name)


def _submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.click(f"{form_selector} button[type=submit]")


@pytest.mark.parametrize("walk", list(WALKS))
def test_the_clerk_finds_a_case_by_id_then_files_and_bills_at_the_counter(
        browser, live_server, sign_in, screenshot, walk):
    language, viewport, walk_in_id, walk_in_name = WALKS[walk]
    phone = viewport == PHONE
    world, service = _world()
    # given a citizen who filed a request online and phones about it
    phoned = case_new(world, subject="طلب إفادة عن مخطط الأرض")
    clerk = world.staff("customer_service", StaffRole.CLERK)
    clerk.first_name, clerk.last_name = "Huda", "Alharbi"
    clerk.save(update_fields=["first_name", "last_name"])
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone,
                                  device_scale_factor=2 if phone else 1)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, clerk.username, DEFAULT_PASSWORD, language)
        base = f"{live_server.url}/{language}"

        # 1. the phone call: the clerk finds the citizen's case by their ID, and opens it
        page.goto(f"{base}/staff/search/")
        _check(page, f"counter-walk-{walk}-1-search", f"staff search, {walk}", screenshot,
               phone=phone)
        page.fill("input[name=q]", world.applicant.national_id)
        _submit(page, "form[role=search]")
        _check(page, f"counter-walk-{walk}-2-search-results", f"search results, {walk}",
               screenshot, phone=phone)
        with page.expect_navigation():
            page.click(f"a[href$='/transactions/cases/{phoned.pk}/']")
        assert phoned.number in page.inner_text("main")
        _check(page, f"counter-walk-{walk}-3-case", f"the case found, {walk}", screenshot,
               phone=phone)

        # 2. a walk-in citizen the portal does not know: found by ID, then recorded
        page.goto(f"{base}/staff/counter/")
        _check(page, f"counter-walk-{walk}-4-counter", f"counter, {walk}", screenshot,
               phone=phone)
        page.fill("#id_national_id", walk_in_id)
        _submit(page, "form.form-card")
        assert page.locator("#register-heading").is_visible()
        _check(page, f"counter-walk-{walk}-5-record", f"record a walk-in, {walk}", screenshot,
               phone=phone)
        page.fill("#id_name_ar", walk_in_name)
        page.fill("#id_mobile", "0551234567")
        _submit(page, ".counter-register form")
        walk_in = Person.objects.get(national_id=walk_in_id)
        assert page.url.endswith(f"/staff/counter/person/{walk_in.pk}/")
        assert "+9665•••••567" in page.inner_text("main")
        _check(page, f"counter-walk-{walk}-6-person", f"person card, {walk}", screenshot,
               phone=phone)

        # 3. a request filed for them at the counter
        with page.expect_navigation():
            page.click(".counter-actions a.button:not(.button-secondary)")
        _check(page, f"counter-walk-{walk}-7-file", f"file a request, {walk}", screenshot,
               phone=phone)
        page.select_option("#id_kind", "general_correspondence")
        page.fill("#id_subject", "طلب نسخة من المخطط المعتمد")
        page.fill("#id_description", "حضر المواطن إلى الكاونتر ومعه صورة الصك.")
        _submit(page, "form.form-card")
        filed = Case.objects.get(applicant_person=walk_in)
        assert (filed.channel, filed.submitted_by_id) == (CaseChannel.COUNTER, clerk.pk)
        assert page.inner_text("#case-number") == filed.number
        _check(page, f"counter-walk-{walk}-8-filed", f"request filed, {walk}", screenshot,
               phone=phone)
        with page.expect_navigation():
            page.click(f"a[href$='/transactions/cases/{filed.pk}/']")
        expected = ("At the counter, by Huda Alharbi" if language == "en"
                    else "في الكاونتر، بواسطة Huda Alharbi")
        assert expected in page.inner_text("main")
        _check(page, f"counter-walk-{walk}-9-filed-case", f"the counter case, {walk}",
               screenshot, phone=phone)

        # 4. a fee issued for them at the counter, its SADAD number read out
        page.goto(f"{base}/payments/counter/person/{walk_in.pk}/fee/")
        _check(page, f"counter-walk-{walk}-10-fee", f"issue a fee, {walk}", screenshot,
               phone=phone)
        page.select_option("#id_eservice", str(service.pk))
        page.fill("#id_description_ar", "نسخة من المخطط المعتمد")
        _submit(page, "form.form-card")
        bill = Bill.objects.get(payer_person=walk_in)
        assert bill.issued_by_id == clerk.pk
        assert page.inner_text(f"#acct-{bill.pk}") == bill.billing_account
        assert re.search(r"1,000\.00", page.inner_text("main"))
        _check(page, f"counter-walk-{walk}-11-fee-issued", f"fee issued, {walk}", screenshot,
               phone=phone)
        assert page.evaluate("document.documentElement.lang") == language
    finally:
        context.close()
