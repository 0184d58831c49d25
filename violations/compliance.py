"""Compliance points of an establishment (0–100) over the last 365 days, and the risk band
that sets how often it is visited on routine.

    100 − 25 per serious fine line − 10 per other fine line − 5 per warning line
        − 10 per warned item not corrected − 5 per fine notice unpaid past its bill's due date
        + 2 per clean inspection (no "does not comply"), kept within 0..100.

Fine lines count once approved (payable, under objection or paid); a fine not confirmed or
cancelled on objection does not. Bands: ≥ 80 low (a routine visit every 365 days), 50–79
medium (180), < 50 high (90). Two queries, whatever the history.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from amanah import clock
from amanah.dates import business_date

from .enums import Answer, InspectionStatus, LineStatus, NoticeKind
from .models import Inspection, ViolationLine

WINDOW = dt.timedelta(days=365)
SERIOUS_FINE, OTHER_FINE, WARNING_LINE, UNCORRECTED, OVERDUE_FINE = 25, 10, 5, 10, 5
CLEAN_INSPECTION = 2
APPROVED_FINE_STATUSES = frozenset({LineStatus.PAYABLE, LineStatus.OBJECTED, LineStatus.PAID})


class RiskBand:
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


# (lowest points of the band, band, days between routine visits), from the best band down
BANDS = ((80, RiskBand.LOW, 365), (50, RiskBand.MEDIUM, 180), (0, RiskBand.HIGH, 90))


@dataclass(frozen=True)
class CompliancePoints:
    establishment_id: int
    on: dt.date
    points: int
    band: str
    interval_days: int
    # (reason in Arabic, reason in English, points taken off — or added, as a negative)
    deductions: list[tuple[str, str, int]] = field(default_factory=list)
    # (what to do in Arabic, in English)
    how_to_raise: list[tuple[str, str]] = field(default_factory=list)


def band_of(points: int) -> tuple[str, int]:
    for lowest, band, interval in BANDS:
        if points >= lowest:
            return band, interval
    return BANDS[-1][1], BANDS[-1][2]


def compliance_points(establishment_id: int, on: dt.date | None = None) -> CompliancePoints:
    """The establishment's compliance points on `on` (today), why, and what would raise
    them. (Positional or keyword: the design names it both ways.)"""
    on = on or business_date(clock.now())
    since = on - WINDOW
    lines = list(ViolationLine.objects.filter(
        violation__establishment_id=establishment_id,
        violation__recorded_at__date__gt=since, violation__recorded_at__date__lte=on,
    ).values_list("violation_id", "violation__kind", "status", "item__is_serious",
                  "bill__due_date"))
    serious = other = warnings = uncorrected = open_warnings = 0
    overdue_notices: set[int] = set()
    for violation_id, kind, status, is_serious, due_date in lines:
        if kind == NoticeKind.WARNING:
            warnings += 1
            uncorrected += status == LineStatus.UNCORRECTED
            open_warnings += status == LineStatus.WARNED
        elif status in APPROVED_FINE_STATUSES:
            if is_serious:
                serious += 1
            else:
                other += 1
            if status == LineStatus.PAYABLE and due_date is not None and due_date < on:
                overdue_notices.add(violation_id)
    clean = (Inspection.objects.filter(
        establishment_id=establishment_id, status=InspectionStatus.SUBMITTED,
        submitted_at__date__gt=since, submitted_at__date__lte=on)
        .annotate(no_answers=Count("findings", filter=Q(findings__answer=Answer.NO)))
        .filter(no_answers=0).count())

    deductions: list[tuple[str, str, int]] = []

    def take(count: int, each: int, ar: str, en: str) -> None:
        if count:
            deductions.append((f"{ar} ({count})", f"{en} ({count})", count * each))

    take(serious, SERIOUS_FINE, "مخالفات جسيمة", "Serious fines")
    take(other, OTHER_FINE, "مخالفات أخرى", "Other fines")
    take(warnings, WARNING_LINE, "إنذارات", "Warnings")
    take(uncorrected, UNCORRECTED, "ملاحظات لم تُصحَّح", "Warnings not corrected")
    take(len(overdue_notices), OVERDUE_FINE, "غرامات متأخرة السداد", "Fines unpaid past due")
    if clean:
        deductions.append((f"جولات رقابية سليمة ({clean})", f"Clean inspections ({clean})",
                           -clean * CLEAN_INSPECTION))
    points = max(0, min(100, 100 - sum(d[2] for d in deductions)))
    band, interval = band_of(points)

    how_to_raise: list[tuple[str, str]] = []
    if overdue_notices:
        how_to_raise.append(("سدّد الغرامة المتأخرة", "Pay the overdue fine"))
    if open_warnings:
        how_to_raise.append(("صحّح الملاحظة المفتوحة قبل موعدها",
                             "Correct the open warning before its deadline"))
    if points < 100:
        how_to_raise.append(("جولة رقابية سليمة تضيف نقطتين",
                             "A clean inspection adds 2 points"))
    return CompliancePoints(establishment_id=establishment_id, on=on, points=points, band=band,
                            interval_days=interval, deductions=deductions,
                            how_to_raise=how_to_raise)


def routine_plan_make(*, on: dt.date | None = None) -> int:
    """The daily routine plan (see violations.planning.routine_plan_make); here too because the
    design names it in this module."""
    from .planning import routine_plan_make as make

    return make(on=on)
