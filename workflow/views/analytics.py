"""Procedure analytics for admins: where a procedure spends its time, per step and department."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from amanah.charts import paired_bars_layout
from amanah.permissions import is_admin

from .. import selectors
from .common import forbidden, is_english


def _chart(rows: list[dict]) -> dict:
    """Bars of median and p90 working hours per row (the SLA's measure), in the page's
    reading direction."""
    return paired_bars_layout(
        [(row["label"], row["median_working_hours"], row["p90_working_hours"]) for row in rows],
        rtl=not is_english())


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
