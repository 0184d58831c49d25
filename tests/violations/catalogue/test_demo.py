"""The violations demo: after the licence demo, Khobar shows a warning with its deadline to the
licensed café, a fine awaiting approval to the demo citizen, and a clean inspection; a second
run writes nothing."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from amanah import clock
from amanah.dates import business_date
from violations.enums import InspectionStatus, LineStatus, NoticeKind, ViolationStatus
from violations.models import Finding, Inspection, Violation, ViolationItem

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_demo_shows_a_warning_a_fine_and_a_clean_inspection_in_khobar():
    # when the demo data is seeded
    output = _seed()
    # then the catalogue is there
    assert ViolationItem.objects.filter(effective_to__isnull=True).count() == 50
    # and the café has a warning: health certificates, to correct within 14 days
    warning = Violation.objects.get(kind=NoticeKind.WARNING)
    today = business_date(clock.now())
    assert (warning.municipality.code, warning.establishment.unified_number, warning.status,
            warning.correction_due) == ("KHB", "7002000011", ViolationStatus.WARNED,
                                        today + dt.timedelta(days=14))
    assert warning.permit_number  # its valid café licence
    assert [(x.item_code, x.status) for x in warning.lines.all()] == [
        ("HL-002", LineStatus.WARNED)]
    # and the citizen has a fine awaiting approval: KHB is class 1 (PS-002: 200–1,000), an
    # individual pays 50 % of 1,000
    fine = Violation.objects.get(kind=NoticeKind.FINE)
    assert fine.municipality.municipality_class == 1
    assert (fine.person.name_en, fine.status, fine.total) == (
        "Abdullah Mohammed Aldossary", ViolationStatus.PENDING_APPROVAL, Decimal("500.00"))
    assert [(x.item_code, x.status) for x in fine.lines.all()] == [
        ("PS-002", LineStatus.PROPOSED)]
    # and a clean inspection of the café, every answer "yes"
    clean = Inspection.objects.get(source_reference="demo:clean")
    assert clean.status == InspectionStatus.SUBMITTED and not clean.violations.exists()
    assert set(Finding.objects.filter(inspection=clean).values_list("answer", flat=True)) == {
        "yes"}
    assert "demo violations: demo:warning made" in output


def test_seeding_the_demo_again_makes_no_second_record():
    # given the demo seeded once
    _seed()
    counts = (Inspection.objects.count(), Violation.objects.count(), Finding.objects.count())
    # when it is seeded again
    output = _seed()
    # then nothing new is made and the log says so
    assert (Inspection.objects.count(), Violation.objects.count(),
            Finding.objects.count()) == counts
    assert "demo:warning kept; demo:fine kept; demo:clean kept" in output
