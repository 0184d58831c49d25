"""Working time on the Amanah's calendar: Sunday to Thursday, 08:00–15:00 Asia/Riyadh
(government working hours), minus the holidays admins enter. SLAs count only this time."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings

from amanah.dates import RIYADH

WEEKEND = frozenset({4, 5})  # Friday, Saturday (Monday is 0)
DAY_START = dt.time(8, 0)
DAY_END = dt.time(15, 0)
# A step is "at risk" once only this share of its SLA is left.
AT_RISK_SHARE_LEFT = 0.25
_MAX_DAYS = 3660


def holidays_all() -> frozenset[dt.date]:
    """Every holiday on the calendar, from this process's copy (see `HOLIDAY_CALENDAR`)."""
    from .models import HOLIDAY_CALENDAR

    return HOLIDAY_CALENDAR.get()


def at_risk_share_left() -> float:
    return float(getattr(settings, "WORKFLOW_SLA_AT_RISK_SHARE_LEFT", AT_RISK_SHARE_LEFT))


def is_working_day(day: dt.date, holidays: Iterable[dt.date] = ()) -> bool:
    return day.weekday() not in WEEKEND and day not in holidays


def sla_due_at(start: dt.datetime, hours: float,
               *, holidays: Iterable[dt.date] | None = None) -> dt.datetime:
    """The moment `hours` of working time after `start` (an aware datetime), in Riyadh time.

    Time outside working hours does not count: a case submitted on Thursday evening starts
    its clock on Sunday at 08:00.
    """
    local = start.astimezone(RIYADH)
    holidays = frozenset(holidays) if holidays is not None else holidays_all()
    remaining = dt.timedelta(hours=hours)
    day = local.date()
    cursor = local
    for _ in range(_MAX_DAYS):
        if is_working_day(day, holidays):
            opens = dt.datetime.combine(day, DAY_START, tzinfo=RIYADH)
            closes = dt.datetime.combine(day, DAY_END, tzinfo=RIYADH)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    # Exactly at closing time stays "today at 15:00", not tomorrow's opening.
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
    local_start, local_end = start.astimezone(RIYADH), end.astimezone(RIYADH)
    holidays = frozenset(holidays) if holidays is not None else holidays_all()
    total = dt.timedelta()
    day = local_start.date()
    while day <= local_end.date():
        if is_working_day(day, holidays):
            opens = dt.datetime.combine(day, DAY_START, tzinfo=RIYADH)
            closes = dt.datetime.combine(day, DAY_END, tzinfo=RIYADH)
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
