"""The routine plan: licensed establishments not visited within their band's interval, where
violations are in service, highest risk first, a daily quota per municipality; run twice, it
plans nothing more."""

import datetime as dt

import pytest
from django.db import transaction

from amanah.enums import OwningApp
from tests.factories import EServiceFactory, EServiceRolloutFactory
from tests.permits.licences.core_helpers import at, world_on_today
from tests.permits.licences.factories import GROCERY, licence_issue_make
from tests.violations.factories import catalogue_make, checklist_make
from violations.compliance import compliance_points
from violations.enums import (
    InspectionKind,
    InspectionStatus,
    LineStatus,
    OffenderKind,
    ViolationEventKind,
    ViolationStatus,
)
from violations.models import Inspection
from violations.planning import routine_plan_make
from violations.services.inspections import inspection_open, inspection_submit
from violations.services.records import (
    line_status_change,
    violation_lock,
    violation_status_change,
)

from .helpers import answer_all

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def world(clock):
    world = world_on_today(clock)
    service = EServiceFactory(code="violation", owning_app=OwningApp.VIOLATIONS)
    EServiceRolloutFactory(eservice=service, municipality=world.municipality)
    checklist_make(catalogue_make())
    return world


def _fined_long_ago(clock, world, establishment, times: int) -> None:
    """`times` approved fines (SERIOUS and FINE) for the establishment, 200 days ago."""
    clock.set(at(TODAY - dt.timedelta(days=200)))
    for _ in range(times):
        inspection, _ = inspection_open(
            actor=world.inspector, municipality=world.municipality, checklist_code="general",
            offender_kind=OffenderKind.ESTABLISHMENT,
            unified_number=establishment.unified_number)
        answer_all(inspection, world.inspector, no=("SERIOUS", "FINE"))
        fines = inspection_submit(inspection_id=inspection.pk, actor=world.inspector)
        with transaction.atomic():
            fine = violation_lock(fines[0].pk)
            violation_status_change(violation=fine, to_status=ViolationStatus.ISSUED,
                                    kind=ViolationEventKind.APPROVED, actor=world.head)
            for line in fine.lines.all():
                line_status_change(violation=fine, line=line, to_status=LineStatus.PAYABLE)
    clock.set(at(TODAY))


def test_licensed_establishments_never_visited_are_planned_once(world):
    licences = [licence_issue_make(world, activities=(GROCERY,)),
                licence_issue_make(world, activities=(GROCERY,),
                                   establishment=world.other_establishment,
                                   delegate=world.other_delegate)]
    # when the daily plan runs (twice)
    assert routine_plan_make(on=TODAY) == 2
    assert routine_plan_make(on=TODAY) == 0
    # then one planned routine inspection per licensed establishment, for today
    planned = list(Inspection.objects.order_by("establishment_id").values_list(
        "kind", "status", "planned_for", "establishment_id", "permit_number", "inspector"))
    assert planned == sorted([
        (InspectionKind.ROUTINE, InspectionStatus.PLANNED, TODAY, world.establishment.pk,
         licences[0].number, None),
        (InspectionKind.ROUTINE, InspectionStatus.PLANNED, TODAY,
         world.other_establishment.pk, licences[1].number, None)], key=lambda r: r[3])


def test_the_highest_risk_goes_first_within_the_daily_quota(clock, world, settings):
    # given the other establishment fined twice 200 days ago (30 points: high risk, due
    # after 90 days) and ours never visited (100 points)
    _fined_long_ago(clock, world, world.other_establishment, times=2)
    assert compliance_points(world.other_establishment.pk, TODAY).points == 30
    licence_issue_make(world, activities=(GROCERY,))
    licence_issue_make(world, activities=(GROCERY,), establishment=world.other_establishment,
                       delegate=world.other_delegate)
    settings.VIOLATIONS_ROUTINE_PER_DAY = 1
    # when the plan runs with room for one
    assert routine_plan_make(on=TODAY) == 1
    # then the high-risk one is planned
    routine = Inspection.objects.get(kind=InspectionKind.ROUTINE)
    assert routine.establishment == world.other_establishment
    # and the next day the other
    assert routine_plan_make(on=TODAY + dt.timedelta(days=1)) == 1
    assert Inspection.objects.filter(kind=InspectionKind.ROUTINE).count() == 2


def test_a_medium_risk_one_visited_200_days_ago_is_due_and_the_unlicensed_is_not(
        clock, world):
    # given ours fined once 200 days ago (65 points: medium, every 180 days) and licensed;
    # the other establishment has no licence
    _fined_long_ago(clock, world, world.establishment, times=1)
    licence_issue_make(world, activities=(GROCERY,))
    score = compliance_points(world.establishment.pk, TODAY)
    assert (score.points, score.interval_days) == (65, 180)
    # then only ours is planned
    assert routine_plan_make(on=TODAY) == 1
    assert Inspection.objects.get(kind=InspectionKind.ROUTINE).establishment == (
        world.establishment)


def test_a_low_risk_one_visited_within_the_year_is_not_due(clock, world):
    # given ours inspected 200 days ago with nothing found (100 points: every 365 days)
    clock.set(at(TODAY - dt.timedelta(days=200)))
    inspection, _ = inspection_open(
        actor=world.inspector, municipality=world.municipality, checklist_code="general",
        offender_kind=OffenderKind.ESTABLISHMENT,
        unified_number=world.establishment.unified_number)
    answer_all(inspection, world.inspector)
    inspection_submit(inspection_id=inspection.pk, actor=world.inspector)
    clock.set(at(TODAY))
    licence_issue_make(world, activities=(GROCERY,))
    # then nothing is planned for it
    assert routine_plan_make(on=TODAY) == 0
    assert not Inspection.objects.filter(kind=InspectionKind.ROUTINE).exists()
