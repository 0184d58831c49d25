"""The rollout matrix, the pilot and branch scorecards, and the pilot thresholds (issue 12).
Thin: forms check shape, amanah.rollout decides, amanah.selectors_rollout reads."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import clock
from .dates import business_date
from .enums import RolloutState
from .errors import DomainError
from .forms_rollout import RolloutChangeForm, ScorecardForm, ThresholdForm, ThresholdRemoveForm
from .page_access import forbidden
from .permissions import is_portal_admin
from .rollout import (
    may_set_thresholds,
    pilot_gate_days,
    pilot_gate_evaluate,
    pilot_threshold_remove,
    pilot_threshold_set,
    rollout_state_set,
)
from .scorecard_chart import scorecard_chart_svg
from .scorecards import METRICS
from .selectors_rollout import (
    eservice_list,
    pilot_threshold_list,
    rollout_history,
    rollout_state_get,
    scorecard_for,
    scorecard_municipality_ids,
)
from .selectors_rollout import (
    rollout_matrix as matrix_read,
)

SCORECARD_DAYS = 90
DEFAULT_CHART_METRIC = "adoption"


def _language() -> str:
    return get_language() or "ar"


def _name(named) -> str:
    return named.name_en or named.name_ar if _language().startswith("en") else named.name_ar


def _state_label(state: str) -> str:
    return str(RolloutState(state).label)


@login_required
def rollout_matrix(request):
    user = request.user
    if not is_portal_admin(user):
        return forbidden(request)
    municipalities, rows = matrix_read(user=user, at=clock.now())
    language = _language()
    for row in rows:
        for cell in row.cells:
            cell_label = _("State of %(service)s in %(municipality)s") % {
                "service": _name(row.eservice), "municipality": _name(cell.municipality)}
            cell.select_label = cell_label
            cell.reasons = cell.gate.reasons(language) if cell.gate else []
    return render(request, "amanah/rollout/matrix.html", {
        "municipalities": municipalities, "rows": rows, "states": RolloutState.choices,
        "history": rollout_history(user=user), "gate_days": pilot_gate_days(),
        "may_set_thresholds": may_set_thresholds(user)})


def _confirm_question(eservice, municipality, state: str) -> str:
    names = {"service": _name(eservice), "municipality": _name(municipality)}
    if state == RolloutState.LIVE:
        return _("Switch %(service)s to live in %(municipality)s? All residents will be able "
                 "to use it.") % names
    if state == RolloutState.PILOT:
        return _("Switch %(service)s to pilot in %(municipality)s? Only its residents and "
                 "staff will be able to use it.") % names
    return _("Switch %(service)s off in %(municipality)s? Nobody will be able to start it "
             "there; transactions already filed carry on.") % names


@login_required
@require_http_methods(["GET", "POST"])
def rollout_change(request):
    """POST from a matrix cell: first the confirmation, in words; confirmed, the change."""
    user = request.user
    if not is_portal_admin(user):
        return forbidden(request)
    if request.method == "GET":
        return redirect("amanah:rollout_matrix")
    form = RolloutChangeForm(request.POST)
    if not form.is_valid():
        if {"eservice", "municipality", "state"} & set(form.errors):
            return redirect("amanah:rollout_matrix")
        return _confirm_page(request, form, status=400)
    data = form.cleaned_data
    if data["confirmed"]:
        try:
            rollout_state_set(eservice=data["eservice"], municipality=data["municipality"],
                              state=data["state"], actor=user, reason=data["reason"])
        except DomainError as error:
            form.add_error("state" if error.field == "state" else None, error.message)
            return _confirm_page(request, form, status=error.status)
        messages.success(request, _("%(service)s is now “%(state)s” in %(municipality)s.") % {
            "service": _name(data["eservice"]), "state": _state_label(data["state"]),
            "municipality": _name(data["municipality"])})
        return redirect(reverse("amanah:rollout_matrix") + "#history")
    return _confirm_page(request, form)


def _confirm_page(request, form, status: int = 200):
    data = form.cleaned_data
    eservice, municipality = data["eservice"], data["municipality"]
    state = data.get("state") or form.data.get("state") or RolloutState.OFF
    current = rollout_state_get(eservice=eservice, municipality=municipality)
    gate = None
    if current == RolloutState.PILOT and state == RolloutState.LIVE:
        gate = pilot_gate_evaluate(eservice=eservice, municipality=municipality)
    confirm = RolloutChangeForm(initial={"eservice": eservice.pk,
                                         "municipality": municipality.pk, "state": state,
                                         "confirmed": True,
                                         "reason": form.data.get("reason", "")})
    return render(request, "amanah/rollout/confirm.html", {
        "form": form, "confirm": confirm, "eservice": eservice, "municipality": municipality,
        "state": state, "state_label": _state_label(state) if state in RolloutState.values
        else state, "current_label": _state_label(current), "unchanged": state == current,
        "question": _confirm_question(eservice, municipality, state), "gate": gate,
        "gate_reasons": gate.reasons(_language()) if gate else []}, status=status)


@login_required
def scorecards(request):
    user = request.user
    scope = scorecard_municipality_ids(user)
    if scope is not None and not scope:
        return forbidden(request)
    today = business_date(clock.now())
    eservices = eservice_list()
    # What is not asked for is the default, shown as chosen in the form.
    asked = request.GET.copy()
    defaults = {"eservice": eservices[0].pk if eservices else "", "date_to": today,
                "date_from": today - dt.timedelta(days=SCORECARD_DAYS - 1),
                "metric": DEFAULT_CHART_METRIC}
    for name, value in defaults.items():
        if not asked.get(name):
            asked[name] = str(value)
    form = ScorecardForm(asked)
    data = form.cleaned_data if form.is_valid() else {}
    eservice = data.get("eservice") or (eservices[0] if eservices else None)
    date_to = data.get("date_to") or today
    date_from = data.get("date_from") or date_to - dt.timedelta(days=SCORECARD_DAYS - 1)
    if date_from > date_to:
        date_from, date_to = date_to - dt.timedelta(days=SCORECARD_DAYS - 1), date_to
    metric_key = data.get("metric") or DEFAULT_CHART_METRIC
    columns = (scorecard_for(eservice=eservice, municipality_ids=scope, date_from=date_from,
                             date_to=date_to, at=clock.now()) if eservice else [])
    language = _language()
    metric_rows = [{"metric": metric, "values": [
        metric.display(column.figures.get(key), language) for column in columns]}
        for key, metric in METRICS.items()]
    chart = None
    metric = METRICS[metric_key]
    if columns:
        bars = [{"label": _name(c.municipality), "is_pilot": c.is_pilot,
                 "value": metric.comparable(c.figures.get(metric_key)),
                 "shown": metric.display(c.figures.get(metric_key), language)}
                for c in columns]
        chart = scorecard_chart_svg(
            bars, title=_("%(figure)s by municipality, %(start)s to %(end)s") % {
                "figure": metric.label, "start": date_from.isoformat(),
                "end": date_to.isoformat()},
            legend_pilot=_("Pilot (hatched)"), legend_live=_("Live (solid)"),
            rtl=language.startswith("ar"))
    for column in columns:
        column.reasons = column.gate.reasons(language) if column.gate else []
    return render(request, "amanah/rollout/scorecards.html", {
        "form": form, "eservice": eservice, "eservices": eservices, "columns": columns,
        "metric_rows": metric_rows, "chart": chart, "chart_metric": metric,
        "date_from": date_from, "date_to": date_to, "gate_days": pilot_gate_days(),
        "metrics": METRICS.values()})


@login_required
@require_http_methods(["GET", "POST"])
def pilot_thresholds(request):
    user = request.user
    if not may_set_thresholds(user):
        return forbidden(request)
    eservices = eservice_list()
    by_pk = {str(e.pk): e for e in eservices}
    chosen = by_pk.get(request.POST.get("eservice") or request.GET.get("eservice") or "")
    eservice = chosen or (eservices[0] if eservices else None)
    form, status = ThresholdForm(), 200
    if request.method == "POST" and eservice is not None:
        if request.POST.get("action") == "remove":
            remove = ThresholdRemoveForm(request.POST)
            if remove.is_valid():
                try:
                    pilot_threshold_remove(threshold_id=remove.cleaned_data["threshold"],
                                           actor=user)
                except DomainError as error:
                    messages.error(request, error.message)
                else:
                    messages.success(request, _("The threshold was removed."))
            else:
                messages.error(request, _("Tick the box to confirm the removal."))
            return redirect(f"{reverse('amanah:pilot_thresholds')}?eservice={eservice.pk}")
        form = ThresholdForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                pilot_threshold_set(eservice=eservice, metric=data["metric"],
                                    bound=data["bound"], value=data["value"],
                                    min_cases=data["min_cases"], actor=user)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None,
                               error.message)
                status = error.status
            else:
                messages.success(request, _("The threshold was saved."))
                return redirect(f"{reverse('amanah:pilot_thresholds')}?eservice={eservice.pk}")
        else:
            status = 400
    language = _language()
    thresholds = [{"threshold": t, "metric": METRICS.get(t.metric),
                   "shown": METRICS[t.metric].display_threshold(t.value, language)
                   if t.metric in METRICS else str(t.value)}
                  for t in (pilot_threshold_list(eservice=eservice) if eservice else [])]
    return render(request, "amanah/rollout/thresholds.html", {
        "form": form, "eservice": eservice, "eservices": eservices, "thresholds": thresholds,
        "gate_days": pilot_gate_days(), "metrics": METRICS.values()}, status=status)

