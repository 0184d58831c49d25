"""Issue 11 walked in Chromium, in Arabic on a 360 px phone and in English on a desktop: an
inspector records a violation with a photo for each of two fined items → the head of
inspection approves it → the establishment's delegate objects to one item → the legal
department rejects the objection → the delegate pays the bill through the simulated SADAD and
gets the receipt, the notice settled. Every step goes through the pages; what a worker would do
(the approval decision, the objection settle, SADAD's registration) runs as Celery tasks, eagerly
here. The notice's PDF is also drawn to PNG, in both languages, for people to look at."""

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import pytest

from payments.enums import BillStatus
from payments.models import Bill, Payment, Receipt
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_permits_review_pages import NO_SIDEWAYS_SCROLL, PHONE
from tests.factories import DEFAULT_PASSWORD
from tests.violations.factories import procedures_make, violations_world
from violations.enums import LineStatus, ObjectionStatus, ViolationStatus
from violations.models import Inspection, Objection, Violation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


def _photo_png(colour: tuple[int, int, int]) -> bytes:
    """A small real photo-like PNG (160×120), so that it shows in the screenshots."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (160, 120), colour)
    ImageDraw.Draw(image).rectangle((40, 30, 120, 90), outline=(255, 255, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def world(settings, tmp_path, clock):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = tmp_path / "media"
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    world = violations_world()
    procedures_make(world)  # the approval and objection procedures, published as an admin would
    return world


@pytest.fixture
def tabs(browser):
    """tabs(viewport) → a fresh page in its own browser context (one per person signed in)."""
    contexts = []

    def _tab(viewport: str):
        options = ({"viewport": PHONE, "is_mobile": True, "has_touch": True,
                    "device_scale_factor": 2} if viewport == "360" else {"viewport": DESKTOP})
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield _tab
    for context in contexts:
        context.close()


def _fits(tab) -> None:
    """No sideways scroll: on a phone the layout may widen itself to fit a too-wide table
    (innerWidth grows with it), so the page is also held to the device's own width."""
    assert tab.evaluate(NO_SIDEWAYS_SCROLL) is True, tab.url
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= tab.viewport_size["width"], (tab.url, width)


def _go(tab, url: str) -> None:
    tab.goto(url)
    _fits(tab)


def _click(tab, selector: str) -> None:
    with tab.expect_navigation():
        tab.click(selector)
    _fits(tab)


def _loaded(img) -> None:
    """The image is scrolled to (it may load lazily) and has loaded: a 160 px wide photo.
    (The pages' CSP forbids eval, so it is polled rather than waited for in the page.)"""
    img.scroll_into_view_if_needed()
    for _ in range(50):
        if img.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        img.page.wait_for_timeout(100)
    assert img.evaluate("img => img.naturalWidth") == 160


@pytest.mark.parametrize("language, viewport", [("ar", "360"), ("en", "desktop")])
def test_an_inspector_records_a_fine_that_is_approved_objected_to_rejected_and_paid(
        world, live_server, sign_in, screenshot, tabs, clock, language, viewport):
    shot = f"{language}-{viewport}"
    base = f"{live_server.url}/{language}/violations"

    # 1. the inspector opens "Inspections" from the menu and records a new inspection of the
    # establishment by its unified number
    inspector = tabs(viewport)
    sign_in(inspector, world.inspector.username, DEFAULT_PASSWORD, language)
    _go(inspector, f"{live_server.url}/{language}/")
    menu_link = inspector.locator("a[href$='/violations/inspections/']")
    assert menu_link.count() >= 1
    _go(inspector, f"{base}/inspections/")
    screenshot(inspector, f"violations-01-inspector-day-{shot}")
    _click(inspector, "a[href$='/violations/inspections/new/']")
    inspector.check("input[name=offender_kind][value=establishment]")
    inspector.fill("#id_unified_number", world.establishment.unified_number)
    inspector.fill("#id_place_description", "محل تجاري على الشارع العام")
    inspector.fill("#id_district", "north")
    inspector.fill("#id_latitude", "26.250000")
    inspector.fill("#id_longitude", "50.150000")
    screenshot(inspector, f"violations-02-new-inspection-{shot}")
    _click(inspector, "form.form-card button[type=submit]")
    inspection = Inspection.objects.get()
    assert inspector.url.endswith(f"/violations/inspections/{inspection.number}/")
    # the checklist: "no" to FINE and SERIOUS, each with its photo; "yes" to WARN
    questions = {q.item_code: q for q in inspection.checklist.questions.all()}
    colours = {"FINE": (200, 120, 40), "SERIOUS": (160, 30, 30)}
    for code, question in questions.items():
        answer = "no" if code in colours else "yes"
        inspector.check(f"input[name=answer_{question.pk}][value={answer}]")
        if code in colours:
            inspector.fill(f"#id_note_{question.pk}", f"{code}: وُجد أثناء الجولة")
            inspector.set_input_files(f"#id_photo_{question.pk}", files=[{
                "name": f"{code.lower()}.png", "mimeType": "image/png",
                "buffer": _photo_png(colours[code])}])
    screenshot(inspector, f"violations-03-checklist-{shot}")
    _click(inspector, "button[name=action][value=review]")
    assert inspection.photos.count() == 2
    assert set(inspection.photos.values_list("item_code", flat=True)) == {"FINE", "SERIOUS"}
    confirm = inspector.inner_text("#confirm-form")
    assert "500.00" in confirm and "5,000.00" in confirm
    screenshot(inspector, f"violations-04-review-{shot}")
    _click(inspector, "#confirm-form button[type=submit]")
    fine = Violation.objects.get(kind="fine")
    assert (fine.status, fine.total) == (ViolationStatus.PENDING_APPROVAL, Decimal("5500.00"))
    assert not Violation.objects.filter(kind="warning").exists()
    assert Bill.objects.count() == 0  # no bill before approval
    recorded = inspector.inner_text("#recorded")
    assert fine.number in recorded
    assert ("بانتظار الاعتماد" if language == "ar" else "awaiting approval") in recorded
    screenshot(inspector, f"violations-05-submitted-{shot}")

    # 2. the head of inspection opens "Fines awaiting approval", sees the photos, approves
    approver = tabs(viewport)
    sign_in(approver, world.approver.username, DEFAULT_PASSWORD, language)
    _go(approver, f"{base}/approvals/")
    assert fine.number in approver.inner_text("main")
    screenshot(approver, f"violations-06-approvals-{shot}")
    _click(approver, f"a[href$='/violations/approvals/{fine.number}/']")
    photos = approver.locator("main img")
    assert photos.count() == 2
    for i in range(2):
        _loaded(photos.nth(i))
    approver.check("input[name=decision][value=approve]")
    approver.fill("textarea[name=comment]", "ثابتة بالصور — confirmed by the photos")
    screenshot(approver, f"violations-07-approve-{shot}")
    _click(approver, "main form button[type=submit]")
    fine.refresh_from_db()
    assert fine.status == ViolationStatus.ISSUED
    bill = Bill.objects.get()
    assert (bill.amount, bill.status, bill.payable_ref) == (
        Decimal("5500.00"), BillStatus.UNPAID, fine.number)
    screenshot(approver, f"violations-08-approved-{shot}")

    # 3. the delegate opens "My violations", the notice (items, computation, the bill), and
    # objects to the FINE item only
    delegate = tabs(viewport)
    sign_in(delegate, world.delegate.national_id, DEFAULT_PASSWORD, language)
    _go(delegate, f"{base}/mine/")
    assert fine.number in delegate.inner_text("main")
    # its Pay button is on the screen, not off to the side of a wide table
    pay_box = delegate.locator(f"main a[href$='/payments/bills/{bill.billing_account}/']"
                               ).first.bounding_box()
    assert 0 <= pay_box["x"] and pay_box["x"] + pay_box["width"] <= \
        delegate.viewport_size["width"], pay_box
    screenshot(delegate, f"violations-09-mine-{shot}")
    _click(delegate, f"main a[href$='/violations/{fine.number}/']")
    notice = delegate.inner_text("main")
    assert "FINE" in notice and "SERIOUS" in notice
    assert bill.billing_account in notice and "5,500.00" in notice
    assert delegate.locator("section[aria-labelledby=bills] td").first.inner_text() == "090"
    # the offender sees both photos (loaded lazily, so each is scrolled to first)
    offender_photos = delegate.locator("section[aria-labelledby=photos] img")
    assert offender_photos.count() == 2
    for i in range(2):
        _loaded(offender_photos.nth(i))
    screenshot(delegate, f"violations-10-notice-{shot}")
    object_button = delegate.locator(f"main a[href$='/violations/{fine.number}/object/']")
    assert object_button.inner_text() == ("تقديم اعتراض" if language == "ar"
                                          else "File an objection")
    _click(delegate, f"main a[href$='/violations/{fine.number}/object/']")
    lines = {line.item_code: line for line in fine.lines.all()}
    # the reason is asked for, not marked optional: it is required for a checked item
    assert delegate.locator(f"label[for=id_reason_{lines['FINE'].pk}] .optional").count() == 0
    delegate.check(f"#id_object_{lines['FINE'].pk}")
    delegate.fill(f"#id_reason_{lines['FINE'].pk}",
                  "البضائع كانت تُنقل إلى المستودع وقت الجولة")
    screenshot(delegate, f"violations-11-object-{shot}")
    _click(delegate, "form.form-card button[type=submit]")
    objection = Objection.objects.get()
    assert objection.status != ObjectionStatus.DECIDED
    bill.refresh_from_db()
    assert (bill.amount, bill.version) == (Decimal("5000.00"), 2)  # the FINE item taken off
    _go(delegate, f"{base}/{fine.number}/")
    assert "5,000.00" in delegate.inner_text("section[aria-labelledby=bills]")
    screenshot(delegate, f"violations-12-objected-{shot}")

    # 4. three days later, the legal reviewer opens "Objections to violations", rejects the
    # line and takes the decide step
    clock.advance(days=3)
    legal = tabs(viewport)
    sign_in(legal, world.legal_reviewer.username, DEFAULT_PASSWORD, language)
    _go(legal, f"{base}/objections/")
    assert objection.number in legal.inner_text("main")
    screenshot(legal, f"violations-13-objections-{shot}")
    _click(legal, f"a[href$='/violations/objections/{objection.number}/review/']")
    row = objection.lines.get()
    legal.check(f"input[name=l{row.pk}-decision][value=rejected]")
    legal.fill(f"#id_l{row.pk}-note", "الصور تثبت عرض البضائع على الرصيف")
    screenshot(legal, f"violations-14-decide-line-{shot}")
    _click(legal, "section.objection-line form button[type=submit]")
    legal.fill("#id_comment", "رُفض الاعتراض: الصور تثبت المخالفة")
    _click(legal, "form:has(input[name=action][value=decide]) button[type=submit]")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DECIDED
    screenshot(legal, f"violations-15-decided-{shot}")
    bill.refresh_from_db()
    # the bill is back to the whole fine, due 30 days from the decision (it was 31 December)
    assert (bill.amount, bill.due_date) == (Decimal("5500.00"), dt.date(2027, 1, 3))
    assert Violation.objects.get(pk=fine.pk).lines.get(item_code="FINE").status \
        == LineStatus.PAYABLE
    # the delegate comes back (three days on, their earlier session has expired)
    sign_in(delegate, world.delegate.national_id, DEFAULT_PASSWORD, language)
    _go(delegate, f"{base}/{fine.number}/")
    bills_text = delegate.inner_text("section[aria-labelledby=bills]")
    assert "5,500.00" in bills_text
    assert ("3 يناير 2027" if language == "ar" else "3 January 2027") in bills_text
    screenshot(delegate, f"violations-16-payable-again-{shot}")

    # 5. the delegate pays the bill with the simulated bank and gets the receipt
    _click(delegate, f"a[href$='/payments/bills/{bill.billing_account}/']")
    screenshot(delegate, f"violations-17-bill-{shot}")
    _click(delegate, "form.demo-pay button[type=submit]")
    payment = Payment.objects.get(bill=bill)
    receipt = Receipt.objects.get(payment=payment)
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    screenshot(delegate, f"violations-18-paid-{shot}")
    link = delegate.locator(f"a[href$='/receipts/{receipt.number}/pdf/']")
    response = delegate.request.get(f"{live_server.url}{link.first.get_attribute('href')}")
    assert (response.status, response.body()[:5]) == (200, b"%PDF-")
    fine.refresh_from_db()
    assert fine.status == ViolationStatus.SETTLED
    _go(delegate, f"{base}/{fine.number}/")
    assert delegate.inner_text("main p.status") == ("مسوّاة" if language == "ar" else "Settled")
    screenshot(delegate, f"violations-19-settled-{shot}")

    # the notice's PDF, drawn to PNG for people to look at
    pdf = delegate.request.get(f"{base}/notice/{fine.number}/pdf/")
    assert (pdf.status, pdf.body()[:5]) == (200, b"%PDF-")
    if shutil.which("pdftoppm"):
        path = SCREENSHOTS / f"violations-20-notice-pdf-{shot}.pdf"
        path.write_bytes(pdf.body())
        subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", str(path),
                        str(SCREENSHOTS / f"violations-20-notice-pdf-{shot}")], check=True)
        path.unlink()
