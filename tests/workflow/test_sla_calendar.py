"""SLAs count working time only: Sunday–Thursday 08:00–15:00 Riyadh, minus holidays."""

import datetime as dt

import pytest

from amanah.dates import RIYADH
from workflow.enums import CaseEventKind, EscalationKind, SlaStatus
from workflow.models import Case, CaseEvent, Escalation, Holiday
from workflow.services import sla_sweep
from workflow.working_time import sla_due_at, working_hours_between

from .factories import case_new


def riyadh(day: int, hour: int, minute: int = 0, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=RIYADH)


@pytest.mark.parametrize(("start", "hours", "due"), [
    (riyadh(2, 9), 2, riyadh(2, 11)),                 # inside one working day
    (riyadh(2, 14), 1, riyadh(2, 15)),                # ends exactly at closing time
    (riyadh(3, 14), 2, riyadh(6, 9)),                 # Thursday afternoon → after the weekend
    (riyadh(2, 16, 30), 1, riyadh(3, 9)),             # submitted after hours
    (riyadh(30, 6, month=11), 1, riyadh(30, 9, month=11)),  # before opening
    (riyadh(4, 10), 1, riyadh(6, 9)),                 # submitted on Friday
    (riyadh(6, 8), 21, riyadh(8, 15)),                # three full working days
])
def test_due_time_on_the_working_calendar(db, start, hours, due):
    assert sla_due_at(start, hours) == due


def test_holiday_is_skipped(db):
    # given Sunday 6 December entered as a holiday
    Holiday.objects.create(date=dt.date(2026, 12, 6), name_ar="إجازة", name_en="Holiday")
    # then two hours from Thursday 14:00 end on Monday, not Sunday
    assert sla_due_at(riyadh(3, 14), 2) == riyadh(7, 9)


def test_working_hours_between_ignores_nights_and_weekends(db):
    assert working_hours_between(riyadh(3, 14), riyadh(6, 9)) == 2.0
    assert working_hours_between(riyadh(6, 9), riyadh(3, 14)) == 0.0


def test_case_clock_at_risk_then_overdue_and_escalated(world, clock):
    from amanah.enums import StaffRole

    head = world.staff("customer_service", StaffRole.HEAD)
    # given a case submitted and routed on Thursday 3 December at 14:00 (in review: 21 hours)
    clock.set(riyadh(3, 14))
    case = case_new(world)
    assert case.state.code == "in_review"
    # then its step is due 21 working hours later: Tuesday 14:00, at risk from 08:45
    assert case.state_due_at == riyadh(8, 14)
    assert case.state_at_risk_at == riyadh(8, 8, 45)
    assert case.due_at == riyadh(10, 14)  # the whole case: 35 working hours
    # when the sweep runs over the weekend, nothing is late: weekends do not count
    clock.set(riyadh(5, 23))
    assert sla_sweep().at_risk == 0
    assert Case.objects.get(pk=case.pk).sla_status == SlaStatus.ON_TRACK
    # when it runs on Tuesday at 09:00 the step is at risk
    clock.set(riyadh(8, 9))
    result = sla_sweep()
    assert (result.at_risk, result.overdue) == (1, 0)
    assert Case.objects.get(pk=case.pk).sla_status == SlaStatus.AT_RISK
    # and on Tuesday at 14:00 it is overdue and escalated to the department head, once
    clock.set(riyadh(8, 14))
    result = sla_sweep()
    assert (result.at_risk, result.overdue, result.escalated) == (0, 1, 1)
    escalation = Escalation.objects.get(case=case)
    assert (escalation.kind, escalation.escalated_to) == (EscalationKind.STATE_OVERDUE, head)
    assert sla_sweep().escalated == 0
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-3:] == [CaseEventKind.SLA_AT_RISK, CaseEventKind.SLA_OVERDUE,
                          CaseEventKind.ESCALATED]


def test_sweep_is_a_periodic_task():
    from amanah.celery import app

    entry = app.conf.beat_schedule["workflow-sla-sweep"]
    assert (entry["task"], entry["schedule"]) == ("workflow.sla_sweep", 900.0)
    assert "workflow.sla_sweep" in app.tasks
