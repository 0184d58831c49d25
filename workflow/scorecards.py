"""Workflow's figures for the pilot and branch scorecards (`amanah.scorecards`), per e-service
(a case's definition's) and municipality, in two aggregate queries for every pair at once:

- filed in the period (by `submitted_at`): `cases`, `adoption` (share filed online), `returns`
  (share sent back to the applicant at least once — an event into an "awaiting the applicant"
  state, as the analytics page counts them);
- closed in the period (by `closed_at`, withdrawn cases left out: their time is the
  applicant's choice, not the service's): `median_hours` and `p90_hours` from submission to
  closing in working hours on the SLA calendar (the analytics page's), and `sla_met` (share of
  those with a due time that closed by it).
"""

import datetime as dt
import statistics
from collections import defaultdict

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q

from amanah import clock
from amanah.dates import RIYADH
from amanah.scorecards import Figures, Pair

from . import working_time
from .enums import CaseChannel, StatusCategory
from .models import Case, CaseEvent, Holiday, WorkflowDefinition
from .selectors.analytics import _calendar_params, _percentile


def period_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The business days from `date_from` to `date_to` (both included) as [start, end)."""
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=RIYADH)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=RIYADH)
    return start, end


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _filed(pairs: list[Pair], start: dt.datetime, end: dt.datetime) -> Figures:
    returned = CaseEvent.objects.filter(case_id=OuterRef("pk"),
                                        to_state__category=StatusCategory.AWAITING_APPLICANT)
    rows = (Case.objects
            .filter(submitted_at__gte=start, submitted_at__lt=end,
                    definition__eservice_id__in={e for e, _ in pairs},
                    municipality_id__in={m for _, m in pairs})
            .values("definition__eservice_id", "municipality_id")
            .annotate(cases=Count("id"),
                      online=Count("id", filter=Q(channel=CaseChannel.ONLINE)),
                      returned=Count("id", filter=Exists(returned)))
            .order_by())
    return {(row["definition__eservice_id"], row["municipality_id"]): {
        "cases": row["cases"], "adoption": _share(row["online"], row["cases"]),
        "returns": _share(row["returned"], row["cases"])} for row in rows}


# Working seconds of each closed case on the SLA calendar, clipped day by day as the analytics
# page measures stays (one generated row per calendar day a case was open).
_CLOSED_SQL = """
WITH calendar AS (
    SELECT %s::timestamptz AS now, %s::text AS tz, %s::time AS day_start, %s::time AS day_end,
           %s::int[] AS weekend
), closed AS (
    SELECT d.eservice_id, c.municipality_id, c.submitted_at AS entered, c.closed_at AS left_at,
           c.due_at, calendar.*
    FROM {case} c JOIN {definition} d ON d.id = c.definition_id CROSS JOIN calendar
    WHERE d.eservice_id = ANY(%s) AND c.municipality_id = ANY(%s)
      AND c.closed_at >= %s AND c.closed_at < %s AND c.category <> %s
), measured AS (
    SELECT closed.eservice_id, closed.municipality_id, closed.due_at, closed.left_at,
           COALESCE((
               SELECT SUM(GREATEST(0, EXTRACT(EPOCH FROM (
                   LEAST(closed.left_at,
                         (days.day::date + closed.day_end) AT TIME ZONE closed.tz)
                   - GREATEST(closed.entered,
                              (days.day::date + closed.day_start) AT TIME ZONE closed.tz)))))
               FROM generate_series((closed.entered AT TIME ZONE closed.tz)::date,
                                    (closed.left_at AT TIME ZONE closed.tz)::date,
                                    interval '1 day') AS days(day)
               WHERE EXTRACT(ISODOW FROM days.day)::int <> ALL(closed.weekend)
                 AND NOT EXISTS (SELECT 1 FROM {holiday} h WHERE h.date = days.day::date)
           ), 0) / 3600.0 AS working_hours
    FROM closed
)
SELECT eservice_id, municipality_id,
       COUNT(*) FILTER (WHERE due_at IS NOT NULL),
       COUNT(*) FILTER (WHERE due_at IS NOT NULL AND left_at <= due_at),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY working_hours),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY working_hours)
FROM measured
GROUP BY eservice_id, municipality_id
"""


def _closed(pairs: list[Pair], start: dt.datetime, end: dt.datetime) -> Figures:
    eservice_ids = sorted({e for e, _ in pairs})
    municipality_ids = sorted({m for _, m in pairs})
    if connection.vendor == "postgresql":
        sql = _CLOSED_SQL.format(case=Case._meta.db_table,
                                 definition=WorkflowDefinition._meta.db_table,
                                 holiday=Holiday._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*_calendar_params(clock.now()), eservice_ids,
                                 municipality_ids, start, end, StatusCategory.CANCELLED.value])
            rows = cursor.fetchall()
        return {(e, m): _closed_figures(with_due, met, median, p90)
                for e, m, with_due, met, median, p90 in rows}
    # SQLite (`make run`) has no percentile_cont: the same figures in Python.
    holidays = frozenset(Holiday.objects.values_list("date", flat=True))
    measured: dict[Pair, list[tuple[float, bool | None]]] = defaultdict(list)
    for row in (Case.objects.filter(definition__eservice_id__in=eservice_ids,
                                    municipality_id__in=municipality_ids, closed_at__gte=start,
                                    closed_at__lt=end)
                .exclude(category=StatusCategory.CANCELLED)
                .values_list("definition__eservice_id", "municipality_id", "submitted_at",
                             "closed_at", "due_at")):
        eservice_id, municipality_id, submitted_at, closed_at, due_at = row
        hours = working_time.working_hours_between(submitted_at, closed_at, holidays=holidays)
        measured[eservice_id, municipality_id].append(
            (hours, None if due_at is None else closed_at <= due_at))
    result = {}
    for pair, cases in measured.items():
        hours = [h for h, _ in cases]
        with_due = [met for _, met in cases if met is not None]
        result[pair] = _closed_figures(len(with_due), sum(with_due),
                                       statistics.median(hours), _percentile(hours, 0.9))
    return result


def _closed_figures(with_due: int, met: int, median, p90) -> dict:
    return {"median_hours": round(float(median), 2), "p90_hours": round(float(p90), 2),
            "sla_met": _share(met, with_due)}


def workflow_scorecard(*, date_from: dt.date, date_to: dt.date, pairs: list[Pair]) -> Figures:
    """The workflow figures of every pair (two queries; three on SQLite)."""
    start, end = period_bounds(date_from, date_to)
    wanted = set(pairs)
    # No case filed is a figure too (0), where the shares have none.
    figures: Figures = {pair: {"cases": 0} for pair in wanted}
    for part in (_filed(pairs, start, end), _closed(pairs, start, end)):
        for pair, values in part.items():
            if pair in wanted:
                figures[pair].update(values)
    return figures
