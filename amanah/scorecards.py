"""Pilot and branch scorecards: how each e-service does in each municipality, side by side.

`amanah` imports no app, so the figures come from providers the apps register in
`AppConfig.ready()` (`scorecard_provider_register`): workflow knows cases, payments knows bills
and money. A provider answers, for a period and a list of (e-service, municipality) pairs, the
figures it knows as `{(eservice_id, municipality_id): {metric_key: value}}`, in one or two
aggregate queries for all the pairs together — never one per pair.

Values: counts are ints, shares are fractions from 0 to 1 (shown and compared as percentages),
hours are floats, money is Decimal SAR. A share over no cases is None ("no figure"), not 0.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from .money import sar_format

Pair = tuple[int, int]  # (eservice id, municipality id)
Figures = dict[Pair, dict[str, object]]
Provider = Callable[..., Figures]


class Unit:
    COUNT = "count"
    SHARE = "share"
    HOURS = "hours"
    SAR = "sar"


@dataclass(frozen=True)
class Metric:
    key: str
    label: object  # a lazy translation
    unit: str
    higher_is_better: bool
    help_text: object = ""

    def comparable(self, value) -> Decimal | None:
        """The value in the unit thresholds are written in: a share as a percentage."""
        if value is None:
            return None
        number = Decimal(str(value))
        return number * 100 if self.unit == Unit.SHARE else number

    def display(self, value, language: str = "ar") -> str:
        """87%, 12.5 h, 1,000.00 SAR as the other pages write them; "—" when there is none."""
        if value is None:
            return "—"
        if self.unit == Unit.SHARE:
            return f"{Decimal(str(value)) * 100:,.0f}%"
        if self.unit == Unit.HOURS:
            hours = f"{Decimal(str(value)):,.1f}"
            return f"{hours} ساعة" if language.startswith("ar") else f"{hours} h"
        if self.unit == Unit.SAR:
            return sar_format(value, language)
        return number_format(int(value), force_grouping=True)

    def display_threshold(self, value, language: str = "ar") -> str:
        """A threshold as entered (a share already in percent)."""
        if self.unit == Unit.SHARE:
            return f"{Decimal(value):,.0f}%"
        return self.display(value, language)


# The declared table of figures, in the order pages show them.
METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric("cases", _("Transactions filed"), Unit.COUNT, True),
    Metric("adoption", _("Filed online"), Unit.SHARE, True,
           _("Share of the transactions filed in the period that were filed online rather "
             "than at the counter.")),
    Metric("median_hours", _("Median time"), Unit.HOURS, False,
           _("Working hours from submission to closing, for transactions closed in the "
             "period (withdrawn ones not counted).")),
    Metric("p90_hours", _("90th percentile time"), Unit.HOURS, False,
           _("Nine in ten closed transactions took at most this many working hours.")),
    Metric("sla_met", _("Closed within the SLA"), Unit.SHARE, True,
           _("Share of the transactions closed in the period that closed by their due "
             "time.")),
    Metric("returns", _("Returned to the applicant"), Unit.SHARE, False,
           _("Share of the transactions filed in the period that were sent back to the "
             "applicant at least once.")),
    Metric("payment_success", _("Bills paid"), Unit.SHARE, True,
           _("Paid bills ÷ bills issued in the period, cancelled bills not counted.")),
    Metric("collections", _("Collections"), Unit.SAR, True,
           _("Money applied to the service's bills in the period.")),
)}

METRIC_CHOICES = [(key, metric.label) for key, metric in METRICS.items()]
# The figure a pilot's volume is judged by (a threshold's "minimum number of transactions").
VOLUME_METRIC = "cases"

_providers: dict[str, Provider] = {}


def scorecard_provider_register(name: str, fn: Provider) -> None:
    """`fn(*, date_from, date_to, pairs) -> Figures`. Registering a name again replaces it
    (ready() may run twice)."""
    _providers[name] = fn


def scorecard_figures(*, date_from: dt.date, date_to: dt.date,
                      pairs: Iterable[Pair]) -> Figures:
    """Every provider's figures for the pairs, merged; a pair no provider knows gets {}.
    `date_from` and `date_to` are business days (Riyadh), both included."""
    pairs = sorted(set(pairs))
    merged: Figures = {pair: {} for pair in pairs}
    if not pairs:
        return merged
    for name in sorted(_providers):
        for pair, figures in _providers[name](date_from=date_from, date_to=date_to,
                                              pairs=pairs).items():
            if pair in merged:
                merged[pair].update(figures)
    return merged


def metric_label(key: str) -> str:
    metric = METRICS.get(key)
    return str(metric.label) if metric else key
