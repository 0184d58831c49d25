"""The light plan-rule check: an application's answers against its parcel's zone limits.

The limits are data (ZoneRule: the municipality's own for the zone, else the one for every
municipality); which answer each limit reads is fixed here, by key, so every building type
that asks for floors, footprint and setbacks is checked the same way."""

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F, Q

from amanah.errors import DomainError, PermissionDenied

from ..enums import ApplicationEventKind, ApplicationStatus
from ..models import Application, PlanCheck, ZoneRule
from ..selectors import staff_municipality_ids
from .applications import application_event_append, application_lock, application_save

# Why a rule failed other than by its number.
NOT_ANSWERED = "not_answered"
NOT_A_NUMBER = "not_a_number"

PERCENT_SHOWN = Decimal("0.01")


@dataclass(frozen=True)
class PlanRule:
    """One limit of a zone: the ZoneRule column, the answer it reads, and which way it bounds."""

    code: str
    limit_field: str
    answer_key: str
    is_maximum: bool


PLAN_RULES = (
    PlanRule("max_floors", "max_floors", "floors", is_maximum=True),
    PlanRule("max_coverage_percent", "max_coverage_percent", "footprint_m2", is_maximum=True),
    PlanRule("min_front_setback_m", "min_front_setback_m", "front_setback_m", is_maximum=False),
    PlanRule("min_side_setback_m", "min_side_setback_m", "side_setback_m", is_maximum=False),
    PlanRule("min_rear_setback_m", "min_rear_setback_m", "rear_setback_m", is_maximum=False),
)


def zone_rule_for(*, municipality_id: int, zone: str) -> ZoneRule | None:
    """The zone's limits: the municipality's own rule, else the rule for every municipality."""
    return (ZoneRule.objects.filter(Q(municipality_id=municipality_id)
                                    | Q(municipality__isnull=True), zone=zone)
            .order_by(F("municipality_id").asc(nulls_last=True)).first())


def _number(raw) -> Decimal | None:
    if raw is None or isinstance(raw, bool) or (isinstance(raw, str) and not raw.strip()):
        raise LookupError  # not answered
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _row(rule: PlanRule, limit: Decimal, value: Decimal | None, passed: bool,
         reason: str = "", shown: Decimal | None = None) -> dict:
    return {"rule": rule.code, "field": rule.answer_key, "limit": str(limit),
            "value": "" if value is None else str(shown if shown is not None else value),
            "passed": passed, "reason": reason}


def plan_rules_evaluate(*, answers: dict, parcel_area: Decimal, zone_rule: ZoneRule
                        ) -> list[dict]:
    """Each limit of `zone_rule` against `answers`: a row with the limit, the value, passed.

    Exact: coverage is compared as footprint × 100 ≤ limit × parcel area, never through a
    rounded percentage; the percentage shown is rounded up, so it never reads as within the
    limit when it is not. An answer missing or not a number fails its rule, with the reason."""
    rows = []
    for rule in PLAN_RULES:
        limit = Decimal(getattr(zone_rule, rule.limit_field))
        try:
            value = _number(answers.get(rule.answer_key))
        except LookupError:
            rows.append(_row(rule, limit, None, False, NOT_ANSWERED))
            continue
        if value is None:
            rows.append(_row(rule, limit, None, False, NOT_A_NUMBER))
            continue
        if rule.code == "max_coverage_percent":
            passed = parcel_area > 0 and value * 100 <= limit * parcel_area
            shown = ((value * 100 / parcel_area).quantize(PERCENT_SHOWN, rounding=ROUND_CEILING)
                     if parcel_area > 0 else None)
            rows.append(_row(rule, limit, value, passed, shown=shown))
            continue
        passed = value <= limit if rule.is_maximum else value >= limit
        rows.append(_row(rule, limit, value, passed))
    return rows


@transaction.atomic
def plan_check_run(*, application_id: int, actor=None) -> PlanCheck:
    """Check the latest answers against the parcel's zone limits and keep the result (a run
    per answers version; the newest on the latest answers is what the procedure's guard reads).
    `actor` None is the system; a person must be staff of the application's municipality."""
    application: Application = application_lock(application_id)
    if actor is not None and application.municipality_id not in staff_municipality_ids(actor):
        raise PermissionDenied("permits.plan_check_staff_only",
                               "فحص المخطط لموظفي البلدية المختصة فقط.",
                               "Only the municipality's staff can check the plan.")
    if not application.permit_type.plan_check:
        raise DomainError("permits.plan_check_not_used",
                          "لا يخضع هذا النوع من الطلبات لفحص اشتراطات المنطقة.",
                          "This kind of application is not checked against zone limits.")
    if application.status != ApplicationStatus.IN_REVIEW:
        raise DomainError("permits.plan_check_not_in_review",
                          "يُفحص المخطط أثناء دراسة الطلب فقط.",
                          "The plan is checked only while the application is under review.")
    parcel = application.parcel
    if parcel is None:
        raise DomainError("permits.plan_check_no_parcel", "لم تُحدد قطعة الأرض لهذا الطلب.",
                          "The application has no parcel.")
    zone_rule = zone_rule_for(municipality_id=application.municipality_id, zone=parcel.zone)
    if zone_rule is None:
        raise DomainError("permits.zone_rule_missing",
                          f"لا توجد اشتراطات معرّفة للمنطقة {parcel.zone}.",
                          f"No limits are defined for the zone {parcel.zone}.")
    rows = plan_rules_evaluate(answers=application.answers or {}, parcel_area=parcel.area_m2,
                               zone_rule=zone_rule)
    passed = all(row["passed"] for row in rows)
    check = PlanCheck.objects.create(
        application=application, answers_version=application.answers_version, zone=parcel.zone,
        results=rows, passed=passed, checked_by=actor if getattr(actor, "pk", None) else None)
    application_event_append(application, kind=ApplicationEventKind.PLAN_CHECKED, actor=actor,
                             payload={"plan_check": check.pk, "passed": passed,
                                      "answers_version": application.answers_version,
                                      "zone": parcel.zone,
                                      "failed": [r["rule"] for r in rows if not r["passed"]]})
    application_save(application, [])
    return check
