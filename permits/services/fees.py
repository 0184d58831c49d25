"""What an application costs, stage by stage, and billing a stage through payments.

The amounts are never written here: each stage a type bills (PermitFeeRule) is a fee schedule
component of the type's e-service, priced by payments for the municipality's class and the
day; a rule with a `quantity_field` bills the schedule's rate times that numeric answer.

Commercial licences (issue 10) add two things: a rule marked `per_year` multiplies its quantity
by the years of validity chosen (the type's `validity_years_field`), and the licence's
activities name fee tariffs (payments' schedule variants): each stage is priced under every
tariff the activities name and the highest applies, so adding an activity never lowers a fee.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import translation

from amanah import clock
from amanah.dates import business_date
from amanah.errors import Conflict, DomainError
from amanah.models import Municipality
from payments.enums import FeeRuleKind
from payments.services import bill_issue
from payments.services.fees import fee_calculate, fee_schedule_find

from ..enums import ApplicationEventKind, FeeStage
from ..models import Activity, Application, ApplicationFee, PermitFeeRule, PermitType
from .applications import application_event_append, application_save

PAYABLE_KIND = "permit_fee"
STAGE_ORDER = {stage: index for index, stage in enumerate(FeeStage.values)}
# What a new application pays on the way to its permit (renewals and the rest bill later).
NEW_APPLICATION_STAGES = (FeeStage.APPLICATION, FeeStage.ISSUANCE)


def stage_label(stage: str, language: str) -> str:
    with translation.override(language):
        return str(FeeStage(stage).label)


@dataclass(frozen=True)
class FeeLine:
    """One billed stage as a citizen reads it before paying: the amount, or why not yet."""

    stage: str
    amount: Decimal | None
    kind: str = ""  # the schedule's rule: fixed, or a rate per unit
    rate: Decimal | None = None
    minimum: Decimal | None = None
    quantity: Decimal | None = None
    unit_ar: str = ""
    unit_en: str = ""
    minimum_applied: bool = False
    quantity_field: str = ""
    years: int | None = None  # a per-year rule: the quantity is the answer times these years
    variant: str = ""  # the fee tariff that priced it (the activities' highest)
    # Set when there is no amount yet: "depends on the built-up area", or not configured.
    pending_ar: str = ""
    pending_en: str = ""

    def label(self, language: str | None = None) -> str:
        return stage_label(self.stage, _language(language))

    def pending(self, language: str | None = None) -> str:
        return self.pending_en if _language(language) == "en" else self.pending_ar

    def unit(self, language: str | None = None) -> str:
        return self.unit_en if _language(language) == "en" else self.unit_ar


def _language(language: str | None) -> str:
    return "en" if (language or translation.get_language() or "ar").startswith("en") else "ar"


def _quantity(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number > 0 else None


def validity_years(permit_type: PermitType, answers: Mapping) -> int | None:
    """The whole years of validity an application asks for (the type's validity years field),
    or None when the type has no such field or it is not answered yet."""
    if not permit_type.validity_years_field:
        return None
    value = _quantity((answers or {}).get(permit_type.validity_years_field))
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def rule_quantity(rule: PermitFeeRule, permit_type: PermitType, answers: Mapping
                  ) -> tuple[Decimal | None, int | None]:
    """(the quantity a rate rule bills, the years it was multiplied by); the quantity is None
    while an answer it needs is missing."""
    quantity = _quantity((answers or {}).get(rule.quantity_field)) if rule.quantity_field \
        else None
    if not rule.per_year:
        return quantity, None
    years = validity_years(permit_type, answers)
    if years is None:
        return None, None
    if not rule.quantity_field:
        return Decimal(years), years
    return (quantity * years if quantity is not None else None), years


def fee_variants(activities: Iterable[Activity]) -> list[str]:
    """The fee tariffs the activities name ("" the standard one), each once, in a fixed order."""
    return sorted({activity.fee_variant for activity in activities}) or [""]


def application_activities(application: Application) -> list[Activity]:
    """The activities a licence application asks for (none for other types)."""
    if not application.permit_type.uses_activities:
        return []
    return [row.activity for row in application.activities.select_related("activity")]


def _highest_quote(*, permit_type: PermitType, municipality: Municipality, on: dt.date,
                   quantity, stage: str, variants: list[str]):
    """The quote of the stage under each tariff, the highest (first tariff on a tie)."""
    quotes = [fee_calculate(eservice=permit_type.eservice, municipality=municipality, on=on,
                            quantity=quantity, component=stage, variant=variant)
              for variant in variants]
    return max(quotes, key=lambda quote: quote.amount)


def fee_rules_of(permit_type: PermitType, stages: Iterable[str] | None = None
                 ) -> list[PermitFeeRule]:
    rules = list(permit_type.fee_rules.all())
    if stages is not None:
        wanted = set(stages)
        rules = [r for r in rules if r.stage in wanted]
    return sorted(rules, key=lambda r: STAGE_ORDER.get(r.stage, len(STAGE_ORDER)))


def fee_preview(*, permit_type: PermitType, municipality: Municipality, answers: Mapping,
                stages: Iterable[str] | None = None, on: dt.date | None = None,
                activities: Iterable[Activity] = (),
                quantities: Mapping[str, Decimal] | None = None) -> list[FeeLine]:
    """Each stage the type bills (of `stages`, when given), priced today for the
    municipality: the amount from the fee schedule with the quantity field's answer (times
    the years chosen for a per-year rule; under the activities' highest tariff), or a clear
    "depends on …" while that answer is missing. `quantities` gives a stage's quantity
    outright (the months left of a licence being cancelled)."""
    on = on or business_date(clock.now())
    fields = {f.key: f for f in permit_type.fields.all()}
    variants = fee_variants(activities)
    lines = []
    for rule in fee_rules_of(permit_type, stages):
        try:
            schedule = max(
                (fee_schedule_find(eservice=permit_type.eservice,
                                   municipality_class=municipality.municipality_class,
                                   on=on, component=rule.stage, variant=variant)
                 for variant in variants), key=lambda found: found.amount)
        except DomainError as missing:
            lines.append(FeeLine(stage=rule.stage, amount=None, quantity_field=rule.quantity_field,
                                 pending_ar=missing.message_ar, pending_en=missing.message_en))
            continue
        common = {"stage": rule.stage, "kind": schedule.kind, "rate": schedule.amount,
                  "minimum": schedule.minimum, "unit_ar": schedule.unit_ar,
                  "unit_en": schedule.unit_en, "quantity_field": rule.quantity_field}
        quantity, years = None, None
        if schedule.kind != FeeRuleKind.FIXED:
            if quantities and rule.stage in quantities:
                quantity = quantities[rule.stage]
            else:
                quantity, years = rule_quantity(rule, permit_type, answers)
            if quantity is None:
                if rule.per_year and validity_years(permit_type, answers) is None:
                    field = fields.get(permit_type.validity_years_field)
                else:
                    field = fields.get(rule.quantity_field)
                name_ar = field.label_ar if field else rule.quantity_field or "الكمية"
                name_en = field.label_en if field else rule.quantity_field or "the quantity"
                lines.append(FeeLine(amount=None, **common,
                                     pending_ar=f"يعتمد على «{name_ar}»",
                                     pending_en=f"Depends on “{name_en}”"))
                continue
        quote = _highest_quote(permit_type=permit_type, municipality=municipality, on=on,
                               quantity=quantity, stage=rule.stage, variants=variants)
        common.update(kind=quote.schedule.kind, rate=quote.schedule.amount,
                      minimum=quote.schedule.minimum, unit_ar=quote.schedule.unit_ar,
                      unit_en=quote.schedule.unit_en)
        lines.append(FeeLine(amount=quote.amount, quantity=quantity, years=years,
                             variant=quote.schedule.variant,
                             minimum_applied=quote.snapshot["minimum_applied"], **common))
    return lines


def fee_total(lines: Iterable[FeeLine]) -> Decimal | None:
    """The sum of the lines, or None while any of them is not known yet."""
    amounts = [line.amount for line in lines]
    if any(amount is None for amount in amounts):
        return None
    return sum(amounts, Decimal("0.00"))


def _locked_by_caller(application: Application) -> None:
    """The caller must hold the application's row lock and pass the instance it locked: the
    event appended here continues that instance's chain, which a stale copy would fork."""
    current = (Application.objects.select_for_update(of=("self",)).filter(pk=application.pk)
               .values_list("row_version", flat=True).first())
    if current != application.row_version:
        raise Conflict("permits.application_changed",
                       "تغيّر الطلب منذ فتحته؛ أعد تحميل الصفحة وحاول مرة أخرى.",
                       "The application changed since you opened it; reload and try again.")


@transaction.atomic
def application_fee_bill(*, application: Application, stage: str, actor=None,
                         quantity: Decimal | None = None) -> ApplicationFee:
    """Bill one stage of an application through payments, once: the payable "permit_fee"
    referenced "<reference>:<stage>", priced by the stage's fee schedule (with the rule's
    quantity answer), payable by the owner. The caller holds the application's lock
    (application_lock) and passes that instance; billing a stage again returns the first bill."""
    _locked_by_caller(application)
    existing = (ApplicationFee.objects.select_related("bill")
                .filter(application=application, stage=stage).first())
    if existing is not None:
        return existing
    permit_type = application.permit_type
    rule = permit_type.fee_rules.filter(stage=stage).first()
    if rule is None:
        raise DomainError("permits.fee_stage_not_billed",
                          f"لا تُحصّل هذه الخدمة {stage_label(stage, 'ar')}.",
                          f"This service does not bill a {stage_label(stage, 'en').lower()}.",
                          field="stage")
    if quantity is None:
        quantity, _years = rule_quantity(rule, permit_type, application.answers)
    # A licence's stage is priced under each tariff its activities name; the highest applies.
    variants = fee_variants(application_activities(application))
    variant = variants[0] if len(variants) == 1 else _highest_quote(
        permit_type=permit_type, municipality=application.municipality,
        on=business_date(clock.now()), quantity=quantity, stage=stage,
        variants=variants).schedule.variant
    payer = ({"payer_establishment": application.owner_establishment}
             if application.owner_establishment_id else
             {"payer_person": application.owner_person})
    bill = bill_issue(payable_kind=PAYABLE_KIND,
                      payable_ref=f"{application.reference}:{stage}",
                      municipality=application.municipality, eservice=permit_type.eservice,
                      fee_quantity=quantity, fee_component=stage, fee_variant=variant,
                      issued_by=actor if getattr(actor, "pk", None) else None, **payer)
    fee = ApplicationFee.objects.create(application=application, stage=stage, bill=bill,
                                        amount=bill.amount, billed_at=clock.now())
    application_event_append(application, kind=ApplicationEventKind.FEE_BILLED, actor=actor,
                             payload={"stage": stage, "bill": bill.billing_account,
                                      "amount": str(bill.amount)})
    application_save(application, [])
    return fee
