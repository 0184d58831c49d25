"""Rollout: where an e-service may be started and by whom. Every path that starts one (page,
API, service call) asks `eservice_start_check`; pages list with `eservice_list_startable`.

The rule, for an e-service in a municipality:
- LIVE: anyone may start it there;
- PILOT: only a person who lives there, or staff holding an active membership in an active
  department of that municipality or of its parent Amanah;
- OFF, no rollout row, or an inactive municipality: nobody.

Why the Amanah's own staff count for its branches' pilots: the Amanah runs the pilot, and its
central departments already work for the branches (central finance oversees every branch's
collections, central legal hears their objections), so they must be able to start, demonstrate
and support a piloted service where it runs. Staff of a sibling branch do not count, and
neither do people who live elsewhere: a pilot stays within the municipality that runs it.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import translation

from . import clock
from .dates import business_date
from .enums import MunicipalityKind, RolloutState, StaffRole, ThresholdBound
from .errors import Conflict, DomainError, NotFound, PermissionDenied
from .models import (
    EService,
    EServiceRollout,
    Municipality,
    Person,
    PilotThreshold,
    StaffMembership,
)
from .permissions import admin_may_configure, staff_memberships
from .scorecards import METRICS, VOLUME_METRIC, Unit, scorecard_figures
from .statuses import StatusTransitions


def _pilot_conditions(*, user=None, person: Person | None = None) -> list[Exists]:
    """Over EServiceRollout rows: each subquery is true when the caller may use a pilot in the
    row's municipality (lives there, or works there or at its Amanah)."""
    residents = Person.objects.filter(municipality_id=OuterRef("municipality_id"))
    conditions = []
    if person is not None and person.pk is not None:
        conditions.append(Exists(residents.filter(pk=person.pk)))
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    if user_id is not None:
        # The account's own person record, when the caller did not pass it.
        conditions.append(Exists(residents.filter(user_id=user_id)))
        conditions.append(Exists(StaffMembership.objects.filter(
            Q(department__municipality_id=OuterRef("municipality_id"))
            | Q(department__municipality_id=OuterRef("municipality__parent_id"),
                department__municipality__kind=MunicipalityKind.AMANAH),
            user_id=user_id, is_active=True, department__is_active=True)))
    return conditions


def eservice_rollouts_startable(*, user=None, person: Person | None = None,
                                ) -> QuerySet[EServiceRollout]:
    """Every rollout row (e-service × municipality) the caller may start; narrow it by
    municipality or e-service. A filter only: no query until it is evaluated."""
    startable = Q(state=RolloutState.LIVE)
    conditions = _pilot_conditions(user=user, person=person)
    if conditions:
        startable |= Q(state=RolloutState.PILOT) & reduce(or_, conditions)
    return EServiceRollout.objects.filter(startable, municipality__is_active=True)


def _service_off(municipality: Municipality, field: str | None) -> DomainError:
    return DomainError(
        "rollout.service_off",
        f"هذه الخدمة غير متاحة في {municipality.name_ar} بعد.",
        f"This service is not offered in {municipality.name_en or municipality.name_ar} yet.",
        field=field)


def _pilot_only(municipality: Municipality, field: str | None) -> PermissionDenied:
    return PermissionDenied(
        "rollout.pilot_only",
        f"هذه الخدمة في مرحلة تجريبية في {municipality.name_ar}، "
        "وهي متاحة حاليًا لسكانها ومنسوبيها فقط.",
        f"This service is being piloted in {municipality.name_en or municipality.name_ar} "
        "and is open only to its residents and staff for now.",
        field=field)


def eservice_start_check(*, eservice: EService | str, municipality: Municipality, user=None,
                         person: Person | None = None, field: str | None = "eservice") -> None:
    """Refuse, in Arabic and English, to start an e-service where the rollout says no (see the
    module's rule). `field` names the form field the refusal belongs next to. One query."""
    code = eservice if isinstance(eservice, str) else eservice.code
    conditions = _pilot_conditions(user=user, person=person)
    row = (EServiceRollout.objects
           .filter(eservice__code=code, municipality_id=municipality.pk)
           .annotate(**{f"may_pilot_{i}": c for i, c in enumerate(conditions)})
           .values("state", "municipality__is_active",
                   *(f"may_pilot_{i}" for i in range(len(conditions))))
           .first())
    if row is not None and row["municipality__is_active"] and row["state"] == RolloutState.LIVE:
        return
    if row is None or not row["municipality__is_active"] or row["state"] != RolloutState.PILOT:
        raise _service_off(municipality, field)
    if not any(row[f"may_pilot_{i}"] for i in range(len(conditions))):
        raise _pilot_only(municipality, field)


# --- The pilot gate and the one way a rollout's state changes ------------------------------

PILOT_GATE_DAYS = 90  # settings.PILOT_GATE_DAYS overrides


def pilot_gate_days() -> int:
    return int(getattr(settings, "PILOT_GATE_DAYS", PILOT_GATE_DAYS))


def gate_period(at: dt.datetime) -> tuple[dt.date, dt.date]:
    """The business days the gate judges a pilot on: the last N, ending on `at`'s day."""
    last = business_date(at)
    return last - dt.timedelta(days=pilot_gate_days() - 1), last


@dataclass(frozen=True)
class GateCheck:
    metric: str
    threshold: PilotThreshold
    value: object  # the figure as the provider gave it (None: no figure yet)
    passed: bool

    def describe(self, language: str) -> str:
        """"Filed online: 40% (needs at least 60%)" in the language asked for."""
        metric = METRICS[self.metric]
        with translation.override(language):
            label = str(metric.label)
            bound = str(ThresholdBound(self.threshold.bound).label).lower() \
                if language.startswith("en") else str(ThresholdBound(self.threshold.bound).label)
        needed = metric.display_threshold(self.threshold.value, language)
        shown = metric.display(self.value, language)
        if language.startswith("ar"):
            return f"{label}: {shown} (المطلوب {bound} {needed})"
        return f"{label}: {shown} (needs {bound} {needed})"


@dataclass(frozen=True)
class GateResult:
    passes: bool
    checks: list[GateCheck] = field(default_factory=list)
    cases: int = 0
    min_cases: int = 0
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def has_thresholds(self) -> bool:
        return bool(self.checks)

    @property
    def too_few_cases(self) -> bool:
        return self.has_thresholds and self.cases < self.min_cases

    @property
    def failing(self) -> list[GateCheck]:
        return [check for check in self.checks if not check.passed]

    def reasons(self, language: str) -> list[str]:
        """Why the pilot does not meet the gate, one line per cause, in `language`."""
        lines = []
        if self.too_few_cases:
            lines.append(
                f"عدد المعاملات {self.cases}، والحد الأدنى المطلوب {self.min_cases}"
                if language.startswith("ar") else
                f"{self.cases} transactions, at least {self.min_cases} needed")
        lines += [check.describe(language) for check in self.failing]
        return lines


def pilot_gates_evaluate(*, pairs: list[tuple[int, int]], at: dt.datetime,
                         ) -> dict[tuple[int, int], GateResult]:
    """The gate of each (e-service id, municipality id) pair: every threshold of the e-service
    met over the last N days, by at least the thresholds' number of transactions. No threshold:
    passes. One query for the thresholds, then the scorecard's providers once for all pairs."""
    pairs = sorted(set(pairs))
    thresholds: dict[int, list[PilotThreshold]] = {}
    for threshold in PilotThreshold.objects.filter(eservice_id__in={e for e, _ in pairs}):
        thresholds.setdefault(threshold.eservice_id, []).append(threshold)
    date_from, date_to = gate_period(at)
    judged = [pair for pair in pairs if thresholds.get(pair[0])]
    figures = scorecard_figures(date_from=date_from, date_to=date_to, pairs=judged)
    results = {}
    for pair in pairs:
        own = sorted(thresholds.get(pair[0], []), key=lambda t: list(METRICS).index(t.metric)
                     if t.metric in METRICS else len(METRICS))
        if not own:
            results[pair] = GateResult(passes=True, date_from=date_from, date_to=date_to)
            continue
        values = figures.get(pair, {})
        checks = [GateCheck(t.metric, t, values.get(t.metric),
                            _threshold_met(t, values.get(t.metric))) for t in own]
        cases = int(values.get(VOLUME_METRIC) or 0)
        min_cases = max(t.min_cases for t in own)
        passes = cases >= min_cases and all(check.passed for check in checks)
        results[pair] = GateResult(passes=passes, checks=checks, cases=cases,
                                   min_cases=min_cases, date_from=date_from, date_to=date_to)
    return results


def _threshold_met(threshold: PilotThreshold, value) -> bool:
    metric = METRICS.get(threshold.metric)
    comparable = metric.comparable(value) if metric else None
    if comparable is None:
        return False  # no figure yet (nothing closed, no bill issued): not shown to be met
    if threshold.bound == ThresholdBound.MAX:
        return comparable <= threshold.value
    return comparable >= threshold.value


def pilot_gate_evaluate(*, eservice: EService, municipality: Municipality,
                        at: dt.datetime | None = None) -> GateResult:
    """May this pilot be switched live: see `pilot_gates_evaluate`."""
    pair = (eservice.pk, municipality.pk)
    return pilot_gates_evaluate(pairs=[pair], at=at or clock.now())[pair]


ROLLOUT_TRANSITIONS = StatusTransitions("rollout", RolloutState, {
    RolloutState.OFF: {RolloutState.PILOT, RolloutState.LIVE},
    RolloutState.PILOT: {RolloutState.OFF, RolloutState.LIVE},
    RolloutState.LIVE: {RolloutState.OFF, RolloutState.PILOT},
})


def _state_label(state: str, language: str) -> str:
    with translation.override(language):
        return str(RolloutState(state).label)


def _name(named, language: str) -> str:
    return named.name_en or named.name_ar if language.startswith("en") else named.name_ar


def rollout_state_check(*, eservice: EService, municipality: Municipality, state: str,
                        actor, current: str, at: dt.datetime) -> None:
    """Refuse a change of rollout the rules do not allow, in Arabic and English (see
    `rollout_state_set`). Reads only; the admin's form asks it before saving."""
    if state not in RolloutState.values:
        raise DomainError("rollout.state_invalid", "حالة الإتاحة غير صحيحة.",
                          "Unknown rollout state.", field="state")
    if actor is not None and not admin_may_configure(actor, municipality):
        raise PermissionDenied(
            "rollout.not_your_municipality",
            f"لا تملك صلاحية تغيير إتاحة الخدمات في {municipality.name_ar}.",
            f"You may not change the rollout in {_name(municipality, 'en')}.", field="state")
    if state == current:
        return
    ROLLOUT_TRANSITIONS.check(current, state)
    if state != RolloutState.LIVE:
        return
    if current == RolloutState.OFF:
        # A service with a pilot gate goes live only through a pilot that met it.
        if PilotThreshold.objects.filter(eservice=eservice).exists():
            raise Conflict(
                "rollout.pilot_first",
                f"لخدمة «{eservice.name_ar}» شروط تجربة: جرّبها في {municipality.name_ar} أولًا.",
                f"“{_name(eservice, 'en')}” has pilot thresholds: pilot it in "
                f"{_name(municipality, 'en')} first.", field="state")
        return
    gate = pilot_gate_evaluate(eservice=eservice, municipality=municipality, at=at)
    if not gate.passes:
        raise Conflict(
            "rollout.pilot_gate_failed",
            f"لا يمكن إتاحة «{eservice.name_ar}» للجميع في {municipality.name_ar}: التجربة لم "
            f"تبلغ الحد المطلوب — {'؛ '.join(gate.reasons('ar'))}.",
            f"“{_name(eservice, 'en')}” cannot go live in {_name(municipality, 'en')}: the "
            f"pilot is below its thresholds — {'; '.join(gate.reasons('en'))}.", field="state")


@transaction.atomic
def rollout_state_set(*, eservice: EService, municipality: Municipality, state: str, actor,
                      reason: str = "") -> EServiceRollout:
    """Switch an e-service off, to pilot or live in one municipality, as one of its admins;
    a pilot goes live only when it meets its e-service's thresholds (no override). Who, when
    and why are kept in the rollout's history."""
    # The row is made if missing (off), without a history entry of its own, then locked.
    EServiceRollout.objects.bulk_create(
        [EServiceRollout(eservice=eservice, municipality=municipality)], ignore_conflicts=True)
    rollout = (EServiceRollout.objects.select_for_update()
               .get(eservice=eservice, municipality=municipality))
    rollout_state_check(eservice=eservice, municipality=municipality, state=state, actor=actor,
                        current=rollout.state, at=clock.now())
    if state == rollout.state:
        return rollout
    rollout.state = state
    rollout._history_user = actor if getattr(actor, "pk", None) else None
    rollout._change_reason = (reason or "").strip()[:ROLLOUT_REASON_MAX] or None
    rollout.save(update_fields=["state"])
    return rollout


# simple_history keeps a change's reason in 100 characters.
ROLLOUT_REASON_MAX = 100


# --- Thresholds (set by the Amanah's admins) -----------------------------------------------

def may_set_thresholds(user) -> bool:
    """Thresholds hold for an e-service in every municipality, so only the Amanah sets them:
    a superuser, or an ADMIN of one of the Amanah's own departments."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or any(
        m.role == StaffRole.ADMIN and m.department.municipality.kind == MunicipalityKind.AMANAH
        for m in staff_memberships(user))


def _thresholds_refused() -> PermissionDenied:
    return PermissionDenied("rollout.thresholds_not_allowed",
                            "تحديد شروط التجربة لمسؤولي الأمانة فقط.",
                            "Only the Amanah's administrators set pilot thresholds.")


@transaction.atomic
def pilot_threshold_set(*, eservice: EService, metric: str, bound: str, value, min_cases: int,
                        actor) -> PilotThreshold:
    """Set (or replace) what a pilot of `eservice` must reach on one figure before it goes
    live; a share is written as a percentage (0–100)."""
    if not may_set_thresholds(actor):
        raise _thresholds_refused()
    if metric not in METRICS:
        raise DomainError("rollout.metric_invalid", "اختر مؤشرًا من القائمة.",
                          "Choose a figure from the list.", field="metric")
    if bound not in ThresholdBound.values:
        raise DomainError("rollout.bound_invalid", "اختر «على الأقل» أو «على الأكثر».",
                          "Choose “at least” or “at most”.", field="bound")
    try:
        value = Decimal(str(value)).quantize(Decimal("0.01"))
    except (ArithmeticError, ValueError):
        value = None
    if value is None or not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        raise DomainError("rollout.threshold_value_invalid", "أدخل رقمًا موجبًا.",
                          "Enter a number of zero or more.", field="value")
    if METRICS[metric].unit == Unit.SHARE and value > 100:
        raise DomainError("rollout.threshold_share_over_100",
                          "النسبة لا تتجاوز ١٠٠٪.", "A share cannot be over 100%.",
                          field="value")
    if not isinstance(min_cases, int) or min_cases < 0 or min_cases > 1_000_000:
        raise DomainError("rollout.min_cases_invalid", "أدخل عددًا صحيحًا من صفر فأكثر.",
                          "Enter a whole number of zero or more.", field="min_cases")
    threshold = (PilotThreshold.objects.select_for_update()
                 .filter(eservice=eservice, metric=metric).first())
    if threshold is None:
        threshold = PilotThreshold(eservice=eservice, metric=metric)
    threshold.bound, threshold.value, threshold.min_cases = bound, value, min_cases
    threshold._history_user = actor
    threshold.save()
    return threshold


@transaction.atomic
def pilot_threshold_remove(*, threshold_id: int, actor) -> None:
    """A pilot no longer has to reach this figure; the history keeps what it was."""
    if not may_set_thresholds(actor):
        raise _thresholds_refused()
    threshold = PilotThreshold.objects.select_for_update().filter(pk=threshold_id).first()
    if threshold is None:
        raise NotFound("rollout.threshold_not_found", "هذا الشرط غير موجود.",
                       "This threshold does not exist.")
    threshold._history_user = actor
    threshold.delete()
