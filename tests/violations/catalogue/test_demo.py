"""The violations demo: after the licence demo, the whole story of a violation told through the
real services — in Khobar a warning with its deadline and an issued fine with its bill for the
licensed café, a fine awaiting the head's approval for the demo citizen, a fine under objection
in the legal queue, a routine visit planned for today; in Dammam a clean inspection and the
licence sample handed over to violations. A second run writes nothing."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from amanah import clock
from amanah.dates import business_date
from payments.models import Bill
from permits.models import SampleInspection
from violations.enums import (
    Answer,
    InspectionKind,
    InspectionStatus,
    LineStatus,
    NoticeKind,
    ObjectionDecision,
    ObjectionStatus,
    ViolationStatus,
)
from violations.evidence import evidence_digest
from violations.models import Finding, Inspection, Objection, Violation, ViolationItem

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _lines(notice: Violation) -> list[tuple[str, str, Decimal]]:
    return [(x.item_code, x.status, x.amount) for x in notice.lines.order_by("id")]


def test_the_cafe_is_warned_and_fined_by_one_sealed_inspection_and_the_fine_is_billed():
    # when the demo data is seeded
    output = _seed()
    today = business_date(clock.now())
    # then the catalogue is there
    assert ViolationItem.objects.filter(effective_to__isnull=True).count() == 50
    # and the café's inspection was submitted through the service: evidence sealed, a photo
    # for each "no"
    visit = Inspection.objects.get(source_reference="demo:cafe")
    assert (visit.municipality.code, visit.status, visit.establishment.unified_number,
            visit.inspector.username) == ("KHB", InspectionStatus.SUBMITTED, "7002000011",
                                          "khb.inspection.inspector")
    assert visit.evidence_digest == evidence_digest(visit)
    assert sorted(visit.photos.values_list("item_code", flat=True)) == ["HL-002", "HL-006"]
    # and it warned the café (health certificates, 14 days) ...
    warning = Violation.objects.get(inspection=visit, kind=NoticeKind.WARNING)
    assert (warning.status, warning.correction_due) == (ViolationStatus.WARNED,
                                                        today + dt.timedelta(days=14))
    assert _lines(warning) == [("HL-002", LineStatus.WARNED, Decimal("0.00"))]
    # ... and fined it (no uniforms), approved by the head through the case: one FINE bill
    fine = Violation.objects.get(inspection=visit, kind=NoticeKind.FINE)
    assert (fine.status, fine.approved_by.username, fine.approval_case.state.code) == (
        ViolationStatus.ISSUED, "khb.inspection.head", "approved")
    assert _lines(fine) == [("HL-006", LineStatus.PAYABLE, Decimal("750.00"))]
    bill = Bill.objects.get(payable_kind="violation_fine", payable_ref=fine.number)
    assert (bill.amount, bill.status, bill.due_date, bill.payer_establishment_id) == (
        Decimal("750.00"), "unpaid", today + dt.timedelta(days=30), fine.establishment_id)
    assert fine.lines.get().bill_id == bill.pk
    assert "demo:cafe made" in output


def test_the_citizen_s_fine_waits_in_the_head_s_queue_with_no_bill():
    # when the demo data is seeded
    _seed()
    # then the citizen's fine awaits approval: KHB is class 1 (PS-002: 200–1,000), an
    # individual pays 50 % of 1,000
    fine = Violation.objects.get(inspection__source_reference="demo:fine")
    assert fine.municipality.municipality_class == 1
    assert (fine.person.name_en, fine.kind, fine.status, fine.total) == (
        "Abdullah Mohammed Aldossary", NoticeKind.FINE, ViolationStatus.PENDING_APPROVAL,
        Decimal("500.00"))
    assert _lines(fine) == [("PS-002", LineStatus.PROPOSED, Decimal("500.00"))]
    # and its case waits at the approval step of the inspection department
    assert (fine.approval_case.state.code, fine.approval_case.department.code) == (
        "approval", "inspection")
    # and nothing is billed before approval
    assert not Bill.objects.filter(payable_ref=fine.number).exists()


def test_the_contractor_s_fine_is_under_objection_in_the_legal_queue_and_its_bill_withdrawn():
    # when the demo data is seeded
    _seed()
    # then Al Waha's fine was approved and objected to by its representative
    fine = Violation.objects.get(inspection__source_reference="demo:objection")
    assert (fine.establishment.unified_number, fine.status) == ("7001234567",
                                                                ViolationStatus.ISSUED)
    assert _lines(fine) == [("BC-008", LineStatus.OBJECTED, Decimal("15000.00"))]
    objection = Objection.objects.get(violation=fine)
    assert (objection.status, objection.filed_by.username) == (ObjectionStatus.OPEN,
                                                               "1012345672")
    assert list(objection.lines.values_list("decision", flat=True)) == [
        ObjectionDecision.PENDING]
    assert (objection.case.state.code, objection.case.department.code,
            objection.case.municipality.code) == ("review", "legal", "KHB")
    # and the bill for the whole fine is withdrawn while the objection is open
    assert Bill.objects.get(payable_ref=fine.number).status == "cancelled"


def test_a_clean_inspection_a_routine_visit_for_today_and_the_sample_handed_over():
    # when the demo data is seeded
    _seed()
    today = business_date(clock.now())
    # then Dammam's barber shop had a clean inspection, every answer "yes"
    clean = Inspection.objects.get(source_reference="demo:clean")
    assert (clean.municipality.code, clean.status) == ("DMM", InspectionStatus.SUBMITTED)
    assert not clean.violations.exists()
    assert set(Finding.objects.filter(inspection=clean).values_list("answer", flat=True)) == {
        Answer.YES}
    # and the Khobar inspector has a routine visit planned for today
    routine = Inspection.objects.get(source_reference="demo:routine")
    assert (routine.kind, routine.status, routine.planned_for, routine.inspector.username,
            routine.establishment.unified_number) == (
        InspectionKind.ROUTINE, InspectionStatus.PLANNED, today, "khb.inspection.inspector",
        "7010200014")
    # and the licence demo's sample became a planned SAMPLE inspection by its due date
    sample = SampleInspection.objects.get()
    planned = Inspection.objects.get(kind=InspectionKind.SAMPLE)
    assert (sample.status, sample.reference) == ("handed_over", planned.number)
    assert (planned.status, planned.source_reference, planned.planned_for) == (
        InspectionStatus.PLANNED, sample.permit.number, sample.due_by)


def test_seeding_the_demo_again_makes_no_second_record():
    # given the demo seeded once
    _seed()
    counts = (Inspection.objects.count(), Violation.objects.count(), Finding.objects.count(),
              Objection.objects.count(), Bill.objects.count())
    # when it is seeded again
    output = _seed()
    # then nothing new is made and the log says so
    assert (Inspection.objects.count(), Violation.objects.count(), Finding.objects.count(),
            Objection.objects.count(), Bill.objects.count()) == counts
    assert ("demo:cafe kept; demo:fine kept; demo:objection kept; demo:clean kept; "
            "demo:routine kept") in output


def test_a_municipality_with_violations_switched_off_skips_its_stories_and_the_rest_goes_on():
    # given the core demo seeded and "violation" switched off in Khobar by an admin
    from amanah import demo as amanah_demo
    from amanah.enums import RolloutState
    from amanah.models import EServiceRollout

    amanah_demo.seed(log=lambda message: None)
    EServiceRollout.objects.filter(eservice__code="violation", municipality__code="KHB").update(
        state=RolloutState.OFF)
    # when the whole demo is seeded
    output = _seed()
    # then no inspection, notice or bill is left of the Khobar stories
    assert not Inspection.objects.filter(municipality__code="KHB").exists()
    assert not Violation.objects.exists()
    assert not Bill.objects.filter(payable_kind="violation_fine").exists()
    assert ("demo:cafe skipped (violations.not_rolled_out); demo:fine skipped "
            "(violations.not_rolled_out); demo:objection skipped (violations.not_rolled_out); "
            "demo:clean made (clean); demo:routine skipped (violations.not_rolled_out)") in output
    # and Dammam's clean inspection is still made
    assert Inspection.objects.get(source_reference="demo:clean").status == \
        InspectionStatus.SUBMITTED
