"""Scorecard figures equal the ones worked out by hand (see fixtures.py)."""

from decimal import Decimal

import pytest
from django.db import connection

from amanah.scorecards import scorecard_figures
from payments.enums import BillStatus
from payments.models import Bill

from .fixtures import NOVEMBER

pytestmark = pytest.mark.django_db


def test_each_figure_per_municipality_equals_the_hand_computed_one(known):
    world, eservice = known
    # given the bills are as built (one cancelled, one unpaid)
    assert sorted(Bill.objects.filter(municipality=world.branch)
                  .values_list("status", flat=True)) == sorted(
        [BillStatus.PAID, BillStatus.UNPAID, BillStatus.CANCELLED])
    khobar, dammam = (eservice.pk, world.branch.pk), (eservice.pk, world.other_branch.pk)
    # when the scorecard is computed for November
    figures = scorecard_figures(date_from=NOVEMBER[0], date_to=NOVEMBER[1],
                                pairs=[khobar, dammam])
    # then every figure is the hand-computed one
    assert figures[khobar] == {
        "cases": 4, "adoption": 0.75, "returns": 0.25,
        "median_hours": 4.0, "p90_hours": 51.2, "sla_met": 0.6667,
        "payment_success": 0.5, "collections": Decimal("100.00")}
    assert figures[dammam] == {
        "cases": 2, "adoption": 0.5, "returns": 0.0,
        "median_hours": 9.0, "p90_hours": 10.6, "sla_met": 1.0,
        "payment_success": 1.0, "collections": Decimal("300.00")}


def test_a_municipality_with_nothing_has_zero_cases_and_no_shares(known):
    world, eservice = known
    amanah = (eservice.pk, world.amanah.pk)
    figures = scorecard_figures(date_from=NOVEMBER[0], date_to=NOVEMBER[1], pairs=[amanah])
    assert figures[amanah] == {"cases": 0, "payment_success": None,
                               "collections": Decimal("0.00")}


def test_all_pairs_cost_the_same_four_queries(known, django_assert_num_queries):
    world, eservice = known
    pairs = [(eservice.pk, m.pk) for m in (world.amanah, world.branch, world.other_branch)]
    with django_assert_num_queries(4):
        scorecard_figures(date_from=NOVEMBER[0], date_to=NOVEMBER[1], pairs=pairs)


def test_the_python_fallback_gives_the_same_times(known, monkeypatch):
    world, eservice = known
    pairs = [(eservice.pk, world.branch.pk), (eservice.pk, world.other_branch.pk)]
    by_database = scorecard_figures(date_from=NOVEMBER[0], date_to=NOVEMBER[1], pairs=pairs)
    monkeypatch.setattr(connection, "vendor", "sqlite")
    by_python = scorecard_figures(date_from=NOVEMBER[0], date_to=NOVEMBER[1], pairs=pairs)
    assert by_python == by_database
