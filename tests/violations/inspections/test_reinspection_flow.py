"""The flow the issue asks for: a warning, its deadline, a re-inspection planned by itself,
and then either a fine escalated from the warning ("no") or the warning closed ("yes")."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.dates import RIYADH
from tests.violations.factories import violations_world
from violations.enums import (
    InspectionKind,
    InspectionStatus,
    LineStatus,
    NoticeKind,
    OffenderKind,
    ViolationEventKind,
    ViolationStatus,
)
from violations.models import Inspection, Violation, ViolationLine
from violations.planning import reinspections_plan
from violations.services.inspections import inspection_open, inspection_start, inspection_submit

from .helpers import answer_all

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 12, 2, 9, 0, tzinfo=RIYADH)


def _warned(world):
    """An inspection found the shop front dirty (WARN, 7 days to correct): a warning."""
    inspection, _ = inspection_open(
        actor=world.inspector, municipality=world.municipality, checklist_code="general",
        offender_kind=OffenderKind.ESTABLISHMENT,
        unified_number=world.establishment.unified_number)
    answer_all(inspection, world.inspector, no=("WARN",))
    (warning,) = inspection_submit(inspection_id=inspection.pk, actor=world.inspector)
    return warning


def _reinspection_due(clock, world):
    clock.set(MORNING)
    warning = _warned(world)
    assert (warning.kind, warning.status, warning.correction_due) == (
        NoticeKind.WARNING, ViolationStatus.WARNED, dt.date(2026, 12, 9))
    # before the deadline nothing is planned
    clock.set(MORNING + dt.timedelta(days=6))
    assert reinspections_plan() == 0
    # on the deadline the re-inspection is planned, once
    clock.set(MORNING + dt.timedelta(days=7))
    assert reinspections_plan() == 1
    assert reinspections_plan() == 0
    planned = Inspection.objects.get(kind=InspectionKind.REINSPECTION)
    return warning, planned


def test_an_uncorrected_warning_becomes_a_fine_awaiting_approval(clock):
    world = violations_world()
    warning, planned = _reinspection_due(clock, world)
    # then the re-inspection asks only the warned item, on the deadline, of the same inspector
    assert (planned.status, planned.follows_notice, planned.only_item_codes,
            planned.planned_for, planned.inspector, planned.offender_key) == (
        InspectionStatus.PLANNED, warning, ["WARN"], dt.date(2026, 12, 9), world.inspector,
        warning.offender_key)
    assert warning.events.filter(kind=ViolationEventKind.REINSPECTION_PLANNED).get().payload[
        "inspection"] == planned.number
    # when the inspector starts it and finds the front still dirty
    inspection_start(inspection_id=planned.pk, actor=world.inspector)
    answer_all(planned, world.inspector, no=("WARN",))
    notices = inspection_submit(inspection_id=planned.pk, actor=world.inspector)
    # then a fine awaiting approval, its line escalated from the warning's
    (fine,) = notices
    assert (fine.kind, fine.status, fine.total) == (
        NoticeKind.FINE, ViolationStatus.PENDING_APPROVAL, Decimal("1000.00"))
    fine_line = fine.lines.get()
    warning_line = ViolationLine.objects.get(violation=warning)
    assert (fine_line.item_code, fine_line.status) == ("WARN", LineStatus.PROPOSED)
    assert (warning_line.status, warning_line.escalated_to) == (LineStatus.UNCORRECTED,
                                                                fine_line)
    # and the warning is closed
    assert Violation.objects.get(pk=warning.pk).status == ViolationStatus.CLOSED


def test_a_corrected_warning_is_closed_and_nothing_is_fined(clock):
    world = violations_world()
    warning, planned = _reinspection_due(clock, world)
    inspection_start(inspection_id=planned.pk, actor=world.inspector)
    answer_all(planned, world.inspector)
    assert inspection_submit(inspection_id=planned.pk, actor=world.inspector) == []
    assert Violation.objects.get(pk=warning.pk).status == ViolationStatus.CLOSED
    assert ViolationLine.objects.get(violation=warning).status == LineStatus.CORRECTED
    assert Violation.objects.filter(kind=NoticeKind.FINE).count() == 0
    # and a closed warning is never planned again
    clock.set(MORNING + dt.timedelta(days=30))
    assert reinspections_plan() == 0
    assert Inspection.objects.filter(kind=InspectionKind.REINSPECTION).count() == 1
