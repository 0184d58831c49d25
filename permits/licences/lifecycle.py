"""A commercial licence after issue: cancellation at the holder's request, and which
sub-permits (signage, extended hours, home delivery, outdoor seating) its activities allow.

Renewal in years, amendment with activities, suspension and the sub-permits' cascade are the
generic lifecycle's (permits.services.lifecycle); this module adds what only licences have.

A cancellation is a lifecycle application of kind CANCELLATION without a case: the months left
on the licence are billed at the cancellation stage (nothing billed, settled at once, when no
month is left); once paid, the settler registered here cancels the licence and its valid or
suspended sub-permits with the holder's reason.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from amanah.errors import Conflict, DomainError

from ..enums import (
    ApplicationEventKind,
    ApplicationKind,
    ApplicationStatus,
    FeeStage,
    PermitEventKind,
    PermitStatus,
)
from ..models import Activity, Application, Permit, PermitType
from ..prerequisites import Refusal, prerequisite_register
from ..services.applications import application_lock, application_status_change
from ..services.fees import application_fee_bill, fee_preview
from ..services.lifecycle import (
    _awaiting_fee,
    _fees_unpayable,
    _holder_person_or_refuse,
    _lifecycle_application_new,
    _lifecycle_settle_locked,
    _open_lifecycle_application,
    _today,
    _type_bills,
    cancellable_with_parent,
    lifecycle_settler_register,
    permit_status_cascade,
)
from ..services.permits import months_add, permit_lock

P = PermitStatus
ZERO = Decimal("0.00")


# --- Cancellation at the holder's request ---------------------------------------------------


@dataclass(frozen=True)
class CancellationQuote:
    months_left: int
    amount: Decimal  # 0.00 when nothing is billed


def months_left(valid_until: dt.date | None, *, today: dt.date) -> int:
    """The whole months of validity left after today, a part month counted as a whole one:
    the smallest n with today + n months (calendar months, months_add) on or after the last
    valid day. The last day today (or passed) → 0; one day left → 1; exactly 3 months → 3;
    11 months and a day → 12. A licence that never expires has none to refund or charge."""
    if valid_until is None or valid_until <= today:
        return 0
    months = (valid_until.year - today.year) * 12 + valid_until.month - today.month
    months = max(months - 1, 0)
    while months_add(today, months) < valid_until:
        months += 1
    return months


def licence_cancellation_quote(permit: Permit, *, today: dt.date) -> CancellationQuote:
    """What cancelling the licence today costs: the cancellation stage's rate per month left
    (under the licence's activities' highest tariff); 0.00 when no month is left or the type
    bills no cancellation."""
    left = months_left(permit.valid_until, today=today)
    permit_type = permit.permit_type
    if left == 0 or not _type_bills(permit_type, FeeStage.CANCELLATION):
        return CancellationQuote(months_left=left, amount=ZERO)
    codes = list((permit.details or {}).get("activities") or [])
    lines = fee_preview(permit_type=permit_type, municipality=permit.municipality,
                        answers=permit.details, stages=[FeeStage.CANCELLATION], on=today,
                        activities=list(Activity.objects.filter(code__in=codes)),
                        quantities={FeeStage.CANCELLATION: Decimal(left)})
    amount = lines[0].amount if lines else None
    if amount is None:
        raise DomainError("permits.cancellation_fee_unknown",
                          "تعذّر حساب رسم الإلغاء؛ تواصل مع البلدية.",
                          "The cancellation fee could not be worked out; please contact the "
                          "municipality.")
    return CancellationQuote(months_left=left, amount=amount)


@transaction.atomic
def licence_cancellation_request(*, permit_id: int, user, reason: str) -> Application:
    """The holder (a representative of the establishment) asks to cancel a valid or suspended
    licence: a cancellation application billed for the months left, or settled at once when
    none is billed. Asked again while one is open, the same one is returned."""
    permit = permit_lock(permit_id)
    _holder_person_or_refuse(permit, user)
    if not permit.permit_type.uses_activities:
        # Other permits (and a licence's sub-permits) end by staff decision or expiry.
        raise Conflict("permits.cancellation_not_offered",
                       "يُطلب الإلغاء لرخص المحلات التجارية فقط.",
                       "Cancellation on request is offered for commercial licences only.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("permits.cancellation_reason_required", "اذكر سبب طلب إلغاء الرخصة.",
                          "Say why you ask to cancel the licence.", field="reason")
    if permit.status not in (P.VALID, P.SUSPENDED):
        raise Conflict("permits.cancellation_status",
                       "لا يُطلب إلغاء رخصة منتهية أو ملغاة.",
                       "An expired or cancelled licence cannot be cancelled.")
    existing = _open_lifecycle_application(permit, ApplicationKind.CANCELLATION)
    if existing is not None:
        existing = application_lock(existing.pk)
        if not _fees_unpayable(existing):
            return existing
        application_status_change(application=existing, to_status=ApplicationStatus.WITHDRAWN,
                                  actor=user, reason="bill no longer payable; request restarted")
    quote = licence_cancellation_quote(permit, today=_today())
    application = _lifecycle_application_new(permit=permit, kind=ApplicationKind.CANCELLATION,
                                             user=user, reason=reason)
    _awaiting_fee(application, user)
    if quote.amount > ZERO:
        application_fee_bill(application=application, stage=FeeStage.CANCELLATION, actor=user,
                             quantity=Decimal(quote.months_left))
    else:
        _lifecycle_settle_locked(application, actor=user)
    return application


def _request_reason(application: Application) -> str:
    created = application.events.filter(kind=ApplicationEventKind.CREATED).first()
    return created.reason if created is not None and created.reason else "-"


@lifecycle_settler_register(ApplicationKind.CANCELLATION)
def _cancellation_settle(application: Application, *, actor=None) -> None:
    """Paid (or nothing to pay): the licence and its valid or suspended sub-permits are
    cancelled with the holder's reason, each holder told by SMS. A licence that expired or
    was cancelled meanwhile is left as it is; the application says why."""
    permit = permit_lock(application.permit_id)
    if permit.status not in (P.VALID, P.SUSPENDED):
        application_status_change(
            application=application, to_status=ApplicationStatus.WITHDRAWN, actor=actor,
            reason="الرخصة لم تعد سارية أو موقوفة؛ لا شيء يُلغى. / The licence is no longer "
                   "valid or suspended; there is nothing to cancel.")
        return
    permit_status_cascade(permit, actor=actor, reason=_request_reason(application),
                          to_status=P.CANCELLED, kind=PermitEventKind.CANCELLED,
                          children_when=cancellable_with_parent,
                          payload={"application": application.reference,
                                   "at_holders_request": True})
    application_status_change(application=application, to_status=ApplicationStatus.ISSUED,
                              actor=actor, payload={"permit": permit.number,
                                                    "cancelled": True})


# --- Sub-permits ----------------------------------------------------------------------------


def sub_permit_types_allowed(permit: Permit) -> list[PermitType]:
    """The active sub-permit types the licence's activities allow, each once, in the
    catalogue's order (display order, then code)."""
    codes = list((permit.details or {}).get("activities") or [])
    if not codes:
        return []
    return list(PermitType.objects.filter(
        is_active=True, is_sub_permit=True, allowing_activities__code__in=codes)
        .distinct().order_by("display_order", "code"))


@prerequisite_register("sub_permit_allowed")
def sub_permit_allowed(*, application: Application) -> list[Refusal]:
    """One of the licence's activities allows this sub-permit (a signage permit for a shop
    whose activity may carry a sign). Without a licence named, base_permit_valid says so."""
    licence = application.permit
    if licence is None:
        return []
    permit_type = application.permit_type
    if any(t.pk == permit_type.pk for t in sub_permit_types_allowed(licence)):
        return []
    name_ar, name_en = permit_type.name_ar, permit_type.name_en or permit_type.name_ar
    return [Refusal("permits.sub_permit_not_allowed",
                    f"أنشطة الرخصة {licence.number} لا تسمح بـ«{name_ar}».",
                    f"The activities of licence {licence.number} do not allow a "
                    f"{name_en}.", field="base_permit_number", reference=licence.number)]
