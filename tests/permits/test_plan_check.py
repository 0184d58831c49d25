"""The light plan-rule check: answers against the parcel's zone limits, exact at every
boundary, kept per run, and what the procedure's guard reads before "send to inspection"."""

from decimal import Decimal

import pytest

from amanah.errors import DomainError, PermissionDenied
from permits.enums import ApplicationEventKind
from permits.models import Application, ApplicationEvent, PlanCheck
from permits.services.plan_check import plan_check_run, plan_rules_evaluate
from tests.factories import DepartmentFactory, MunicipalityFactory
from tests.permits.factories import (
    GOOD_ANSWERS,
    application_submitted_make,
    permits_world,
    staff_make,
    zone_rule_make,
)
from workflow.services import case_transition

pytestmark = pytest.mark.django_db

AREA = Decimal("600.00")  # the world's parcel


@pytest.fixture
def world():
    return permits_world()


def _rows(world, **changes) -> dict:
    answers = {**GOOD_ANSWERS, **changes}
    rows = plan_rules_evaluate(answers=answers, parcel_area=AREA, zone_rule=world.zone_rule)
    return {row["rule"]: row for row in rows}


def _verdict(world, **changes) -> dict:
    return {rule: row["passed"] for rule, row in _rows(world, **changes).items()}


@pytest.mark.parametrize(("answers", "rule", "passed"), [
    # floors ≤ 3
    ({"floors": 3}, "max_floors", True),
    ({"floors": 4}, "max_floors", False),
    # footprint / 600 m² ≤ 60 %: 360.00 m² is exactly the limit
    ({"footprint_m2": "360.00"}, "max_coverage_percent", True),
    ({"footprint_m2": "360.01"}, "max_coverage_percent", False),
    # each setback ≥ its minimum (front 4.00, side 2.00, rear 2.00)
    ({"front_setback_m": "4.00"}, "min_front_setback_m", True),
    ({"front_setback_m": "3.99"}, "min_front_setback_m", False),
    ({"side_setback_m": "2"}, "min_side_setback_m", True),
    ({"side_setback_m": "1.99"}, "min_side_setback_m", False),
    ({"rear_setback_m": "2.00"}, "min_rear_setback_m", True),
    ({"rear_setback_m": "1.99"}, "min_rear_setback_m", False),
])
def test_each_rule_is_exact_at_its_boundary(world, answers, rule, passed):
    verdict = _verdict(world, **answers)
    # then the rule named passes or fails, and every other rule still passes
    assert verdict.pop(rule) is passed
    assert set(verdict.values()) == {True}


def test_rows_carry_limit_and_value_and_coverage_is_never_rounded_into_the_limit(world):
    rows = _rows(world, footprint_m2="360.01", floors=4)
    assert rows["max_floors"] == {"rule": "max_floors", "field": "floors", "limit": "3",
                                  "value": "4", "passed": False, "reason": ""}
    # 360.01 / 600 = 60.0016…%: shown rounded up, so it never reads as within 60.00
    assert rows["max_coverage_percent"] == {
        "rule": "max_coverage_percent", "field": "footprint_m2", "limit": "60.00",
        "value": "60.01", "passed": False, "reason": ""}
    assert _rows(world)["max_coverage_percent"]["value"] == "50.00"


def test_an_answer_missing_or_not_a_number_fails_its_rule_with_the_reason(world):
    answers = {k: v for k, v in GOOD_ANSWERS.items() if k != "floors"}
    answers["rear_setback_m"] = "two"
    rows = {r["rule"]: r for r in plan_rules_evaluate(answers=answers, parcel_area=AREA,
                                                      zone_rule=world.zone_rule)}
    assert (rows["max_floors"]["passed"], rows["max_floors"]["reason"],
            rows["max_floors"]["value"]) == (False, "not_answered", "")
    assert (rows["min_rear_setback_m"]["passed"],
            rows["min_rear_setback_m"]["reason"]) == (False, "not_a_number")
    assert rows["min_front_setback_m"]["passed"] is True


def test_a_run_is_kept_with_its_answers_version_and_an_event(world):
    application = application_submitted_make(world)
    check = plan_check_run(application_id=application.pk, actor=world.reviewer)
    assert (check.passed, check.zone, check.answers_version, check.checked_by) == (
        True, "res-a", 1, world.reviewer)
    assert [r["rule"] for r in check.results] == [
        "max_floors", "max_coverage_percent", "min_front_setback_m", "min_side_setback_m",
        "min_rear_setback_m"]
    event = ApplicationEvent.objects.filter(application=application).order_by("-seq").first()
    assert (event.kind, event.payload["passed"], event.payload["failed"]) == (
        ApplicationEventKind.PLAN_CHECKED, True, [])


def test_the_municipalitys_own_zone_rule_wins_over_the_general_one(world):
    # given a stricter rule for res-a in this municipality only
    zone_rule_make(municipality=world.municipality, max_floors=1)
    application = application_submitted_make(world)
    check = plan_check_run(application_id=application.pk, actor=world.clerk)
    assert check.passed is False
    assert [r["rule"] for r in check.results if not r["passed"]] == ["max_floors"]


def test_send_to_inspection_waits_for_a_passed_check_on_the_latest_answers(world):
    application = application_submitted_make(world, answers={**GOOD_ANSWERS, "floors": 5})
    # when no check ran, the guard refuses
    with pytest.raises(DomainError) as refused:
        case_transition(case_id=application.case_id, action="send_to_inspection",
                        actor=world.clerk)
    assert refused.value.code == "permits.plan_check_required"
    # a failed check does not open it either
    assert plan_check_run(application_id=application.pk, actor=world.clerk).passed is False
    with pytest.raises(DomainError):
        case_transition(case_id=application.case_id, action="send_to_inspection",
                        actor=world.clerk)
    # a passing check on an earlier version of the answers does not count
    Application.objects.filter(pk=application.pk).update(answers=dict(GOOD_ANSWERS))
    assert plan_check_run(application_id=application.pk, actor=world.clerk).passed is True
    Application.objects.filter(pk=application.pk).update(answers_version=2)
    with pytest.raises(DomainError):
        case_transition(case_id=application.case_id, action="send_to_inspection",
                        actor=world.clerk)
    # and one on the latest answers does
    plan_check_run(application_id=application.pk, actor=world.clerk)
    case = case_transition(case_id=application.case_id, action="send_to_inspection",
                           actor=world.clerk)
    assert case.state.code == "inspection"


def _unchanged(application):
    application.refresh_from_db()
    return (application.row_version, application.last_event_seq,
            PlanCheck.objects.filter(application=application).count())


def test_staff_of_another_municipality_and_citizens_cannot_run_it(world):
    application = application_submitted_make(world)
    before = _unchanged(application)
    other = staff_make(DepartmentFactory(municipality=MunicipalityFactory(code="M901"),
                                         code="engineering"), "reviewer")
    for user in (other, world.owner.user, world.office_worker.user):
        with pytest.raises(PermissionDenied) as refused:
            plan_check_run(application_id=application.pk, actor=user)
        assert refused.value.code == "permits.plan_check_staff_only"
    assert _unchanged(application) == before


def test_no_limits_for_the_zone_is_refused_and_changes_nothing(world):
    application = application_submitted_make(world)
    application.parcel.zone = "industrial"
    application.parcel.save(update_fields=["zone"])
    before = _unchanged(application)
    with pytest.raises(DomainError) as refused:
        plan_check_run(application_id=application.pk, actor=world.clerk)
    assert refused.value.code == "permits.zone_rule_missing"
    assert _unchanged(application) == before
