"""Filing an objection: who may, which lines, until when, and what it does to the bill at SADAD
(§2: BillUpdated at version + 1 with the reduced AmountDue, or BillExpired when nothing is
left; §3: a payment for the old amount is kept in suspense and marks nothing paid)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from amanah.enums import RolloutState
from amanah.errors import DomainError
from amanah.models import EServiceRollout
from payments.enums import BillStatus, OutboxKind, OutboxStatus, PaymentStatus, SuspenseReason
from payments.models import Bill, Payment, SadadOutbox
from payments.services import outbox_flush
from payments.services.outbox import bill_record_for
from tests.payments.factories import notification, pmt, post
from tests.samples import pdf
from violations.enums import LineStatus, ObjectionDecision, ObjectionStatus
from violations.models import Objection, ObjectionDocument
from violations.services.objections import objection_file
from workflow.models import Case

from .helpers import lines_by_item, objection_world

pytestmark = pytest.mark.django_db

PDF = pdf()


def bill_of(fine) -> Bill:
    return Bill.objects.get(payable_kind="violation_fine", payable_ref=fine.number)


def results_of(response):
    from payments.sadad import wire

    return wire.payment_notification_response_parse(response.content)[2]


def test_objecting_to_one_line_freezes_it_and_sadad_gets_the_reduced_bill(queued):
    # given a fine of 500 (FINE) + 5,000 (SERIOUS) on one bill SADAD accepted
    world, fine = objection_world()
    bill = bill_of(fine)
    assert (bill.amount, bill.version, bill.status) == (Decimal("5500.00"), 1, BillStatus.UNPAID)
    lines = lines_by_item(fine)
    # when the establishment's delegate objects to SERIOUS with a reason and a PDF
    with queued() as tasks:
        objection = objection_file(
            user=world.delegate.user, violation_number=fine.number,
            lines=[(lines["SERIOUS"].pk, "The goods were a private stock, not on sale")],
            documents=[SimpleUploadedFile("invoice.pdf", PDF, "application/pdf")])
    # then the line is frozen and off the bill, the other stays payable on it
    lines = lines_by_item(fine)
    assert (lines["SERIOUS"].status, lines["SERIOUS"].bill_id) == (LineStatus.OBJECTED, None)
    assert (lines["FINE"].status, lines["FINE"].bill_id) == (LineStatus.PAYABLE, bill.pk)
    # and the bill asks for 500 at version 2, sent to SADAD as a BillUpdated
    bill.refresh_from_db()
    assert (bill.amount, bill.version, bill.status) == (Decimal("500.00"), 2, BillStatus.UNPAID)
    upload = SadadOutbox.objects.filter(bill=bill).order_by("-id").first()
    assert (upload.kind, upload.version) == (OutboxKind.BILL_UPDATED, 2)
    # and the objection is open, one line pending, a legal case submitted, the PDF kept
    assert objection.number.startswith("VO-M911-")
    assert objection.status == ObjectionStatus.OPEN
    assert [(x.line.item_code, x.decision, x.reason) for x in objection.lines.all()] == [
        ("SERIOUS", ObjectionDecision.PENDING, "The goods were a private stock, not on sale")]
    case = Case.objects.get(pk=objection.case_id)
    assert (case.definition.code, case.applicant_establishment_id, case.municipality_id) == (
        "violation_objection", world.establishment.pk, world.municipality.pk)
    document = ObjectionDocument.objects.get(objection=objection)
    assert (document.original_name, document.content_type) == ("invoice.pdf", "application/pdf")
    assert ("workflow.case_route", {"case_id": case.pk}) in tasks
    # and SADAD's record says BillUpdated, AmountDue 500.00, Version 2, the same account
    record = bill_record_for(upload)
    assert (record.status_code, record.amount_due, record.version, record.billing_account,
            record.category) == ("BillUpdated", Decimal("500.00"), 2, bill.billing_account,
                                 "FINE")


def test_a_payment_for_the_old_full_amount_lands_in_suspense_and_nothing_is_paid(client):
    # given an objection to SERIOUS, the BillUpdated accepted by SADAD
    world, fine = objection_world()
    lines = lines_by_item(fine)
    objection_file(user=world.delegate.user, violation_number=fine.number,
                   lines=[(lines["SERIOUS"].pk, "not on sale")])
    outbox_flush()
    bill = bill_of(fine)
    assert SadadOutbox.objects.filter(bill=bill, kind=OutboxKind.BILL_UPDATED).get().status \
        == OutboxStatus.ACCEPTED
    # when the bank reports a payment of the old 5,500
    response = post(client, notification([pmt(sptn="SPOBJ1", amount="5500.00",
                                              billing_account=bill.billing_account)]))
    # then it is kept in suspense (overpaid: the bill now asks for 500)
    assert response.status_code == 200
    assert results_of(response) == [("SPOBJ1", "SUSPENSE")]
    payment = Payment.objects.get(sptn="SPOBJ1")
    assert (payment.status, payment.suspense_reason) == (PaymentStatus.SUSPENSE,
                                                         SuspenseReason.OVERPAID)
    # and nothing is paid: the bill is unpaid, the lines as they were
    bill.refresh_from_db()
    assert (bill.status, bill.amount_paid) == (BillStatus.UNPAID, Decimal("0.00"))
    assert {x.item_code: x.status for x in fine.lines.all()} == {
        "FINE": LineStatus.PAYABLE, "SERIOUS": LineStatus.OBJECTED}


def test_objecting_to_every_line_withdraws_the_bill_and_a_payment_goes_to_suspense(client):
    # given a fine with one line, its bill accepted by SADAD
    world, fine = objection_world(no=("FINE",))
    bill = bill_of(fine)
    line = fine.lines.get()
    # when the delegate objects to it
    objection_file(user=world.delegate.user, violation_number=fine.number,
                   lines=[(line.pk, "the goods were inside the shop")])
    # then SADAD is asked to stop taking payments (BillExpired, same version)
    bill.refresh_from_db()
    assert bill.cancel_requested_at is not None and bill.amount == Decimal("500.00")
    upload = SadadOutbox.objects.filter(bill=bill).order_by("-id").first()
    assert (upload.kind, upload.version) == (OutboxKind.BILL_EXPIRED, 1)
    # and once SADAD accepted it the bill is cancelled
    outbox_flush()
    bill.refresh_from_db()
    assert bill.status == BillStatus.CANCELLED
    # when a payment for the full amount arrives anyway
    response = post(client, notification([pmt(sptn="SPOBJ2", amount="500.00",
                                              billing_account=bill.billing_account)]))
    # then it is held as "bill not payable" and the line stays objected
    assert results_of(response) == [("SPOBJ2", "SUSPENSE")]
    assert Payment.objects.get(sptn="SPOBJ2").suspense_reason == SuspenseReason.NOT_PAYABLE
    assert fine.lines.get().status == LineStatus.OBJECTED


def _refused(world, fine, *, user=None, lines=None, documents=(), number=None) -> DomainError:
    bill = bill_of(fine)
    before = (bill.amount, bill.version, SadadOutbox.objects.count(),
              sorted(fine.lines.values_list("status", flat=True)), Case.objects.count())
    with pytest.raises(DomainError) as refused:
        objection_file(user=user or world.delegate.user, violation_number=number or fine.number,
                       lines=lines, documents=documents)
    bill.refresh_from_db()
    # nothing changed: no objection, no case, the bill and lines as they were
    assert Objection.objects.count() == 0
    assert (bill.amount, bill.version, SadadOutbox.objects.count(),
            sorted(fine.lines.values_list("status", flat=True)),
            Case.objects.count()) == before
    return refused.value


def test_a_late_objection_is_refused_with_the_due_date_in_both_calendars(clock):
    world, fine = objection_world()
    line = lines_by_item(fine)["SERIOUS"]  # 10 days to object
    clock.set(clock.now() + dt.timedelta(days=11))
    error = _refused(world, fine, lines=[(line.pk, "late")])
    assert error.code == "violations.objection_late"
    from amanah.dates import dual_date_format

    assert dual_date_format(line.objection_due, "en") in error.message_en
    assert dual_date_format(line.objection_due, "ar") in error.message_ar


def test_the_last_day_is_still_in_time(clock):
    world, fine = objection_world()
    line = lines_by_item(fine)["SERIOUS"]
    clock.set(clock.now() + dt.timedelta(days=10))
    objection = objection_file(user=world.delegate.user, violation_number=fine.number,
                               lines=[(line.pk, "in time")])
    assert objection.status == ObjectionStatus.OPEN


@pytest.mark.parametrize("who", ["outsider", "citizen", "inspector", "legal_head"])
def test_only_the_offender_may_object_others_are_told_no_such_violation(who):
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    user = getattr(world, who)
    error = _refused(world, fine, user=getattr(user, "user", user), lines=[(line.pk, "x")])
    assert error.code == "violations.not_found"


def test_an_unknown_number_is_no_such_violation():
    world, fine = objection_world()
    error = _refused(world, fine, number="V-M911-1448-999999",
                     lines=[(fine.lines.first().pk, "x")])
    assert error.code == "violations.not_found"


@pytest.mark.parametrize(("reason", "code"), [
    ("", "violations.objection_reason_required"),
    ("   ", "violations.objection_reason_required"),
    ("x" * 2001, "violations.objection_reason_too_long"),
])
def test_each_line_needs_a_reason_of_at_most_2000_characters(reason, code):
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    error = _refused(world, fine, lines=[(line.pk, reason)])
    assert (error.code, error.field) == (code, f"reason_{line.pk}")


def test_no_lines_is_refused():
    world, fine = objection_world()
    assert _refused(world, fine, lines=[]).code == "violations.objection_lines_required"


def test_a_line_of_another_notice_is_refused():
    world, fine = objection_world()
    from tests.violations.factories import fine_issued_make

    other = fine_issued_make(world, no=("FINE",))
    error = _refused(world, fine, lines=[(other.lines.get().pk, "x")])
    assert error.code == "violations.objection_line_unknown"


def test_an_item_that_may_not_be_objected_to_is_refused():
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    line.item.objectionable = False
    line.item.save(update_fields=["objectionable"])
    assert _refused(world, fine, lines=[(line.pk, "x")]).code == "violations.not_objectionable"


def test_a_line_already_under_objection_is_refused():
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    objection_file(user=world.delegate.user, violation_number=fine.number, lines=[(line.pk, "one")])
    before = Objection.objects.count()
    with pytest.raises(DomainError) as refused:
        objection_file(user=world.delegate.user, violation_number=fine.number,
                       lines=[(line.pk, "again")])
    assert refused.value.code == "violations.objection_open"
    assert Objection.objects.count() == before


def test_objecting_where_the_objection_service_is_off_is_refused():
    world, fine = objection_world()
    EServiceRollout.objects.filter(eservice=world.objection_eservice,
                                   municipality=world.municipality).update(
        state=RolloutState.OFF)
    line = lines_by_item(fine)["FINE"]
    error = _refused(world, fine, lines=[(line.pk, "x")])
    assert error.field == "lines"


def test_a_document_that_is_not_a_pdf_or_image_is_refused_next_to_documents():
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    error = _refused(world, fine, lines=[(line.pk, "x")], documents=[
        SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")])
    assert (error.code, error.field) == ("upload.type_not_allowed", "documents")


def test_more_than_ten_documents_are_refused():
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    error = _refused(world, fine, lines=[(line.pk, "x")], documents=[
        SimpleUploadedFile(f"p{i}.pdf", PDF, "application/pdf") for i in range(11)])
    assert (error.code, error.field) == ("violations.objection_documents_too_many", "documents")


def test_a_person_fined_objects_as_the_applicant_of_the_case():
    world, fine = objection_world(offender="person")
    line = lines_by_item(fine)["FINE"]
    objection = objection_file(user=world.citizen.user, violation_number=fine.number,
                               lines=[(line.pk, "not mine")])
    case = Case.objects.get(pk=objection.case_id)
    assert (case.applicant_person_id, case.applicant_establishment_id) == (world.citizen.pk, None)
