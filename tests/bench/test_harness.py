"""The benchmark harness reports honestly: ratios per round, their spread, and the target read
the right way round."""

import pytest

from bench._harness import Comparison, interleaved, percentiles, queue_name, scratch_name


def test_interleaved_runs_portal_and_floor_alternately_and_reports_each_rounds_ratio(capsys):
    # given two sides that record the order in which they ran
    order = []

    def portal(n):
        order.append(("portal", n))
        return 50.0 + n

    def floor(n):
        order.append(("floor", n))
        return 100.0

    # when they are compared over three rounds
    comparison = interleaved(name="x", unit="msg/s", higher_is_better=True, target=0.5,
                             rounds=3, portal=portal, floor=floor)

    # then they ran A B A B A B, and each round gave its own ratio
    assert order == [("portal", 0), ("floor", 0), ("portal", 1), ("floor", 1),
                     ("portal", 2), ("floor", 2)]
    assert comparison.ratios == [0.5, 0.51, 0.52]
    assert comparison.met is True
    printed = capsys.readouterr().out
    assert "ratio portal/floor: min 0.5  median 0.51  max 0.52" in printed
    assert "target ≥ 0.5: met" in printed


def test_a_time_ratio_above_its_ceiling_is_not_met():
    comparison = Comparison(name="recon", unit="s", higher_is_better=False, target=1.5,
                            portal=[3.2, 3.4, 2.9], floor=[2.0, 2.0, 2.0])
    assert comparison.met is False
    assert "target ≤ 1.5: NOT met" in comparison.report()


def test_fewer_than_three_rounds_are_refused():
    with pytest.raises(SystemExit):
        interleaved(name="x", unit="s", higher_is_better=False, target=1, rounds=2,
                    portal=lambda n: 1.0, floor=lambda n: 1.0)


def test_percentiles_are_nearest_rank():
    samples = list(range(100, 0, -1))  # 1..100, unsorted
    assert percentiles(samples) == {50: 50, 95: 95, 99: 99}
    assert percentiles([7.0]) == {50: 7.0, 95: 7.0, 99: 7.0}


def test_scratch_names_and_queues_carry_this_runs_suffix():
    # two labels of one run share the suffix; the suffix is not a fixed word
    first, second = scratch_name("a"), scratch_name("b")
    assert first.rsplit("_", 1)[1] == second.rsplit("_", 1)[1]
    assert len(first.rsplit("_", 1)[1]) == 8
    assert queue_name("routing").startswith("bench.routing.")
