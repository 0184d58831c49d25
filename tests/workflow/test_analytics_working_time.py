"""Procedure analytics in working time: the SLA calendar's hours (Sunday–Thursday 08:00–15:00
Riyadh, minus holidays) next to the wall clock, per step and per department."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.dates import RIYADH
from amanah.enums import StaffRole
from workflow.models import Holiday
from workflow.selectors import procedure_analytics
from workflow.services import case_transition

from .factories import case_new
from .pages_helpers import user_for


def _at(day: int, hour: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=RIYADH)


@pytest.fixture
def three_answered_cases(world, clock):
    """In review: over a weekend (67 h by the clock, 2 working), within a Sunday (4 h, 4),
    and across a holiday (43 h, 2)."""
    Holiday.objects.create(date=dt.date(2026, 12, 2), name_ar="إجازة", name_en="Holiday")
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)

    def answer(case):
        case_transition(case_id=case.pk, action="answer", actor=reviewer, comment="تم")

    clock.set(_at(26, 14))  # Thursday 14:00: one working hour left before the weekend
    over_weekend = case_new(world)
    clock.set(_at(29, 9))  # Sunday 09:00
    answer(over_weekend)
    within_a_day = case_new(world)
    clock.set(_at(29, 13))
    answer(within_a_day)
    clock.set(_at(1, 14, month=12))  # Tuesday 14:00; Wednesday is the holiday
    across_holiday = case_new(world)
    clock.set(_at(3, 9, month=12))  # Thursday 09:00
    answer(across_holiday)
    clock.set(_at(3, 10, month=12))
    return world.versions["general_correspondence"].definition


def test_time_in_each_step_and_department_is_given_in_working_and_clock_hours(
        three_answered_cases):
    # when the analytics are computed
    with CaptureQueriesContext(connection) as captured:
        numbers = procedure_analytics(definition=three_answered_cases)
    # then review took 2, 4 and 2 working hours (67, 4 and 43 by the clock)
    in_review = next(s for s in numbers["states"] if s["code"] == "in_review")
    assert (in_review["visits"], in_review["median_working_hours"],
            in_review["p90_working_hours"]) == (3, 2.0, 3.6)
    assert (in_review["median_hours"], in_review["p90_hours"]) == (43.0, 62.2)
    assert in_review["sla_hours"] == 21
    # and customer service, which held the cases throughout, shows the same
    department = next(d for d in numbers["departments"] if d["code"] == "customer_service")
    assert (department["visits"], department["median_working_hours"],
            department["p90_working_hours"], department["median_hours"]) == (3, 2.0, 3.6, 43.0)
    # and the number of queries did not change with working time
    assert len(captured) == 5


def test_the_python_fallback_gives_the_same_working_hours(three_answered_cases, monkeypatch):
    # given the analytics computed by the database
    by_database = procedure_analytics(definition=three_answered_cases)
    # when computed the way SQLite (make run) does, in Python with working_time.py
    monkeypatch.setattr(connection, "vendor", "sqlite")
    by_python = procedure_analytics(definition=three_answered_cases)
    # then the figures are identical
    assert by_python["states"] == by_database["states"]
    assert by_python["departments"] == by_database["departments"]


def test_the_page_labels_working_and_clock_hours(client, world, three_answered_cases):
    client.force_login(user_for(world, "admin"))
    english = client.get(
        f"/en/transactions/analytics/?definition={three_answered_cases.pk}").content.decode()
    arabic = client.get(
        f"/ar/transactions/analytics/?definition={three_answered_cases.pk}").content.decode()
    assert "Median working hours" in english and "Median clock hours" in english
    assert "الوسيط بساعات العمل" in arabic and "الوسيط بالساعات الفعلية" in arabic
