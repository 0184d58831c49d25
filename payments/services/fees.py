"""Fee schedules: what a service (or one stage of it) costs, per municipality class and
period."""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import translation

from amanah.errors import DomainError
from amanah.models import EService, Municipality
from amanah.money import sar

from ..enums import FeeComponent, FeeRuleKind
from ..models import FeeSchedule


@dataclass(frozen=True)
class FeeQuote:
    amount: Decimal
    schedule: FeeSchedule
    snapshot: dict  # the rule and inputs, stored on the bill so it can be audited later


def _component_label(component: str, language: str) -> str:
    with translation.override(language):
        return str(FeeComponent(component).label)


def _overlapping(*, eservice_id: int, municipality_class: int, component: str,
                 effective_from: dt.date, effective_to: dt.date | None,
                 exclude_pk: int | None = None, variant: str = ""):
    # Two inclusive periods [a1, a2] and [b1, b2] overlap when a1 <= b2 and b1 <= a2;
    # an empty end means "for ever". Stages of one service are priced independently.
    qs = FeeSchedule.objects.filter(eservice_id=eservice_id, municipality_class=municipality_class,
                                    component=component, variant=variant)
    qs = qs.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=effective_from))
    if effective_to is not None:
        qs = qs.filter(effective_from__lte=effective_to)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs


def fee_schedule_validate(*, eservice: EService, municipality_class: int, kind: str,
                          amount: Decimal, minimum: Decimal | None, effective_from: dt.date,
                          effective_to: dt.date | None, exclude_pk: int | None = None,
                          component: str = FeeComponent.MAIN, variant: str = "") -> None:
    """Refuses a schedule that is malformed or overlaps another of the same service, class
    and component."""
    if municipality_class not in range(1, 6):
        raise DomainError("fee.bad_class", "فئة البلدية من ١ إلى ٥.",
                          "The municipality class is 1 to 5.", field="municipality_class")
    if component not in FeeComponent.values:
        raise DomainError("fee.bad_component", "بند الرسوم غير معروف.", "Unknown fee component.",
                          field="component")
    if variant and not re.fullmatch(r"[-a-z0-9_]{1,24}", variant):
        raise DomainError("fee.bad_variant",
                          "اسم فئة التعرفة حروف لاتينية صغيرة وأرقام فقط (٢٤ على الأكثر).",
                          "A fee variant is lower-case Latin letters, digits, - and _ (at most "
                          "24).", field="variant")
    if kind not in FeeRuleKind.values:
        raise DomainError("fee.bad_kind", "نوع القاعدة غير معروف.", "Unknown rule kind.",
                          field="kind")
    if amount is None or amount <= 0:
        raise DomainError("fee.bad_amount", "المبلغ يجب أن يكون أكبر من صفر.",
                          "The amount must be greater than zero.", field="amount")
    if minimum is not None and minimum < 0:
        raise DomainError("fee.bad_minimum", "الحد الأدنى لا يكون سالباً.",
                          "The minimum cannot be negative.", field="minimum")
    if effective_to is not None and effective_to < effective_from:
        raise DomainError("fee.bad_period", "تاريخ النهاية قبل تاريخ البداية.",
                          "The period ends before it starts.", field="effective_to")
    if _overlapping(eservice_id=eservice.pk, municipality_class=municipality_class,
                    component=component, effective_from=effective_from,
                    effective_to=effective_to, exclude_pk=exclude_pk,
                    variant=variant).exists():
        if component:
            raise DomainError(
                "fee.overlap",
                f"توجد جدولة أخرى لـ«{_component_label(component, 'ar')}» لنفس الخدمة والفئة "
                "في هذه الفترة.",
                f"Another fee schedule covers this service and class in this period "
                f"({_component_label(component, 'en')}).",
                field="effective_from")
        raise DomainError("fee.overlap",
                          "توجد جدولة رسوم أخرى لنفس الخدمة والفئة في هذه الفترة.",
                          "Another fee schedule covers this service and class in this period.",
                          field="effective_from")


@transaction.atomic
def fee_schedule_create(*, eservice: EService, municipality_class: int, kind: str,
                        amount: Decimal, effective_from: dt.date,
                        effective_to: dt.date | None = None, minimum: Decimal | None = None,
                        unit_ar: str = "", unit_en: str = "", name_ar: str = "",
                        name_en: str = "", component: str = FeeComponent.MAIN,
                        variant: str = "", history_user=None) -> FeeSchedule:
    """Adds a period of a service's fee (or of one stage's); periods of one service, class and
    component never overlap."""
    # Locking the service row serialises concurrent edits of its schedules, so two admins
    # cannot each pass the overlap check and both insert.
    EService.objects.select_for_update().get(pk=eservice.pk)
    amount = sar(amount)
    minimum = sar(minimum) if minimum is not None else None
    fee_schedule_validate(eservice=eservice, municipality_class=municipality_class, kind=kind,
                          amount=amount, minimum=minimum, effective_from=effective_from,
                          effective_to=effective_to, component=component, variant=variant)
    schedule = FeeSchedule(
        eservice=eservice, municipality_class=municipality_class, component=component,
        variant=variant,
        kind=kind, amount=amount,
        minimum=minimum, effective_from=effective_from, effective_to=effective_to,
        unit_ar=unit_ar, unit_en=unit_en, name_ar=name_ar or eservice.name_ar,
        name_en=name_en or eservice.name_en)
    if history_user is not None:
        # Outside a request (a service called by a task or a test) the history still says who.
        schedule._history_user = history_user
    schedule.save()
    return schedule


def fee_schedule_find(*, eservice: EService, municipality_class: int, on: dt.date,
                      component: str = FeeComponent.MAIN, variant: str = "") -> FeeSchedule:
    """The schedule of the service's `component` in force on `on` for the class: the
    `variant`'s own tariff when it has one in force, else the standard tariff."""
    if component not in FeeComponent.values:
        raise DomainError("fee.bad_component", "بند الرسوم غير معروف.", "Unknown fee component.",
                          field="component")
    in_force = (FeeSchedule.objects
                .filter(eservice=eservice, municipality_class=municipality_class,
                        component=component, effective_from__lte=on,
                        variant__in=[variant, ""] if variant else [""])
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
                .select_related("eservice"))
    # At most one per variant is in force (periods never overlap): the variant's own first.
    schedule = min(in_force, key=lambda s: s.variant != variant, default=None)
    if schedule is None and component:
        raise DomainError(
            "fee.no_schedule",
            f"لم تُعتمد «{_component_label(component, 'ar')}» لهذه الخدمة في هذه البلدية "
            "في هذا التاريخ.",
            f"'{_component_label(component, 'en')}' is not configured for this service here "
            "on this date.",
            field="eservice")
    if schedule is None:
        raise DomainError("fee.no_schedule",
                          "لا توجد رسوم معتمدة لهذه الخدمة في هذه البلدية في هذا التاريخ.",
                          "No fee is configured for this service here on this date.",
                          field="eservice")
    return schedule


def fee_calculate(*, eservice: EService, municipality: Municipality, on: dt.date,
                  quantity: Decimal | str | None = None,
                  component: str = FeeComponent.MAIN, variant: str = "") -> FeeQuote:
    """The fee (of `component`) in force on `on` for the municipality's class: fixed, or
    rate × quantity with a minimum; the returned snapshot records the rule and inputs for the
    bill."""
    schedule = fee_schedule_find(eservice=eservice,
                                 municipality_class=municipality.municipality_class, on=on,
                                 component=component, variant=variant)
    if schedule.kind == FeeRuleKind.FIXED:
        amount = sar(schedule.amount)
        used_quantity = None
    else:
        try:
            used_quantity = Decimal(str(quantity)) if quantity is not None else None
        except InvalidOperation:
            used_quantity = None
        if used_quantity is None or not used_quantity.is_finite() or used_quantity <= 0:
            raise DomainError("fee.bad_quantity", "الكمية يجب أن تكون رقماً أكبر من صفر.",
                              "The quantity must be a number greater than zero.",
                              field="quantity")
        amount = sar(schedule.amount * used_quantity)
    minimum_applied = False
    if schedule.minimum is not None and amount < schedule.minimum:
        amount = sar(schedule.minimum)
        minimum_applied = True
    snapshot = {
        "schedule_id": schedule.pk,
        "eservice": eservice.code,
        "municipality": municipality.code,
        "municipality_class": municipality.municipality_class,
        "on": on.isoformat(),
        "kind": schedule.kind,
        "rate_or_amount": str(schedule.amount),
        "unit_en": schedule.unit_en,
        "minimum": str(schedule.minimum) if schedule.minimum is not None else None,
        "quantity": str(used_quantity) if used_quantity is not None else None,
        "minimum_applied": minimum_applied,
        "amount": str(amount),
    }
    if schedule.component:
        # A main fee's snapshot keeps the shape bills had before stages existed: no key there
        # means the main fee, on old bills and new ones alike.
        snapshot["component"] = schedule.component
    if schedule.variant:
        snapshot["variant"] = schedule.variant
    return FeeQuote(amount=amount, schedule=schedule, snapshot=snapshot)
