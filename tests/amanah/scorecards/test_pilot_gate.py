"""The pilot gate: a pilot goes live only when it meets its e-service's thresholds over the
last 90 days. On 20 November 2026 those days hold Khobar's five filings (G, A, B, C, D of
fixtures.py): 4 of 5 online (80%), 1 returned (20%)."""

from decimal import Decimal

import pytest

from amanah.enums import RolloutState, ThresholdBound
from amanah.errors import Conflict, PermissionDenied
from amanah.models import EServiceRollout, PilotThreshold
from amanah.rollout import pilot_gate_evaluate, rollout_state_set

from .fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def gate_day(known, clock):
    clock.set(at(11, 20, 10))
    return known


def _threshold(eservice, metric, bound, value, min_cases=3):
    return PilotThreshold.objects.create(eservice=eservice, metric=metric, bound=bound,
                                         value=Decimal(value), min_cases=min_cases)


def _khobar(world, eservice):
    return EServiceRollout.objects.get(eservice=eservice, municipality=world.branch)


def test_below_threshold_the_pilot_is_not_switched_live(gate_day, amanah_admin):
    world, eservice = gate_day
    # given the pilot must be filed online at least 85% of the time (it is 80%)
    _threshold(eservice, "adoption", ThresholdBound.MIN, "85")
    history_before = _khobar(world, eservice).history.count()
    # when an admin switches it live
    with pytest.raises(Conflict) as refused:
        rollout_state_set(eservice=eservice, municipality=world.branch,
                          state=RolloutState.LIVE, actor=amanah_admin, reason="جاهزة")
    # then it is refused, naming the figure, its value and the threshold, in both languages
    assert refused.value.code == "rollout.pilot_gate_failed"
    assert "Filed online: 80% (needs at least 85%)" in refused.value.message_en
    assert "80%" in refused.value.message_ar and "85%" in refused.value.message_ar
    # and the pilot stays a pilot, with no history row
    assert _khobar(world, eservice).state == RolloutState.PILOT
    assert _khobar(world, eservice).history.count() == history_before


def test_at_the_threshold_the_pilot_is_switched_live_with_who_and_why(gate_day, amanah_admin):
    world, eservice = gate_day
    _threshold(eservice, "adoption", ThresholdBound.MIN, "80")
    _threshold(eservice, "returns", ThresholdBound.MAX, "20")
    # when an admin switches it live
    rollout_state_set(eservice=eservice, municipality=world.branch, state=RolloutState.LIVE,
                      actor=amanah_admin, reason="Pilot met its thresholds")
    # then it is live, and the history says who, when and why
    rollout = _khobar(world, eservice)
    assert rollout.state == RolloutState.LIVE
    latest = rollout.history.order_by("-history_date").first()
    assert (latest.state, latest.history_user, latest.history_change_reason) == (
        RolloutState.LIVE, amanah_admin, "Pilot met its thresholds")


def test_no_thresholds_means_the_gate_passes(gate_day, amanah_admin):
    world, eservice = gate_day
    gate = pilot_gate_evaluate(eservice=eservice, municipality=world.branch)
    assert (gate.passes, gate.checks) == (True, [])
    rollout_state_set(eservice=eservice, municipality=world.branch, state=RolloutState.LIVE,
                      actor=amanah_admin)
    assert _khobar(world, eservice).state == RolloutState.LIVE


def test_too_few_transactions_fail_the_gate_with_that_reason(gate_day, amanah_admin):
    world, eservice = gate_day
    # given thresholds that are met, but counted only from 10 transactions (there are 5)
    _threshold(eservice, "adoption", ThresholdBound.MIN, "50", min_cases=10)
    gate = pilot_gate_evaluate(eservice=eservice, municipality=world.branch)
    assert (gate.passes, gate.too_few_cases, gate.cases, gate.min_cases) == (False, True, 5, 10)
    assert [c.passed for c in gate.checks] == [True]
    with pytest.raises(Conflict) as refused:
        rollout_state_set(eservice=eservice, municipality=world.branch,
                          state=RolloutState.LIVE, actor=amanah_admin)
    assert "5 transactions, at least 10 needed" in refused.value.message_en
    assert _khobar(world, eservice).state == RolloutState.PILOT


def test_a_figure_not_there_yet_does_not_meet_its_threshold(gate_day, amanah_admin):
    world, eservice = gate_day
    # given a threshold on bills paid, and a pilot in the Amanah with no bill at all
    _threshold(eservice, "payment_success", ThresholdBound.MIN, "50", min_cases=0)
    gate = pilot_gate_evaluate(eservice=eservice, municipality=world.amanah)
    assert gate.passes is False
    assert gate.reasons("en") == ["Bills paid: — (needs at least 50%)"]


def test_off_to_live_is_refused_for_a_service_with_thresholds(gate_day, amanah_admin):
    world, eservice = gate_day
    EServiceRollout.objects.filter(eservice=eservice, municipality=world.amanah).update(
        state=RolloutState.OFF)
    _threshold(eservice, "adoption", ThresholdBound.MIN, "10")
    with pytest.raises(Conflict) as refused:
        rollout_state_set(eservice=eservice, municipality=world.amanah,
                          state=RolloutState.LIVE, actor=amanah_admin)
    assert refused.value.code == "rollout.pilot_first"
    assert EServiceRollout.objects.get(eservice=eservice,
                                       municipality=world.amanah).state == RolloutState.OFF


def test_off_to_live_is_allowed_for_a_service_without_thresholds(gate_day, amanah_admin):
    world, eservice = gate_day
    EServiceRollout.objects.filter(eservice=eservice, municipality=world.amanah).delete()
    # when there is no row at all (off), it is made and switched
    rollout_state_set(eservice=eservice, municipality=world.amanah, state=RolloutState.LIVE,
                      actor=amanah_admin)
    rollout = EServiceRollout.objects.get(eservice=eservice, municipality=world.amanah)
    assert rollout.state == RolloutState.LIVE
    assert list(rollout.history.values_list("state", flat=True)) == [RolloutState.LIVE]


def test_a_branch_admin_cannot_change_another_branch(gate_day, dammam_admin):
    world, eservice = gate_day
    history_before = _khobar(world, eservice).history.count()
    with pytest.raises(PermissionDenied) as refused:
        rollout_state_set(eservice=eservice, municipality=world.branch,
                          state=RolloutState.OFF, actor=dammam_admin)
    assert refused.value.code == "rollout.not_your_municipality"
    assert _khobar(world, eservice).state == RolloutState.PILOT
    assert _khobar(world, eservice).history.count() == history_before
