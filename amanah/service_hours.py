"""The Amanah's service hours (`settings.SERVICE_HOURS`), read in one place.

The footer, the SLA calendar (workflow/working_time.py) and the analytics' working hours all
ask here, so changing the setting moves all three together. Times are Asia/Riyadh.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext, pgettext

# The Saudi week starts on Sunday: day lists and ranges read in this order.
_WEEK_ORDER = (6, 0, 1, 2, 3, 4, 5)


@dataclass(frozen=True)
class ServiceHours:
    days: frozenset[int]  # Python weekdays, Monday 0 … Sunday 6
    opens: dt.time
    closes: dt.time

    @property
    def closed_days(self) -> frozenset[int]:
        return frozenset(range(7)) - self.days


def _parse_time(value) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))


def _parse(source: dict) -> ServiceHours:
    days = frozenset(int(day) for day in source["days"])
    opens, closes = _parse_time(source["opens"]), _parse_time(source["closes"])
    if not days or not days <= frozenset(range(7)):
        raise ValueError("SERVICE_HOURS['days'] must be Python weekdays 0-6")
    if opens >= closes:
        raise ValueError("SERVICE_HOURS must open before it closes")
    return ServiceHours(days=days, opens=opens, closes=closes)


# (the settings dict it was parsed from, the parsed hours): the SLA calendar asks on every
# call, so parsing happens once per settings object (a test's override makes a new one).
_parsed: tuple[object, ServiceHours] | None = None


def service_hours() -> ServiceHours:
    global _parsed
    source = settings.SERVICE_HOURS
    cached = _parsed
    if cached is not None and cached[0] is source:
        return cached[1]
    hours = _parse(source)
    _parsed = (source, hours)
    return hours


def _days_text(days: frozenset[int]) -> str:
    ordered = [day for day in _WEEK_ORDER if day in days]
    if len(ordered) == 7:
        return gettext("every day")
    # A run of consecutive days (in the Saudi week, possibly wrapping) reads "Sunday to Thursday".
    for start in range(7):
        run = [_WEEK_ORDER[(start + step) % 7] for step in range(len(ordered))]
        if len(run) > 2 and frozenset(run) == days:
            return gettext("%(first)s to %(last)s") % {
                "first": WEEKDAYS[run[0]], "last": WEEKDAYS[run[-1]]}
    names = [str(WEEKDAYS[day]) for day in ordered]
    if len(names) == 1:
        return names[0]
    return gettext("%(days)s and %(last)s") % {
        "days": gettext(", ").join(names[:-1]), "last": names[-1]}


def _time_text(moment: dt.time) -> str:
    hour = moment.hour % 12 or 12
    half = (pgettext("time of day", "am") if moment.hour < 12
            else pgettext("time of day", "pm"))
    # Western digits in both languages, as every other figure on the portal's pages.
    return f"{hour}:{moment.minute:02d} {half}"


def service_days_text() -> str:
    """The working days in the active language, e.g. "Sunday to Thursday"."""
    return _days_text(service_hours().days)


def service_times_text() -> str:
    """Opening to closing in the active language, e.g. "8:00 am to 3:00 pm"."""
    hours = service_hours()
    return gettext("%(opens)s to %(closes)s") % {
        "opens": _time_text(hours.opens), "closes": _time_text(hours.closes)}
