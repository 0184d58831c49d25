"""Browser walk of the configuration pages (fees, departments, holidays): an Amanah admin
changes a fee from a date through the confirmation, in Arabic and English, on a desktop and a
360 px phone, with axe finding nothing serious and no sideways scroll."""

import datetime as dt

import pytest

from amanah.enums import MunicipalityKind, StaffRole
from payments.enums import FeeRuleKind
from payments.models import FeeSchedule
from payments.services import fee_schedule_create
from tests.e2e.axe import axe_assert_clean
from tests.factories import (
    DEFAULT_PASSWORD,
    DepartmentFactory,
    EServiceFactory,
    MunicipalityFactory,
    StaffMembershipFactory,
    StaffUserFactory,
)
from workflow.models import Holiday

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def world():
    amanah = MunicipalityFactory(code="AMN", kind=MunicipalityKind.AMANAH, parent=None,
                                 municipality_class=1, name_ar="أمانة المنطقة",
                                 name_en="The Amanah")
    branch = MunicipalityFactory(code="KHB", parent=amanah, municipality_class=2,
                                 name_ar="بلدية الخبر", name_en="Khobar Municipality")
    department = DepartmentFactory(municipality=branch, code="licensing", name_ar="الرخص",
                                   name_en="Licensing")
    StaffMembershipFactory(department=department, role=StaffRole.HEAD,
                           user=StaffUserFactory(username="khb.head", first_name="Sara"))
    admin = StaffMembershipFactory(
        department=DepartmentFactory(municipality=amanah, code="it", name_ar="التقنية",
                                     name_en="IT"),
        role=StaffRole.ADMIN, user=StaffUserFactory(username="amanah.admin")).user
    service = EServiceFactory(code="building_permit", name_ar="رخصة بناء",
                              name_en="Building permit")
    fee = fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                              amount="1000", effective_from=dt.date(2025, 1, 1))
    fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.RATE,
                        amount="2.75", minimum="100", unit_ar="م²", unit_en="m²",
                        component="issuance", effective_from=dt.date(2025, 1, 1))
    Holiday.objects.create(date=dt.date.today() + dt.timedelta(days=30), name_ar="اليوم الوطني",
                           name_en="National Day")
    return {"admin": admin, "fee": fee, "department": department, "branch": branch,
            "service": service}


def _check(page, name, screenshot, *, flash_message=False):
    assert page.evaluate(NO_SIDEWAYS_SCROLL), name
    screenshot(page, name)
    # flash_message: the page shows a message in the shell's live region; it is checked too.
    axe_assert_clean(page, name)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_an_admin_walks_the_configuration_pages(page, phone, live_server, sign_in, screenshot,
                                                world, language):
    sign_in(page, "amanah.admin", DEFAULT_PASSWORD, language)
    # The same session on the phone: a second sign-in would replay the authenticator's code.
    phone.context.add_cookies(page.context.cookies())
    base = f"{live_server.url}/{language}"
    fee = world["fee"]
    pages = {
        "fees": "/payments/finance/fees/",
        "fee-detail": f"/payments/finance/fees/{fee.pk}/",
        "fee-preview": (f"/payments/finance/fees/preview/?eservice={world['service'].pk}"
                        f"&municipality={world['branch'].pk}&on={dt.date.today():%Y-%m-%d}"
                        "&component=issuance&quantity=10"),
        "departments": "/staff/config/departments/",
        "department": f"/staff/config/departments/{world['department'].pk}/",
        "holidays": "/transactions/holidays/",
    }
    for name, path in pages.items():
        page.goto(base + path)
        assert "second-factor" not in page.url
        _check(page, f"config-{name}-{language}-desktop", screenshot)
        phone.goto(base + path)
        _check(phone, f"config-{name}-{language}-360", screenshot)
    # the fee list shows money as every page does
    page.goto(base + pages["fees"])
    assert ("1,000.00" in page.content()) and ("1000,00" not in page.content())
    # a new period from tomorrow: the form, the confirmation in words, then the message
    phone.goto(f"{base}/payments/finance/fees/{fee.pk}/new-period/")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    phone.fill("#id_effective_from", f"{tomorrow:%Y-%m-%d}")
    phone.fill("#id_amount", "1200")
    with phone.expect_navigation():
        phone.click("form.form-card button[type=submit]")
    _check(phone, f"config-fee-confirm-{language}-360", screenshot)
    assert "1,200.00" in phone.inner_text(".config-confirm")
    with phone.expect_navigation():
        phone.click("main form button[type=submit]")
    _check(phone, f"config-fee-added-{language}-360", screenshot, flash_message=True)
    assert FeeSchedule.objects.filter(effective_from=tomorrow, amount="1200").count() == 1
    # a past date is refused next to its field, with "Error:" in the title
    page.goto(f"{base}/payments/finance/fees/{fee.pk}/new-period/")
    page.fill("#id_effective_from", "2025-06-01")
    with page.expect_navigation():
        page.click("form.form-card button[type=submit]")
    assert page.title().startswith("خطأ:" if language == "ar" else "Error:")
    _check(page, f"config-fee-refused-{language}-desktop", screenshot)
