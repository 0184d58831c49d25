"""Reads of the fee schedule pages; each runs a fixed number of queries however many fees,
periods or bills there are."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from amanah.models import Municipality

from .models import Bill, FeeSchedule
from .services.fee_periods import fee_in_force, fee_series


@dataclass
class FeeRow:
    """One fee (service × class × component × variant) and its periods, oldest first."""

    periods: list[FeeSchedule] = field(default_factory=list)
    current: FeeSchedule | None = None
    next: FeeSchedule | None = None

    @property
    def shown(self) -> FeeSchedule:
        # The period in force, else the next one, else the last that ended.
        return self.current or self.next or self.periods[-1]


def fee_list(*, today: dt.date, eservice_id: int | None = None,
             municipality_class: int | None = None) -> list[FeeRow]:
    qs = FeeSchedule.objects.select_related("eservice")
    if eservice_id is not None:
        qs = qs.filter(eservice_id=eservice_id)
    if municipality_class is not None:
        qs = qs.filter(municipality_class=municipality_class)
    rows: dict[tuple, FeeRow] = {}
    for period in qs.order_by("eservice__display_order", "eservice__code", "municipality_class",
                              "component", "variant", "effective_from"):
        key = (period.eservice_id, period.municipality_class, period.component, period.variant)
        rows.setdefault(key, FeeRow()).periods.append(period)
    for row in rows.values():
        row.current = fee_in_force(row.periods, today)
        row.next = next((p for p in row.periods if p.effective_from > today), None)
    return list(rows.values())


def municipalities_by_class() -> dict[int, list[Municipality]]:
    """Classes 1 to 5, each with its active municipalities (a class may have none)."""
    found: dict[int, list[Municipality]] = {n: [] for n in range(1, 6)}
    for municipality in Municipality.objects.filter(is_active=True).order_by("kind", "code"):
        found[municipality.municipality_class].append(municipality)
    return found


@dataclass
class PeriodUsage:
    period: FeeSchedule
    bills: int
    total: Decimal
    added_by: object  # a User, or None: added outside a signed-in request, or before history
    added_at: dt.datetime
    has_history: bool
    changes: list  # later historical records: who changed the period and when


def fee_detail(*, fee_id: int) -> tuple[FeeSchedule, list[PeriodUsage]] | None:
    """A fee's periods (newest first) with the bills issued under each and who added it."""
    fee = FeeSchedule.objects.select_related("eservice").filter(pk=fee_id).first()
    if fee is None:
        return None
    periods = list(fee_series(fee).order_by("-effective_from"))
    ids = [p.pk for p in periods]
    usage = {row["fee_schedule_id"]: row for row in
             Bill.objects.filter(fee_schedule_id__in=ids).values("fee_schedule_id")
             .annotate(bills=Count("pk"), total=Sum("amount"))}
    history: dict[int, list] = {}
    for record in (FeeSchedule.history.filter(id__in=ids).select_related("history_user")
                   .order_by("history_date", "history_id")):
        history.setdefault(record.id, []).append(record)
    result = []
    for period in periods:
        records = history.get(period.pk, [])
        created = next((r for r in records if r.history_type == "+"), None)
        used = usage.get(period.pk, {})
        result.append(PeriodUsage(
            period=period, bills=used.get("bills", 0), total=used.get("total") or Decimal("0"),
            added_by=created.history_user if created else None,
            added_at=created.history_date if created else period.created_at,
            has_history=created is not None,
            changes=[r for r in records if r.history_type == "~"]))
    return fee, result
