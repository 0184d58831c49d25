"""Procedure analytics for admins: where a procedure spends its time, per step and department."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.formats import number_format

from amanah.permissions import is_admin

from .. import selectors
from .common import forbidden, is_english

CHART_BAR_HEIGHT = 22
CHART_GAP = 14
CHART_LABEL_WIDTH = 230
CHART_PLOT_WIDTH = 460


def _chart(rows: list[dict]) -> dict:
    """Bars of median and p90 working hours per row (the SLA's measure), laid out for an
    inline SVG (no JavaScript).

    The SVG itself is drawn left to right; for Arabic the layout is mirrored here (labels on
    the right, bars growing leftwards), so the chart reads the same way as the page.
    """
    peak = max([r["p90_working_hours"] for r in rows]
               + [r["median_working_hours"] for r in rows] + [1.0])
    rtl = not is_english()
    width = CHART_LABEL_WIDTH + CHART_PLOT_WIDTH + 70
    bars = []
    for index, row in enumerate(rows):
        top = index * (2 * CHART_BAR_HEIGHT + CHART_GAP)
        parts = []
        for offset, value in ((0, row["median_working_hours"]),
                              (CHART_BAR_HEIGHT, row["p90_working_hours"])):
            length = max(1.0, round(CHART_PLOT_WIDTH * value / peak, 1))
            if rtl:
                bar_x = width - CHART_LABEL_WIDTH - length
                value_x, value_anchor = bar_x - 6, "end"
            else:
                bar_x = CHART_LABEL_WIDTH
                value_x, value_anchor = bar_x + length + 6, "start"
            parts.append({"x": round(bar_x, 1), "y": top + offset, "width": length,
                          "value": number_format(value, 1), "value_x": round(value_x, 1),
                          "value_y": top + offset + CHART_BAR_HEIGHT - 8,
                          "value_anchor": value_anchor})
        bars.append({
            "label": _label_dict(row), "label_y": top + CHART_BAR_HEIGHT + 4,
            "label_x": width - 10 if rtl else CHART_LABEL_WIDTH - 10,
            "label_anchor": "end", "median": parts[0], "p90": parts[1],
        })
    height = max(1, len(rows)) * (2 * CHART_BAR_HEIGHT + CHART_GAP)
    return {"bars": bars, "height": height, "width": width,
            "bar_height": CHART_BAR_HEIGHT - 3}


def _label_dict(row: dict) -> str:
    return (row.get("name_en") or row.get("name_ar", "")) if is_english() \
        else row.get("name_ar", "")


@login_required
def analytics(request):
    if not is_admin(request.user):
        return forbidden(request)
    definitions = list(selectors.definition_list())
    municipalities = selectors.municipality_list()
    chosen = _pick(definitions, request.GET.get("definition")) or next(iter(definitions), None)
    municipality = _pick(municipalities, request.GET.get("municipality"))
    report = None
    if chosen is not None:
        report = selectors.procedure_analytics(definition=chosen, municipality=municipality)
        for row in report["departments"]:
            row["label"] = _label_dict(row)
        for row in report["states"]:
            row["label"] = _label_dict(row)
    return render(request, "workflow/analytics.html", {
        "definitions": definitions, "municipalities": municipalities, "chosen": chosen,
        "municipality": municipality, "report": report,
        "returned_percent": round(report["returned_share"] * 100, 1) if report else None,
        "state_chart": _chart(report["states"]) if report else None,
        "department_chart": _chart(report["departments"]) if report else None,
    })


def _pick(objects: list, raw: str | None):
    if not raw or not str(raw).isdigit():
        return None
    return next((o for o in objects if o.pk == int(raw)), None)
