"""The notice: the fine's PDF (made once, stored privately) and the SMS, each sent once, in
the recipient's language."""

import pytest

from amanah.notifications import LocmemSmsBackend
from payments.models import Bill
from tests.factories import CitizenFactory
from violations.enums import ViolationEventKind
from violations.models import Violation
from violations.notice import notice_html, notice_send, receipt_send, warning_send

from ..factories import fine_approved_make, submitted_inspection_make, violations_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    return lambda: [(m.to, m.body) for m in LocmemSmsBackend.outbox]


def test_the_fine_notice_pdf_is_made_once_and_the_sms_sent_once(sms):
    # given an approved fine of the establishment (its delegate has a mobile, in English)
    world = violations_world()
    world.delegate.language = "en"
    world.delegate.save(update_fields=["language"])
    fine = fine_approved_make(world, no=("FINE", "SERIOUS"))
    bill = Bill.objects.get(payable_ref=fine.number)
    # when the notice task runs twice
    notice_send(violation_id=fine.pk)
    first_pdf = Violation.objects.get(pk=fine.pk).notice_pdf.name
    notice_send(violation_id=fine.pk)
    # then one PDF, one SMS with the amount, SADAD biller and bill number
    fine = Violation.objects.get(pk=fine.pk)
    assert fine.notice_pdf.name == first_pdf and fine.notice_sent_at is not None
    assert fine.notice_pdf.read()[:5] == b"%PDF-"
    sent = sms()
    assert len(sent) == 1
    to, body = sent[0]
    assert to == world.delegate.mobile
    assert fine.number in body and bill.billing_account in body and "SAR 5,500.00" in body
    assert fine.events.filter(kind=ViolationEventKind.NOTICE_SENT).count() == 2  # pdf + sms


def test_the_notice_prints_items_computation_total_sadad_and_the_verify_qr():
    world = violations_world()
    fine = fine_approved_make(world, no=("FINE", "SERIOUS"))
    bill = Bill.objects.get(payable_ref=fine.number)
    html = notice_html(fine)
    for text in (fine.number, "Goods displayed on the pavement", "Expired food on sale",
                 "SAR 5,500.00", bill.billing_account, "Fine notice", "SADAD biller code",
                 f"/ar/violations/verify/{fine.verify_token}/", "data:image/svg+xml"):
        assert text in html
    # and each line's computation is written in Arabic and in English
    assert "منشأة صغيرة 50.00٪ ← 500.00" in html
    assert "small 50.00% → 500.00" in html


def test_a_warning_sms_names_the_items_and_the_deadline_once(sms):
    world = violations_world()
    _, (warning,) = submitted_inspection_make(world, no=("WARN",))
    assert warning_send(violation_id=warning.pk) == 1
    assert warning_send(violation_id=warning.pk) == 0
    ((to, body),) = sms()
    assert to == world.delegate.mobile
    assert warning.number in body and "عدم نظافة الواجهة" in body


def test_the_receipt_sms_is_sent_once_per_bill(sms):
    world = violations_world()
    fine = fine_approved_make(world)
    bill = Bill.objects.get(payable_ref=fine.number)
    assert receipt_send(violation_id=fine.pk, bill_id=bill.pk) == 1
    assert receipt_send(violation_id=fine.pk, bill_id=bill.pk) == 0
    assert len(sms()) == 1


def test_a_person_without_a_mobile_gets_nothing():
    world = violations_world()
    citizen = CitizenFactory()
    citizen.mobile = ""
    citizen.save(update_fields=["mobile"])
    world.citizen = citizen
    fine = fine_approved_make(world, offender="person")
    notice_send(violation_id=fine.pk)
    assert Violation.objects.get(pk=fine.pk).notice_sent_at is not None


def test_the_sweepers_send_what_lost_tasks_did_not(sms, clock):
    from violations.tasks_approval import notice_sweep, warning_sweep

    # given an approved fine and a warning whose tasks were lost
    world = violations_world()
    fine = fine_approved_make(world)
    _, (warning,) = submitted_inspection_make(world, no=("WARN",))
    # when the sweepers run ten minutes later, twice
    clock.advance(minutes=10)
    assert (notice_sweep(), warning_sweep()) == (1, 1)
    assert (notice_sweep(), warning_sweep()) == (0, 0)
    # then the notice is made and sent, and the warning sent, once each
    fine = Violation.objects.get(pk=fine.pk)
    assert fine.notice_pdf and fine.notice_sent_at is not None
    assert len(sms()) == 2
    assert warning.events.filter(kind=ViolationEventKind.WARNING_SENT).count() == 1
