"""Compliance points: what takes them off, what adds them, the band and its routine interval,
what would raise them — in a fixed number of queries."""

import datetime as dt

import pytest

from amanah.dates import RIYADH
from tests.violations.factories import (
    fine_issued_make,
    submitted_inspection_make,
    violations_world,
)
from violations.compliance import compliance_points
from violations.enums import InspectionKind

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 12, 2, 9, 0, tzinfo=RIYADH)


def test_a_clean_record_is_100_and_low_risk(clock):
    clock.set(MORNING)
    world = violations_world()
    submitted_inspection_make(world, no=())
    score = compliance_points(establishment_id=world.establishment.pk, on=MORNING.date())
    assert (score.points, score.band, score.interval_days) == (100, "low", 365)
    assert score.deductions == [("جولات رقابية سليمة (1)", "Clean inspections (1)", -2)]
    assert score.how_to_raise == []


def test_fines_warnings_and_an_overdue_bill_take_points_and_a_clean_visit_adds(clock):
    clock.set(MORNING)
    world = violations_world()
    # given an issued fine (a serious and another line), a warning and a clean inspection
    fine_issued_make(world, no=("FINE", "SERIOUS"))
    submitted_inspection_make(world, no=("WARN",))
    submitted_inspection_make(world, no=())
    # when its bill (due in 30 days) is past due
    clock.set(MORNING + dt.timedelta(days=31))
    score = compliance_points(world.establishment.pk, (MORNING + dt.timedelta(days=31)).date())
    # then 100 − 25 − 10 − 5 − 5 + 2 = 57: medium risk, every 180 days
    assert (score.points, score.band, score.interval_days) == (57, "medium", 180)
    assert [d[1:] for d in score.deductions] == [
        ("Serious fines (1)", 25), ("Other fines (1)", 10), ("Warnings (1)", 5),
        ("Fines unpaid past due (1)", 5), ("Clean inspections (1)", -2)]
    assert [en for _, en in score.how_to_raise] == [
        "Pay the overdue fine", "Correct the open warning before its deadline",
        "A clean inspection adds 2 points"]
    # and a year and a day later none of it counts any more
    later = compliance_points(world.establishment.pk, MORNING.date() + dt.timedelta(days=366))
    assert (later.points, later.deductions) == (100, [])


def test_an_uncorrected_warning_costs_more_and_an_unapproved_fine_nothing_yet(clock):
    clock.set(MORNING)
    world = violations_world()
    _, (warning,) = submitted_inspection_make(world, no=("WARN",))
    # the re-inspection finds it not corrected: the warning's line is UNCORRECTED and a fine
    # awaits approval
    submitted_inspection_make(world, no=("WARN",), kind=InspectionKind.REINSPECTION,
                              follows_notice=warning, only_item_codes=["WARN"])
    score = compliance_points(world.establishment.pk, MORNING.date())
    assert [d[1:] for d in score.deductions] == [("Warnings (1)", 5),
                                                 ("Warnings not corrected (1)", 10)]
    assert score.points == 85


def test_many_serious_fines_floor_at_zero_and_the_band_is_high(clock):
    clock.set(MORNING)
    world = violations_world()
    for _ in range(5):
        fine_issued_make(world, no=("SERIOUS",))
    score = compliance_points(world.establishment.pk, MORNING.date())
    assert (score.points, score.band, score.interval_days) == (0, "high", 90)


def test_the_points_take_two_queries_whatever_the_history(clock, django_assert_num_queries):
    clock.set(MORNING)
    world = violations_world()
    with django_assert_num_queries(2):
        compliance_points(world.establishment.pk, MORNING.date())
    for _ in range(3):
        fine_issued_make(world, no=("FINE", "SERIOUS"))
        submitted_inspection_make(world, no=())
    with django_assert_num_queries(2):
        score = compliance_points(world.establishment.pk, MORNING.date())
    assert score.points == 1  # 100 − 3 × 35 + 3 × 2
