"""The workflow in a real browser: customer service claims a letter and refers it (إحالة) to
engineering, whose reviewer answers it; the citizen follows it on their timeline."""

import pytest

from amanah.enums import StaffRole
from amanah.models import Department, User
from tests.e2e.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD
from tests.workflow.factories import case_new, world_build
from workflow.demo import _DEPARTMENT_NAMES
from workflow.enums import StatusCategory
from workflow.models import Case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
# Any two elements of the case page's main blocks that overlap on screen.
OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll(
      '.wf-facts > div, .wf-facts dt, .wf-facts dd, .wf-event, .wf-event-title, ' +
      '.wf-event-meta, .wf-action, .wf-documents li, .wf-table-wrap, .wf-tabs, .wf-filters .field')]
    .map(e => [e, e.getBoundingClientRect()]).filter(([, r]) => r.width && r.height);
  const hits = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, ra] = boxes[i], [b, rb] = boxes[j];
    if (a.contains(b) || b.contains(a)) continue;
    const apart = ra.right - 1 <= rb.left || rb.right - 1 <= ra.left
      || ra.bottom - 1 <= rb.top || rb.bottom - 1 <= ra.top;
    if (!apart) hits.push(a.className + ' × ' + b.className);
  }
  return hits;
}"""


def _demo_world():
    world = world_build()
    for code, (name_ar, name_en) in _DEPARTMENT_NAMES.items():
        Department.objects.filter(code=code).update(name_ar=name_ar, name_en=name_en)
    Department.objects.filter(code="customer_service").update(name_ar="خدمة العملاء",
                                                              name_en="Customer Service")
    names = {("customer_service", StaffRole.CLERK): ("خالد", "العتيبي"),
             ("engineering", StaffRole.REVIEWER): ("نورة", "الدوسري")}
    staff = {}
    for (department, role), (first, last) in names.items():
        user = world.staff(department, role)
        User.objects.filter(pk=user.pk).update(first_name=first, last_name=last)
        staff[department] = user
    return world, staff


def _signed_in(browser, live_server, username: str, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    browser_sign_in(page, live_server, username, DEFAULT_PASSWORD)
    return context, page


def _check_layout(page):
    page.evaluate("document.fonts.ready")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.evaluate(NO_SIDEWAYS_SCROLL) is True
    assert page.evaluate(OVERLAPS) == []


def test_staff_claim_transfer_and_approve_and_the_citizen_sees_the_timeline(
        browser, live_server, screenshot):
    # given a citizen's letter routed to customer service in Khobar
    world, staff = _demo_world()
    case = case_new(world, subject="طلب إفادة عن مخطط أرض سكنية في حي الراكة")
    customer_service = world.department("customer_service")

    # when the customer service clerk opens the queue and the case
    context, page = _signed_in(browser, live_server, staff["customer_service"].username)
    page.goto(f"{live_server.url}/ar/transactions/queue/{customer_service.pk}/")
    assert page.inner_text("h1") == "قائمة عمل خدمة العملاء"
    assert page.locator(".wf-table tbody tr").count() == 1
    _check_layout(page)
    screenshot(page, "workflow-queue-ar")
    page.click(f"text={case.number}")
    assert page.inner_text("h1") == case.subject
    _check_layout(page)
    screenshot(page, "workflow-case-staff-ar")
    # and claims it
    with page.expect_navigation():
        page.click("#claim-form button")
    assert page.inner_text(".messages") == "أصبحت المعاملة مسندة إليك."
    # and refers it to engineering without a note first: refused next to the note
    page.select_option("#id_department", "engineering")
    with page.expect_navigation():
        page.click("#transfer-form button")
    assert page.inner_text("#transfer-note-error") == "سبب الإحالة مطلوب لهذا الإجراء."
    _check_layout(page)
    screenshot(page, "workflow-case-staff-error-ar")
    # then with the note
    page.select_option("#id_department", "engineering")
    page.fill("#id_note", "الطلب من اختصاص الإدارة الهندسية")
    with page.expect_navigation():
        page.click("#transfer-form button")
    assert page.url == f"{live_server.url}/ar/transactions/queue/{customer_service.pk}/"
    assert page.inner_text(".messages") == "أُحيلت المعاملة إلى الإدارة الأخرى."
    context.close()

    # when the engineering reviewer answers it with a comment
    context, page = _signed_in(browser, live_server, staff["engineering"].username)
    page.goto(f"{live_server.url}/ar/transactions/cases/{case.pk}/")
    page.fill("#id_comment_answer", "تمت دراسة الطلب، والمخطط معتمد وفق الاشتراطات.")
    with page.expect_navigation():
        page.click("form[data-action=answer] button[type=submit]")
    # (the answered letter goes back to customer service, so the reviewer returns to their queue)
    assert page.url == (f"{live_server.url}/ar/transactions/queue/"
                        f"{world.department('engineering').pk}/")
    assert page.inner_text(".messages") == "تم: حُدّثت المعاملة."
    context.close()
    assert Case.objects.get(pk=case.pk).category == StatusCategory.APPROVED

    # then the citizen sees the whole story in plain words, in Arabic then English
    context, page = _signed_in(browser, live_server, world.applicant.national_id)
    page.goto(f"{live_server.url}/ar/transactions/mine/")
    assert page.locator(".wf-card").count() == 1
    _check_layout(page)
    screenshot(page, "workflow-my-cases-ar")
    page.click(".wf-card a")
    titles = page.locator(".wf-event-title").all_inner_texts()
    assert titles == ["قُدّمت المعاملة", "وُجّهت إلى خدمة العملاء",
                      "أُحيلت من خدمة العملاء إلى إدارة رخص البناء والشؤون الهندسية",
                      "الإفادة والاعتماد — الحالة الآن: تمت الإفادة"]
    assert "تمت دراسة الطلب" in page.inner_text(".wf-timeline")
    assert "نورة" not in page.inner_text("main")
    _check_layout(page)
    screenshot(page, "workflow-my-case-ar")
    page.click("a.lang-switch")
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.locator(".wf-event-title").all_inner_texts()[-1] == \
        "Answer and approve — now: Answered"
    assert page.evaluate(NO_SIDEWAYS_SCROLL) is True
    screenshot(page, "workflow-my-case-en")
    context.close()


def test_the_case_page_and_status_check_fit_a_phone(browser, live_server, screenshot):
    world, staff = _demo_world()
    case = case_new(world, subject="بلاغ عن إنارة معطلة في شارع الأمير تركي")
    phone = {"width": 390, "height": 844}
    context, page = _signed_in(browser, live_server, staff["customer_service"].username,
                               viewport=phone)
    page.goto(f"{live_server.url}/ar/transactions/queue/{case.department_id}/")
    _check_layout(page)
    screenshot(page, "workflow-queue-ar-mobile")
    page.goto(f"{live_server.url}/ar/transactions/cases/{case.pk}/")
    _check_layout(page)
    screenshot(page, "workflow-case-staff-ar-mobile")
    context.close()
    # anyone checks the status with the number and the applicant's ID
    context = browser.new_context(viewport=phone)
    page = context.new_page()
    page.goto(f"{live_server.url}/ar/transactions/status/")
    page.fill("#id_number", case.number)
    page.fill("#id_national_id", world.applicant.national_id)
    with page.expect_navigation():
        page.click("form.form-card button[type=submit]")
    assert page.inner_text(".wf-result .wf-state") == "قيد الدراسة"
    _check_layout(page)
    screenshot(page, "workflow-status-check-ar-mobile")
    context.close()


def test_the_analytics_page_draws_its_chart_in_arabic(browser, live_server, screenshot, clock):
    import datetime as dt

    from amanah.services import staff_membership_grant
    from tests.factories import StaffUserFactory
    from workflow.services import case_transition

    # given answered, returned and open letters, and an admin
    world, staff = _demo_world()
    clock.set(dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.UTC))
    for n in range(3):
        case = case_new(world, subject=f"خطاب {n}")
        clock.advance(hours=5 + 7 * n)
        if n == 0:
            case_transition(case_id=case.pk, action="answer", comment="تم",
                            actor=world.staff("customer_service", StaffRole.REVIEWER))
        if n == 1:
            case_transition(case_id=case.pk, action="return_to_applicant", comment="ناقص",
                            actor=staff["customer_service"])
    admin = StaffUserFactory(username="epa.admin")
    staff_membership_grant(user=admin, role=StaffRole.ADMIN,
                           department=world.department("finance", world.amanah))
    # when the admin opens the analytics page
    context, page = _signed_in(browser, live_server, admin.username)
    page.goto(f"{live_server.url}/ar/transactions/analytics/")
    page.select_option("#id_definition",
                       str(world.versions["general_correspondence"].definition_id))
    with page.expect_navigation():
        page.click(".wf-filters button[type=submit]")
    # then the figures and the server-drawn chart are there, right to left, nothing overlapping
    assert page.inner_text("h1") == "تحليلات الإجراءات"
    assert page.locator("#chart-states-title").count() == 1
    assert page.locator(".wf-bar-median").count() >= 2
    _check_layout(page)
    screenshot(page, "workflow-analytics-ar")
    context.close()
