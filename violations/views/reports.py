"""Staff reports on violations: counts and amounts by item, district, inspector and status,
and the collection rate (paid / billed) of fine bills per month with a chart drawn on the
server. For staff of violations in their municipalities (admins: all); 404 for anyone else."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from amanah import clock
from amanah.charts import bar_chart_svg
from amanah.dates import FIRST_SHOWABLE_DATE, business_date
from amanah.models import Municipality
from payments.forms import CollectionsWindowForm
from permits.public import district_names_in

from .. import selectors
from ..enums import NoticeKind, ViolationStatus

DEFAULT_DAYS = 365
MAX_DAYS = 3 * 366  # a bounded window keeps the chart (one bar a month) a fixed size


def _municipality_choice(request, allowed: set[int] | None) -> tuple[set[int] | None, str]:
    raw = request.GET.get("m", "")[:12]
    if not raw.isdigit():
        return allowed, ""
    chosen = int(raw)
    if allowed is not None and chosen not in allowed:
        raise Http404
    return {chosen}, raw


@login_required
@require_GET
def reports(request):
    allowed = selectors.reports_municipalities(request.user)
    if allowed is not None and not allowed:
        raise Http404
    scope, chosen = _municipality_choice(request, allowed)
    today = business_date(clock.now())
    window = CollectionsWindowForm(request.GET)
    dates = window.cleaned_data if window.is_valid() else {}
    date_to = dates.get("to") or today
    date_from = dates.get("from") or date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    date_from = max(date_from, date_to - dt.timedelta(days=MAX_DAYS - 1), FIRST_SHOWABLE_DATE)
    report = selectors.reports_summary(municipality_ids=scope, date_from=date_from,
                                       date_to=date_to)
    municipalities = Municipality.objects.order_by("code")
    if allowed is not None:
        municipalities = municipalities.filter(pk__in=allowed)
    language = (get_language() or "ar")[:2]
    statuses, kinds = dict(ViolationStatus.choices), dict(NoticeKind.choices)
    chart_title = _("Collection rate per month (%)")
    return render(request, "violations/reports/reports.html", {
        "r": report, "range_form": window, "municipalities": list(municipalities),
        "districts": district_names_in(scope),
        "chosen": chosen,
        "by_status": [{**row, "kind": kinds.get(row["kind"], row["kind"]),
                       "status": statuses.get(row["status"], row["status"])}
                      for row in report.by_status],
        "by_inspector": [{**row, "name": f"{row['first_name']} {row['last_name']}".strip()
                          or row["username"]} for row in report.by_inspector],
        "chart": bar_chart_svg([(m.month.strftime("%Y-%m"), m.rate or Decimal(0))
                                for m in report.per_month],
                               title=chart_title, rtl=language == "ar"),
        # A "%" in a template's {% translate %} is looked up as "%%" and never found: the
        # caption is translated here, once, with the chart's title.
        "chart_title": chart_title,
    }, status=400 if window.errors else 200)
