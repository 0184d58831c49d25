"""Procedure analytics: where a procedure spends its time, per step and department, by the
wall clock and on the SLA calendar; and the lists its page chooses from."""

import datetime as dt
import statistics
from collections import defaultdict

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from amanah import clock
from amanah.dates import RIYADH
from amanah.models import Department, Municipality

from .. import working_time
from ..enums import SlaStatus, StatusCategory
from ..models import Case, DefinitionVersion, State, WorkflowDefinition

_TERMINAL_SQL = ", ".join(f"'{c}'" for c in sorted(StatusCategory.terminal()))

# One row per stay: consecutive events that leave the key (state or department) unchanged are
# one stay; a final state ends the stay and is not itself timed.
_STAYS_SQL = """
WITH ev AS (
    SELECT e.case_id, e.seq, e.at AS created_at,
           CASE WHEN s.category IN ({terminal}) THEN NULL ELSE e.{key} END AS key
    FROM workflow_caseevent e
    JOIN workflow_case c ON c.id = e.case_id
    JOIN workflow_state s ON s.id = e.to_state_id
    WHERE c.definition_id = %s {municipality} AND e.kind IN ({kinds})
), marked AS (
    SELECT ev.*, LAG(key) OVER (PARTITION BY case_id ORDER BY seq) AS previous_key,
           ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY seq) AS position
    FROM ev
), changes AS (
    SELECT case_id, seq, created_at, key FROM marked
    WHERE position = 1 OR key IS DISTINCT FROM previous_key
), stays AS (
    SELECT key, created_at,
           LEAD(created_at) OVER (PARTITION BY case_id ORDER BY seq) AS left_at
    FROM changes
)
"""

_STAYS_SELECT_SQL = "SELECT key, created_at, left_at FROM stays WHERE key IS NOT NULL"

# Each stay measured twice: wall-clock hours, and working hours on the SLA calendar of
# working_time.py (settings.SERVICE_HOURS in Riyadh time, minus admins' holidays), computed in the
# database: one generated row per calendar day a stay spans, clipped to that day's working
# hours. Cost: O(calendar days covered by all stays), a few hundred thousand rows for ten
# thousand cases, in the same single query as before.
_PERCENTILES_SQL = """
, calendar AS (
    SELECT %s::timestamptz AS now, %s::text AS tz, %s::time AS day_start, %s::time AS day_end,
           %s::int[] AS weekend
), spans AS (
    SELECT stays.key, stays.created_at AS entered,
           COALESCE(stays.left_at, calendar.now) AS left_at, calendar.*
    FROM stays CROSS JOIN calendar WHERE stays.key IS NOT NULL
), measured AS (
    SELECT spans.key,
           EXTRACT(EPOCH FROM (spans.left_at - spans.entered)) / 3600.0 AS hours,
           COALESCE((
               SELECT SUM(GREATEST(0, EXTRACT(EPOCH FROM (
                   LEAST(spans.left_at, (days.day::date + spans.day_end) AT TIME ZONE spans.tz)
                   - GREATEST(spans.entered,
                              (days.day::date + spans.day_start) AT TIME ZONE spans.tz)))))
               FROM generate_series((spans.entered AT TIME ZONE spans.tz)::date,
                                    (spans.left_at AT TIME ZONE spans.tz)::date,
                                    interval '1 day') AS days(day)
               WHERE EXTRACT(ISODOW FROM days.day)::int <> ALL(spans.weekend)
                 AND NOT EXISTS (SELECT 1 FROM workflow_holiday h
                                 WHERE h.date = days.day::date)
           ), 0) / 3600.0 AS working_hours
    FROM spans
)
SELECT key, COUNT(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY hours),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY hours),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY working_hours),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY working_hours)
FROM measured
GROUP BY key
"""


def _calendar_params(now: dt.datetime) -> list:
    """The working_time calendar as SQL parameters, so the database and Python agree."""
    return [now, str(RIYADH), working_time.DAY_START, working_time.DAY_END,
            # ISO day numbers (Monday 1 … Sunday 7) from Python's weekday (Monday 0).
            sorted(day + 1 for day in working_time.WEEKEND)]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


Spent = tuple[int, float, float, float, float]


def _time_spent(definition: WorkflowDefinition, key: str, now: dt.datetime,
                municipality: Municipality | None) -> dict[int, Spent]:
    """{state or department id: (stays, median and p90 wall-clock hours, median and p90
    working hours)}. One query on PostgreSQL; two elsewhere (the holidays)."""
    # A transfer keeps the state, so it starts a department stay but not a state stay.
    kinds = ("'submitted', 'routed', 'transition'" if key == "to_state_id"
             else "'submitted', 'routed', 'transition', 'transferred'")
    # Only constants of this module are formatted in; every value goes as a parameter.
    sql = _STAYS_SQL.format(terminal=_TERMINAL_SQL, key=key, kinds=kinds,
                            municipality="AND c.municipality_id = %s" if municipality else "")
    params = [definition.pk] + ([municipality.pk] if municipality else [])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql + _PERCENTILES_SQL, [*params, *_calendar_params(now)])
            return {row[0]: (row[1], *(float(v) for v in row[2:])) for row in cursor.fetchall()}
        # Other databases (SQLite for `make run`) lack percentile_cont and generate_series:
        # the same numbers in Python, working time with working_time.py itself.
        cursor.execute(sql + _STAYS_SELECT_SQL, params)
        rows = cursor.fetchall()
    from ..models import Holiday

    holidays = frozenset(Holiday.objects.values_list("date", flat=True))
    spans: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for item, entered, left in rows:
        entered_at, left_at = _as_datetime(entered), _as_datetime(left) if left else now
        spans[item].append((
            (left_at - entered_at).total_seconds() / 3600,
            working_time.working_hours_between(entered_at, left_at, holidays=holidays)))
    result = {}
    for item, pairs in spans.items():
        wall, work = [p[0] for p in pairs], [p[1] for p in pairs]
        result[item] = (len(pairs), statistics.median(wall), _percentile(wall, 0.9),
                        statistics.median(work), _percentile(work, 0.9))
    return result


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def procedure_analytics(*, definition: WorkflowDefinition,
                        municipality: Municipality | None = None) -> dict:
    """Where a procedure spends its time: median and 90th percentile hours per state and per
    department, how often cases go back to the applicant, how many are overdue.

    Each time is given twice: `*_working_hours` on the SLA calendar (what the SLA counts, so
    the figure to compare with a step's SLA and the one rows are sorted by) and `*_hours` by
    the wall clock (what the citizen waits). Five queries whatever the number of cases.
    """
    now = clock.now()
    cases = Case.objects.filter(definition=definition)
    if municipality is not None:
        cases = cases.filter(municipality=municipality)
    totals = cases.aggregate(
        total=Count("id", distinct=True),
        open=Count("id", distinct=True, filter=~Q(category__in=StatusCategory.terminal())),
        overdue_open=Count("id", distinct=True, filter=Q(sla_status=SlaStatus.OVERDUE)
                           & ~Q(category__in=StatusCategory.terminal())),
        at_risk_open=Count("id", distinct=True, filter=Q(sla_status=SlaStatus.AT_RISK)
                           & ~Q(category__in=StatusCategory.terminal())),
        returned=Count("id", distinct=True, filter=Q(
            events__to_state__category=StatusCategory.AWAITING_APPLICANT)),
        escalated=Count("escalations__case", distinct=True),
    )
    by_state = _time_spent(definition, "to_state_id", now, municipality)
    by_department = _time_spent(definition, "to_department_id", now, municipality)
    states = {s.pk: s for s in State.objects.filter(pk__in=by_state)}
    departments = {d.pk: d for d in Department.objects.filter(pk__in=by_department)
                   .select_related("municipality")}
    # States of different versions share a code; the analysis is per step, not per version.
    merged: dict[str, dict] = {}
    for state_id, spent in by_state.items():
        state = states[state_id]
        row = merged.setdefault(state.code, {"code": state.code, "name_ar": state.name_ar,
                                             "name_en": state.name_en,
                                             "category": state.category,
                                             "sla_hours": state.sla_hours, "rows": []})
        row["rows"].append(spent)
    state_rows = []
    for row in merged.values():
        parts = row.pop("rows")
        visits = sum(p[0] for p in parts)

        def blend(index: int, parts=parts, visits=visits) -> float:
            # Exact when one version is in play (the usual case); visit-weighted otherwise.
            return round(sum(p[0] * p[index] for p in parts) / visits, 2)

        row.update(visits=visits, **_figures(*(blend(i) for i in range(1, 5))))
        state_rows.append(row)
    department_rows = [{
        "department_id": pk, "code": departments[pk].code,
        "municipality": departments[pk].municipality.code,
        "name_ar": departments[pk].name_ar, "name_en": departments[pk].name_en,
        "visits": spent[0], **_figures(*(round(v, 2) for v in spent[1:])),
    } for pk, spent in by_department.items()]
    total = totals["total"]
    return {
        "definition": definition.code,
        "municipality": municipality.code if municipality else None,
        "cases_total": total,
        "cases_open": totals["open"],
        "returned_to_applicant": totals["returned"],
        "returned_share": round(totals["returned"] / total, 4) if total else 0.0,
        "overdue_open": totals["overdue_open"],
        "at_risk_open": totals["at_risk_open"],
        "escalated_cases": totals["escalated"],
        "states": sorted(state_rows, key=_slowest_first),
        "departments": sorted(department_rows, key=_slowest_first),
    }


def _figures(median: float, p90: float, median_working: float, p90_working: float) -> dict:
    return {"median_hours": median, "p90_hours": p90,
            "median_working_hours": median_working, "p90_working_hours": p90_working}


def _slowest_first(row: dict) -> tuple[float, float]:
    return (-row["median_working_hours"], -row["median_hours"])


def definition_list(*, municipality: Municipality | None = None) -> QuerySet[WorkflowDefinition]:
    """Definitions with their published version prefetched, for admin screens and analytics."""
    queryset = WorkflowDefinition.objects.select_related("municipality").prefetch_related(
        Prefetch("versions", queryset=DefinitionVersion.objects.order_by("-number")))
    if municipality is not None:
        queryset = queryset.filter(municipality=municipality)
    return queryset.order_by("code", "municipality__code")


def municipality_list() -> list[Municipality]:
    return list(Municipality.objects.order_by("kind", "code"))
