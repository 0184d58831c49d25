"""A fee changes by a new period from a date: the period in force then is closed the day
before, so every bill keeps the rule it was issued under and the history stays readable."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from amanah import clock
from amanah.dates import business_date, dual_date_format
from amanah.errors import DomainError, NotFound, PermissionDenied
from amanah.models import EService
from amanah.money import sar
from amanah.permissions import is_amanah_admin

from ..enums import FeeRuleKind
from ..models import FeeSchedule
from .fees import fee_schedule_create


def fee_schedule_may_change(user) -> bool:
    """A fee schedule is per municipality class, shared by every municipality of the class:
    only a superuser or an admin of the Amanah itself may change it (branch admins view)."""
    return is_amanah_admin(user)


def fee_series(schedule: FeeSchedule):
    """Every period of the same fee: service × class × component × variant."""
    return FeeSchedule.objects.filter(
        eservice_id=schedule.eservice_id, municipality_class=schedule.municipality_class,
        component=schedule.component, variant=schedule.variant)


@dataclass(frozen=True)
class FeePeriodPlan:
    """What adding a period would do, worked out before anything is written (the confirm
    page shows it; the service then does exactly this under its locks)."""

    fee: FeeSchedule  # the period named by the request (any period of the fee)
    current: FeeSchedule | None  # the period in force on the new start date, to be closed
    effective_from: dt.date
    closes_on: dt.date | None
    kind: str
    amount: Decimal
    minimum: Decimal | None


def _overlap_error(start: dt.date) -> DomainError:
    return DomainError(
        "fee.period_overlap",
        f"توجد فترة لهذه الرسوم تبدأ في {dual_date_format(start, 'ar')} أو بعد التاريخ المختار؛ "
        "اختر تاريخاً بعدها.",
        f"A period of this fee already starts on {dual_date_format(start, 'en')}, on or after "
        "the date chosen; choose a later date.",
        field="effective_from")


def fee_period_plan(*, fee_id: int, effective_from: dt.date, kind: str,
                    amount: Decimal | str, minimum: Decimal | str | None) -> FeePeriodPlan:
    """Checks a new period against the rules and the fee's other periods; raises the refusal
    a page shows next to its field."""
    fee = FeeSchedule.objects.select_related("eservice").filter(pk=fee_id).first()
    if fee is None:
        raise NotFound("fee.not_found", "الرسوم غير موجودة.", "No such fee.")
    today = business_date(clock.now())
    if effective_from is None or effective_from < today:
        raise DomainError(
            "fee.period_in_past",
            "لا تبدأ فترة جديدة في تاريخ مضى: صدرت فواتير على القاعدة السابقة. اختر اليوم أو "
            "تاريخاً لاحقاً.",
            "A new period cannot start on a past date: bills were already issued on the old "
            "rule. Choose today or a later date.",
            field="effective_from")
    if kind not in FeeRuleKind.values:
        raise DomainError("fee.bad_kind", "نوع القاعدة غير معروف.", "Unknown rule kind.",
                          field="kind")
    amount = sar(amount) if amount is not None else None
    if amount is None or amount <= 0:
        raise DomainError("fee.bad_amount", "المبلغ يجب أن يكون أكبر من صفر.",
                          "The amount must be greater than zero.", field="amount")
    minimum = sar(minimum) if minimum not in (None, "") else None
    if minimum is not None and minimum < 0:
        raise DomainError("fee.bad_minimum", "الحد الأدنى لا يكون سالباً.",
                          "The minimum cannot be negative.", field="minimum")
    periods = list(fee_series(fee).order_by("effective_from"))
    later = [p for p in periods if p.effective_from >= effective_from]
    if later:
        raise _overlap_error(later[0].effective_from)
    current = next((p for p in periods if p.effective_from < effective_from
                    and (p.effective_to is None or p.effective_to >= effective_from)), None)
    closes_on = effective_from - dt.timedelta(days=1) if current is not None else None
    return FeePeriodPlan(fee=fee, current=current, effective_from=effective_from,
                         closes_on=closes_on, kind=kind, amount=amount, minimum=minimum)


@transaction.atomic
def fee_period_add(*, fee_id: int, effective_from: dt.date, kind: str, amount: Decimal | str,
                   minimum: Decimal | str | None, unit_ar: str, unit_en: str,
                   actor) -> tuple[FeeSchedule, FeeSchedule | None]:
    """A change of fee is a new period from today or later; the period then in force ends the
    day before. Returns (the new period, the closed one or None)."""
    if not fee_schedule_may_change(actor):
        raise PermissionDenied(
            "fee.not_allowed",
            "رسوم الفئة مشتركة بين بلدياتها: يغيّرها مشرفو الأمانة فقط.",
            "A class's fee is shared by all its municipalities: only the Amanah's admins may "
            "change it.")
    fee = FeeSchedule.objects.filter(pk=fee_id).only("eservice_id").first()
    if fee is None:
        raise NotFound("fee.not_found", "الرسوم غير موجودة.", "No such fee.")
    # The service row is the lock every schedule write takes (fee_schedule_create too): two
    # admins adding periods at once are served one after the other, each seeing the other's.
    EService.objects.select_for_update().get(pk=fee.eservice_id)
    plan = fee_period_plan(fee_id=fee_id, effective_from=effective_from, kind=kind,
                           amount=amount, minimum=minimum)
    closed = plan.current
    if closed is not None:
        closed = FeeSchedule.objects.select_for_update().get(pk=closed.pk)
        closed.effective_to = plan.closes_on
        closed._history_user = actor
        closed.save(update_fields=["effective_to"])
    template = closed or plan.fee
    new = fee_schedule_create(
        eservice=plan.fee.eservice, municipality_class=template.municipality_class,
        component=template.component, variant=template.variant, kind=plan.kind,
        amount=plan.amount, minimum=plan.minimum, effective_from=plan.effective_from,
        unit_ar=unit_ar, unit_en=unit_en, name_ar=template.name_ar, name_en=template.name_en,
        history_user=actor)
    return new, closed


def fee_in_force(periods: list[FeeSchedule], on: dt.date) -> FeeSchedule | None:
    return next((p for p in periods if p.effective_from <= on
                 and (p.effective_to is None or p.effective_to >= on)), None)

