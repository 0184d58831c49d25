"""Reads for the rollout matrix, the scorecards and the thresholds pages: a fixed number of
queries whatever the number of e-services, municipalities and history rows."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, QuerySet, Window
from django.db.models.functions import Lag

from .enums import MunicipalityKind, RolloutState, StaffRole
from .models import EService, EServiceRollout, Municipality, PilotThreshold
from .permissions import admin_municipality_ids, staff_memberships
from .rollout import GateResult, pilot_gates_evaluate
from .scorecards import METRICS, scorecard_figures

HISTORY_LIMIT = 50


@dataclass
class MatrixCell:
    municipality: Municipality
    state: str
    gate: GateResult | None  # pilots only
    # Filled by the page in its language: the select's accessible name, the gate's failures.
    select_label: str = ""
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MatrixRow:
    eservice: EService
    cells: list[MatrixCell]


def _municipalities_in(ids: set[int] | None) -> QuerySet[Municipality]:
    queryset = Municipality.objects.filter(is_active=True).order_by("kind", "code")
    return queryset if ids is None else queryset.filter(pk__in=ids)


def rollout_matrix(*, user, at: dt.datetime) -> tuple[list[Municipality], list[MatrixRow]]:
    """E-services × the municipalities the user may configure, each cell's state and, for a
    pilot, its gate. At most eight queries."""
    municipalities = list(_municipalities_in(admin_municipality_ids(user)))
    eservices = list(EService.objects.order_by("display_order", "code"))
    states = {(r.eservice_id, r.municipality_id): r.state for r in EServiceRollout.objects
              .filter(municipality__in=[m.pk for m in municipalities])
              .only("eservice_id", "municipality_id", "state")}
    pilots = [pair for pair, state in states.items() if state == RolloutState.PILOT]
    gates = pilot_gates_evaluate(pairs=pilots, at=at) if pilots else {}
    rows = [MatrixRow(eservice=e, cells=[
        MatrixCell(municipality=m, state=states.get((e.pk, m.pk), RolloutState.OFF),
                   gate=gates.get((e.pk, m.pk)))
        for m in municipalities]) for e in eservices]
    return municipalities, rows


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    user: object
    eservice: EService
    municipality: Municipality
    from_state: str | None
    to_state: str
    reason: str


def rollout_history(*, user, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """The latest changes of rollout in the user's municipalities, newest first, each with the
    state it changed from (one query: the previous state by a window over each row's history)."""
    ids = admin_municipality_ids(user)
    history = EServiceRollout.history.all() if ids is None else \
        EServiceRollout.history.filter(municipality_id__in=ids)
    rows = (history.select_related("history_user", "eservice", "municipality")
            .annotate(previous_state=Window(Lag("state"), partition_by=[F("id")],
                                            order_by=[F("history_date").asc(),
                                                      F("history_id").asc()]))
            .order_by("-history_date", "-history_id")[:limit])
    return [HistoryEntry(at=row.history_date, user=row.history_user, eservice=row.eservice,
                         municipality=row.municipality, from_state=row.previous_state,
                         to_state=row.state, reason=row.history_change_reason or "")
            for row in rows]


def scorecard_municipality_ids(user) -> set[int] | None:
    """Who sees which municipalities' scorecards: admins what they configure (None: all),
    heads of department their own municipality."""
    ids = admin_municipality_ids(user)
    if ids is None:
        return None
    return ids | {m.department.municipality_id for m in staff_memberships(user)
                  if m.role == StaffRole.HEAD}


@dataclass
class ScorecardColumn:
    municipality: Municipality
    state: str
    figures: dict
    gate: GateResult | None
    reasons: list[str] = field(default_factory=list)  # the gate's failures, in the page's

    @property
    def is_pilot(self) -> bool:
        return self.state == RolloutState.PILOT


def scorecard_for(*, eservice: EService, municipality_ids: set[int] | None,
                  date_from: dt.date, date_to: dt.date,
                  at: dt.datetime) -> list[ScorecardColumn]:
    """The e-service's figures in every municipality of the scope where it is piloted or
    live: pilots first, then live, each by code; with each pilot's gate. Six queries."""
    rollouts = list(EServiceRollout.objects
                    .filter(eservice=eservice,
                            state__in=[RolloutState.PILOT, RolloutState.LIVE],
                            municipality__is_active=True)
                    .filter(**({} if municipality_ids is None
                               else {"municipality_id__in": municipality_ids}))
                    .select_related("municipality"))
    rollouts.sort(key=lambda r: (r.state != RolloutState.PILOT,
                                 r.municipality.kind != MunicipalityKind.BRANCH,
                                 r.municipality.code))
    pairs = [(eservice.pk, r.municipality_id) for r in rollouts]
    figures = scorecard_figures(date_from=date_from, date_to=date_to, pairs=pairs)
    pilots = [(eservice.pk, r.municipality_id) for r in rollouts
              if r.state == RolloutState.PILOT]
    gates = pilot_gates_evaluate(pairs=pilots, at=at) if pilots else {}
    return [ScorecardColumn(municipality=r.municipality, state=r.state,
                            figures=figures.get((eservice.pk, r.municipality_id), {}),
                            gate=gates.get((eservice.pk, r.municipality_id)))
            for r in rollouts]


def eservice_list() -> list[EService]:
    return list(EService.objects.order_by("display_order", "code"))


def pilot_threshold_list(*, eservice: EService) -> list[PilotThreshold]:
    order = list(METRICS)
    return sorted(PilotThreshold.objects.filter(eservice=eservice),
                  key=lambda t: order.index(t.metric) if t.metric in order else len(order))


def rollout_state_get(*, eservice: EService, municipality: Municipality) -> str:
    """The state of one cell (no row: off)."""
    return (EServiceRollout.objects.filter(eservice=eservice, municipality=municipality)
            .values_list("state", flat=True).first() or RolloutState.OFF)
