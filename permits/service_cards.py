"""Reads for the public service cards and the fee calculator: which permit types a visitor may
see (those whose e-service they could start somewhere — live anywhere, or piloted where the
rollout lets them in), what each one needs, and what each of its fee stages costs.

Fees are priced by payments (`fee_calculate`, one call per stage); nothing here knows an amount.
Each read has a fixed number of queries, whatever the size of the catalogue.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from amanah import clock
from amanah.dates import business_date
from amanah.errors import DomainError
from amanah.models import Municipality
from amanah.money import sar
from amanah.rollout import eservice_rollouts_startable
from payments.enums import FeeRuleKind
from payments.models import FeeSchedule
from payments.services.fees import FeeQuote, fee_calculate

from .enums import FeeStage
from .models import PermitType, PermitTypeDocument, PermitTypeField

# The order a citizen meets the stages in.
STAGE_ORDER = list(FeeStage.values)
# What a content type is called on a card.
CONTENT_TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def _offered_rollouts(user):
    return eservice_rollouts_startable(user=user)


def permit_types_offered(*, user) -> QuerySet[PermitType]:
    """Active types whose e-service `user` could start in some municipality (no query yet)."""
    startable = _offered_rollouts(user).filter(eservice_id=OuterRef("eservice_id"))
    return (PermitType.objects.filter(is_active=True).filter(Exists(startable))
            .select_related("eservice"))


def service_card_list(*, user) -> list[PermitType]:
    """The service cards `user` may read, in display order. One query."""
    return list(permit_types_offered(user=user).order_by("display_order", "code"))


def offered_municipalities(*, user, permit_type: PermitType | None = None) -> list[Municipality]:
    """Municipalities where `user` could start the type (or any offered type). One query."""
    rollouts = _offered_rollouts(user).filter(eservice__permit_type__is_active=True)
    if permit_type is not None:
        rollouts = rollouts.filter(eservice_id=permit_type.eservice_id)
    return list(Municipality.objects.filter(pk__in=rollouts.values("municipality_id"))
                .order_by("kind", "name_ar"))


@dataclass(frozen=True)
class QuantityInput:
    """A number the fee of a stage is multiplied by, asked as the type's form asks it."""

    key: str
    label_ar: str
    label_en: str
    unit_ar: str
    unit_en: str
    max_value: Decimal | None

    def label(self, language: str = "ar") -> str:
        return self.label_en if language.startswith("en") else self.label_ar

    def unit(self, language: str = "ar") -> str:
        return self.unit_en if language.startswith("en") else self.unit_ar


def quantity_inputs(permit_type: PermitType) -> list[QuantityInput]:
    """The quantities the type's fee rules need, labelled by the form fields they come from
    (reads the prefetched `fee_rules` and `fields`)."""
    fields = {f.key: f for f in permit_type.fields.all()}
    found = []
    for rule in sorted(permit_type.fee_rules.all(), key=lambda r: STAGE_ORDER.index(r.stage)):
        key = rule.quantity_field
        if not key or key in {q.key for q in found}:
            continue
        source = fields.get(key)
        found.append(QuantityInput(
            key=key, label_ar=source.label_ar if source else key,
            label_en=source.label_en if source else key,
            unit_ar=source.unit_ar if source else "", unit_en=source.unit_en if source else "",
            max_value=source.max_value if source else None))
    return found


def _card_queryset(user) -> QuerySet[PermitType]:
    return permit_types_offered(user=user).select_related("base_permit_type").prefetch_related(
        Prefetch("documents", queryset=PermitTypeDocument.objects.order_by("order", "id")),
        "parties",
        "fee_rules",
        Prefetch("fields", queryset=PermitTypeField.objects.order_by("step", "order", "id")))


def service_card_get(*, user, code: str) -> PermitType | None:
    """The type's card with its documents, parties, fee rules and fields, if `user` may read
    it; else None (→ 404). Five queries."""
    if not isinstance(code, str) or len(code) > 40 or "\x00" in code:
        return None
    return _card_queryset(user).filter(code=code).first()


@dataclass(frozen=True)
class StageRule:
    """What one fee stage costs in a class of municipality: a fixed amount, or a rate per
    unit with a minimum. `schedule` is None where the stage is not priced there."""

    stage: str
    quantity_field: str
    schedule: FeeSchedule | None

    @property
    def stage_label(self):
        return FeeStage(self.stage).label

    @property
    def is_rate(self) -> bool:
        return self.schedule is not None and self.schedule.kind == FeeRuleKind.RATE


def stage_rules(*, permit_type: PermitType, municipality_class: int,
                on: dt.date | None = None) -> list[StageRule]:
    """Each billed stage of the type with the schedule in force on `on` for the class, in the
    order a citizen meets them. One query (fee rules are prefetched)."""
    on = on or business_date(clock.now())
    rules = sorted(permit_type.fee_rules.all(), key=lambda r: STAGE_ORDER.index(r.stage))
    schedules = {s.component: s for s in FeeSchedule.objects.filter(
        eservice_id=permit_type.eservice_id, municipality_class=municipality_class,
        component__in=[r.stage for r in rules], effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on))}
    return [StageRule(stage=r.stage, quantity_field=r.quantity_field,
                      schedule=schedules.get(r.stage)) for r in rules]


@dataclass(frozen=True)
class StageQuote:
    """One stage's fee as payments priced it, or why it could not be priced here."""

    stage: str
    quote: FeeQuote | None
    refusal: DomainError | None = None

    @property
    def stage_label(self):
        return FeeStage(self.stage).label

    @property
    def snapshot(self) -> dict:
        return self.quote.snapshot if self.quote else {}

    @property
    def is_rate(self) -> bool:
        return self.snapshot.get("kind") == FeeRuleKind.RATE

    @property
    def rate(self) -> Decimal | None:
        return Decimal(self.snapshot["rate_or_amount"]) if self.quote else None

    @property
    def minimum(self) -> Decimal | None:
        value = self.snapshot.get("minimum")
        return Decimal(value) if value is not None else None

    @property
    def quantity(self) -> Decimal | None:
        value = self.snapshot.get("quantity")
        return Decimal(value) if value is not None else None

    @property
    def product(self) -> Decimal | None:
        """Rate × quantity, before any minimum (what the minimum is compared with)."""
        if self.rate is None or self.quantity is None:
            return None
        return sar(self.rate * self.quantity)

    @property
    def minimum_applied(self) -> bool:
        return bool(self.snapshot.get("minimum_applied"))


@dataclass
class FeeEstimate:
    municipality: Municipality
    on: dt.date
    stages: list[StageQuote] = field(default_factory=list)

    @property
    def to_obtain(self) -> Decimal:
        """What getting the permit costs: the application and issuance stages."""
        return sum((s.quote.amount for s in self.stages if s.quote and s.stage in (
            FeeStage.APPLICATION, FeeStage.ISSUANCE)), Decimal("0.00"))


def municipality_of_class(municipality_class: int) -> Municipality:
    """Any municipality of the class, for pricing by class alone: fee schedules depend only
    on the class. An unsaved stand-in that is never written; its code only labels the
    quote's snapshot."""
    return Municipality(code=f"class-{municipality_class}",
                        municipality_class=municipality_class)


def fee_estimate(*, permit_type: PermitType, municipality: Municipality,
                 quantities: dict[str, Decimal], on: dt.date | None = None) -> FeeEstimate:
    """Every billed stage of the type priced by payments for the municipality (or class) on
    `on`, with the quantities its rate stages need. A quantity payments refuses raises its
    DomainError with `field` set to the quantity's key; a stage with no schedule there is
    returned with its refusal. One query per stage (at most six)."""
    on = on or business_date(clock.now())
    estimate = FeeEstimate(municipality=municipality, on=on)
    for rule in sorted(permit_type.fee_rules.all(), key=lambda r: STAGE_ORDER.index(r.stage)):
        quantity = quantities.get(rule.quantity_field) if rule.quantity_field else None
        try:
            quote = fee_calculate(eservice=permit_type.eservice, municipality=municipality,
                                  on=on, quantity=quantity, component=rule.stage)
        except DomainError as refusal:
            if refusal.code == "fee.bad_quantity":
                raise DomainError(refusal.code, refusal.message_ar, refusal.message_en,
                                  field=rule.quantity_field) from refusal
            estimate.stages.append(StageQuote(stage=rule.stage, quote=None, refusal=refusal))
            continue
        estimate.stages.append(StageQuote(stage=rule.stage, quote=quote))
    return estimate


def content_type_names(content_types: list[str]) -> str:
    return ", ".join(CONTENT_TYPE_NAMES.get(c, c) for c in content_types)


def megabytes(size: int) -> str:
    """A size limit as a card shows it: whole megabytes, or one decimal below ten."""
    value = Decimal(size) / (1024 * 1024)
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value:.1f}"
