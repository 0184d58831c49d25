import pytest

from amanah.enums import RolloutState
from tests.factories import (
    DEFAULT_PASSWORD,
    CitizenFactory,
    EServiceFactory,
    EServiceRolloutFactory,
    MunicipalityFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
ARABIC_FONT_LOADED = "document.fonts.check('16px \"Noto Sans Arabic\"', 'بوابة')"


def _demo_like_citizen():
    khobar = MunicipalityFactory(code="KHB", name_ar="بلدية محافظة الخبر",
                                 name_en="Al Khobar Municipality")
    EServiceRolloutFactory(municipality=khobar, state=RolloutState.PILOT, eservice=EServiceFactory(
        code="BLD", name_ar="إصدار رخصة بناء", name_en="Building permit",
        description_ar="تقديم طلب رخصة بناء سكني جديد ومتابعته.",
        description_en="Apply for a new residential building permit and follow it."))
    EServiceRolloutFactory(municipality=khobar, state=RolloutState.LIVE, eservice=EServiceFactory(
        code="SHOP", name_ar="رخصة محل تجاري", name_en="Shop licence",
        description_ar="إصدار وتجديد رخص المحلات التجارية.",
        description_en="Issue and renew shop licences."))
    return CitizenFactory(municipality=khobar, name_ar="سارة بنت أحمد القحطاني",
                          name_en="Sara Ahmed Al-Qahtani")


@pytest.mark.parametrize(("language", "direction", "heading"), [
    ("ar", "rtl", "الخدمات البلدية، إلكترونياً"),
    ("en", "ltr", "Municipal services, online"),
])
def test_home_page_in_each_language(page, live_server, screenshot, language, direction, heading):
    # when the home page is opened
    page.goto(f"{live_server.url}/{language}/")
    # then the document has the language's direction, its text, and the local Arabic font
    assert page.get_attribute("html", "dir") == direction
    assert page.get_attribute("html", "lang") == language
    assert page.inner_text("h1") == heading
    page.evaluate("document.fonts.ready")
    assert page.evaluate(ARABIC_FONT_LOADED) is True
    assert page.evaluate(NO_SIDEWAYS_SCROLL) is True
    screenshot(page, f"home-anonymous-{language}-desktop")


def test_language_switch_keeps_the_page(page, live_server):
    page.goto(f"{live_server.url}/ar/account/sign-in/")
    page.click("a.lang-switch")
    assert page.url == f"{live_server.url}/en/account/sign-in/"
    assert page.get_attribute("html", "dir") == "ltr"


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_a_citizen_signs_in_and_sees_the_services_where_they_live(
        request, live_server, sign_in, screenshot, viewport):
    # given a demo-like citizen of Khobar with two services there
    citizen = _demo_like_citizen()
    page = request.getfixturevalue("page" if viewport == "desktop" else "mobile_page")
    # when they sign in through the form
    sign_in(page, citizen.national_id, DEFAULT_PASSWORD)
    # then they land on their home, in Arabic, with both services and the pilot badge
    assert page.url == f"{live_server.url}/ar/"
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.inner_text("h1") == "مرحباً، سارة بنت أحمد القحطاني"
    cards = page.locator(".service-card h3").all_inner_texts()
    assert [c.split("\n")[0].strip() for c in cards] == [
        "إصدار رخصة بناء تجريبية", "رخصة محل تجاري"]
    assert page.locator(".badge-pilot").count() == 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL) is True
    screenshot(page, f"home-citizen-ar-{viewport}")
    # and the same page in English after the switch
    page.click("a.lang-switch")
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.inner_text("h1") == "Welcome, Sara Ahmed Al-Qahtani"
    assert page.evaluate(NO_SIDEWAYS_SCROLL) is True
    screenshot(page, f"home-citizen-en-{viewport}")


def test_sign_in_and_sign_up_pages_on_a_phone(mobile_page, live_server, screenshot):
    MunicipalityFactory(code="KHB", name_ar="بلدية محافظة الخبر", name_en="Al Khobar")
    for language in ("ar", "en"):
        mobile_page.goto(f"{live_server.url}/{language}/account/sign-up/")
        assert mobile_page.evaluate(NO_SIDEWAYS_SCROLL) is True
        screenshot(mobile_page, f"sign-up-{language}-mobile")
    # a wrong password shows the message on the page
    mobile_page.goto(f"{live_server.url}/ar/account/sign-in/")
    mobile_page.fill("#id_username", "1000000008")
    mobile_page.fill("#id_password", "wrong")
    with mobile_page.expect_navigation():
        mobile_page.click("form.form-card button[type=submit]")
    assert mobile_page.inner_text(".error-summary li") == \
        "رقم الهوية (أو اسم المستخدم) أو كلمة المرور غير صحيحة."
    screenshot(mobile_page, "sign-in-error-ar-mobile")


def test_staff_sign_in_on_the_same_page_and_see_their_departments(
        mobile_page, live_server, sign_in, screenshot):
    # given a demo-like clerk of Khobar's licensing department
    from amanah.enums import StaffRole
    from tests.factories import DepartmentFactory, StaffMembershipFactory, StaffUserFactory

    khobar = MunicipalityFactory(code="KHB", name_ar="بلدية محافظة الخبر",
                                 name_en="Al Khobar Municipality")
    clerk = StaffUserFactory(username="khb.licensing.clerk", first_name="موظف استقبال ومعاملات",
                             last_name="إدارة الرخص التجارية — بلدية محافظة الخبر")
    licensing = DepartmentFactory(municipality=khobar, code="licensing",
                                  name_ar="إدارة الرخص التجارية", name_en="Commercial licensing")
    StaffMembershipFactory(user=clerk, department=licensing, role=StaffRole.CLERK)
    StaffMembershipFactory(user=clerk, department=licensing, role=StaffRole.REVIEWER)
    # when they sign in with their username on a phone
    sign_in(mobile_page, "khb.licensing.clerk", DEFAULT_PASSWORD)
    # then they land on the staff home with their department and both roles
    assert mobile_page.url == f"{live_server.url}/ar/staff/"
    assert mobile_page.inner_text(".department-card h3") == "إدارة الرخص التجارية"
    assert mobile_page.locator(".department-card .badge").all_inner_texts() == [
        "موظف استقبال ومعاملات", "مراجع"]
    assert mobile_page.evaluate(NO_SIDEWAYS_SCROLL) is True
    screenshot(mobile_page, "staff-home-ar-mobile")


def test_lockout_message_on_the_sign_in_page(page, live_server, screenshot, settings):
    # given a citizen whose password is tried wrongly up to the limit, on the English page
    citizen = CitizenFactory()
    for n in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{live_server.url}/en/account/sign-in/")
        page.fill("#id_username", citizen.national_id)
        page.fill("#id_password", f"wrong-{n}")
        with page.expect_navigation():
            page.click("form.form-card button[type=submit]")
    # then the sign-in page itself says why, in English
    assert page.inner_text("#lockout-message strong") == "Sign-in is paused for this account."
    screenshot(page, "sign-in-locked-en-desktop")
