"""Working time on the Amanah's calendar: the service hours of `settings.SERVICE_HOURS`
(by default Sunday to Thursday, 08:00–15:00 Asia/Riyadh), minus the holidays admins enter.
SLAs count only this time."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings

from amanah.dates import RIYADH
from amanah.service_hours import service_hours

# A step is "at risk" once only this share of its SLA is left.
AT_RISK_SHARE_LEFT = 0.25
_MAX_DAYS = 3660


def __getattr__(name: str):
    # WEEKEND, DAY_START and DAY_END read the setting when asked, so they follow a change of it.
    if name == "WEEKEND":
        return service_hours().closed_days
    if name == "DAY_START":
        return service_hours().opens
    if name == "DAY_END":
        return service_hours().closes
    raise AttributeError(name)


def holidays_all() -> frozenset[dt.date]:
    """Every holiday on the calendar, from this process's copy (see `HOLIDAY_CALENDAR`)."""
    from .models import HOLIDAY_CALENDAR

    return HOLIDAY_CALENDAR.get()


def at_risk_share_left() -> float:
    return float(getattr(settings, "WORKFLOW_SLA_AT_RISK_SHARE_LEFT", AT_RISK_SHARE_LEFT))


def is_working_day(day: dt.date, holidays: Iterable[dt.date] = ()) -> bool:
    return day.weekday() in service_hours().days and day not in holidays


def sla_due_at(start: dt.datetime, hours: float,
               *, holidays: Iterable[dt.date] | None = None) -> dt.datetime:
    """The moment `hours` of working time after `start` (an aware datetime), in Riyadh time.

    Time outside working hours does not count: a case submitted on Thursday evening starts
    its clock on Sunday at opening time.
    """
    hours_of_service = service_hours()
    local = start.astimezone(RIYADH)
    holidays = frozenset(holidays) if holidays is not None else holidays_all()
    remaining = dt.timedelta(hours=hours)
    day = local.date()
    cursor = local
    for _ in range(_MAX_DAYS):
        if is_working_day(day, holidays):
            opens = dt.datetime.combine(day, hours_of_service.opens, tzinfo=RIYADH)
            closes = dt.datetime.combine(day, hours_of_service.closes, tzinfo=RIYADH)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    # Exactly at closing time stays "today at closing", not tomorrow's opening.
                    return begin + remaining
                remaining -= available
        day += dt.timedelta(days=1)
        cursor = dt.datetime.combine(day, dt.time(0, 0), tzinfo=RIYADH)
    raise ValueError("SLA longer than ten years of working time")


def working_hours_between(start: dt.datetime, end: dt.datetime,
                          *, holidays: Iterable[dt.date] | None = None) -> float:
    """Working hours from `start` to `end` (0 when end is not after start)."""
    if end <= start:
        return 0.0
    hours_of_service = service_hours()
    local_start, local_end = start.astimezone(RIYADH), end.astimezone(RIYADH)
    holidays = frozenset(holidays) if holidays is not None else holidays_all()
    total = dt.timedelta()
    day = local_start.date()
    while day <= local_end.date():
        if is_working_day(day, holidays):
            opens = dt.datetime.combine(day, hours_of_service.opens, tzinfo=RIYADH)
            closes = dt.datetime.combine(day, hours_of_service.closes, tzinfo=RIYADH)
            begin, finish = max(opens, local_start), min(closes, local_end)
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600


def sla_window(start: dt.datetime, hours: int | None) -> tuple[dt.datetime | None,
                                                               dt.datetime | None]:
    """(at-risk moment, due moment) for a step of `hours` working hours starting at `start`."""
    if not hours:
        return None, None
    holidays = holidays_all()
    due = sla_due_at(start, hours, holidays=holidays)
    at_risk = sla_due_at(start, hours * (1 - at_risk_share_left()), holidays=holidays)
    return at_risk, due
