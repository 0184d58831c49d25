"""A permit after issue: renewal, amendment, replacement of a lost certificate, suspension,
reinstatement and cancellation (with the sub-permits hanging from it), objections to a decision,
and the nightly expiry.

Renewal and replacement are payment steps without a case: the stage is billed on a lifecycle
application (kind renewal / replacement, status awaiting_fee); the payable's on_paid schedules
`permits.application_lifecycle_paid`, which calls `application_lifecycle_settle`. An amendment
is a case on the type's procedure; when it is issued, REVIEW's issue task calls `permit_amend`.
"""

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q

from amanah import clock
from amanah.dates import business_date, dual_date_format
from amanah.dispatch import task_on_commit
from amanah.enums import StaffRole
from amanah.errors import Conflict, DomainError, PermissionDenied
from amanah.permissions import person_for_user, staff_memberships
from payments.enums import BillStatus
from workflow.enums import StatusCategory
from workflow.services.cases import case_submit

from ..enums import (
    APPLICATION_OPEN,
    ApplicationEventKind,
    ApplicationKind,
    ApplicationStatus,
    FeeStage,
    FieldKind,
    PartyRole,
    PermitEventKind,
    PermitStatus,
)
from ..models import (
    Activity,
    Application,
    ApplicationActivity,
    ApplicationParty,
    Permit,
    PermitObjection,
    PermitType,
    PermitTypeField,
    PermitVersion,
)
from ..procedures import OBJECTION_CODE
from ..selectors import application_party_filter
from .applications import application_event_append, application_lock, application_status_change
from .permits import (
    application_details,
    issue_validity_months,
    permit_event_append,
    permit_lock,
    permit_save,
    permit_status_change,
    permit_valid_until,
)

logger = logging.getLogger(__name__)

P = PermitStatus
OBJECTION_DAYS = 60
# Who may suspend, reinstate or cancel a permit: these roles in any department of its
# municipality.
PERMIT_DECISION_ROLES = frozenset({StaffRole.HEAD, StaffRole.REVIEWER})
# The decisions an objection can be about, newest first wins (renewal, replacement and expiry
# are not decisions against the holder).
DECISION_EVENTS = (PermitEventKind.ISSUED, PermitEventKind.AMENDED, PermitEventKind.SUSPENDED,
                   PermitEventKind.CANCELLED)
EXPIRY_BATCH = 200


def _today() -> dt.date:
    return business_date(clock.now())


def _dual(day: dt.date) -> tuple[str, str]:
    return dual_date_format(day, "ar"), dual_date_format(day, "en")


# --- Who ----------------------------------------------------------------------------------


def permit_is_held_by(permit: Permit, person) -> bool:
    """The person is the holder, or a representative of the holding establishment."""
    if person is None:
        return False
    if permit.holder_person_id is not None and permit.holder_person_id == person.pk:
        return True
    if permit.holder_establishment_id is None:
        return False
    return permit.holder_establishment.representatives.filter(pk=person.pk).exists()


def _holder_person_or_refuse(permit: Permit, user):
    person = person_for_user(user)
    if not permit_is_held_by(permit, person):
        raise PermissionDenied("permits.not_holder",
                               "هذا الإجراء لصاحب الرخصة أو من يمثل المنشأة صاحبة الرخصة.",
                               "Only the permit's holder (or a representative of the holding "
                               "establishment) can do this.")
    return person


def permit_staff_may_decide(user, permit: Permit) -> bool:
    """Head or reviewer in a department of the permit's municipality."""
    return any(m.department.municipality_id == permit.municipality_id
               and m.role in PERMIT_DECISION_ROLES for m in staff_memberships(user))


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("permits.reason_required", "اكتب سبب القرار.",
                          "Write the reason for the decision.", field="reason")
    return reason


def _notify(event) -> None:
    task_on_commit("permits.permit_notify_holder", event_id=event.pk)


def _certificate_remake(permit: Permit) -> None:
    task_on_commit("permits.certificate_ensure", permit_id=permit.pk)


# --- Billing the lifecycle stages -----------------------------------------------------------


def _type_bills(permit_type: PermitType, stage: str) -> bool:
    return permit_type.fee_rules.filter(stage=stage).exists()


def _stage_bill(application: Application, stage: str, actor) -> None:
    # APPLY's billing of a stage: priced from the type's fee schedule component, payable kind
    # "permit_fee" with payable_ref "<reference>:<stage>", an ApplicationFee row.
    from .fees import application_fee_bill

    application_fee_bill(application=application, stage=stage, actor=actor)


def _lifecycle_application_new(*, permit: Permit, kind: str, user, reason: str = "",
                               answers: dict | None = None, case=None,
                               activities: list | None = None) -> Application:
    """A renewal, amendment, replacement or cancellation application about `permit`, its
    holder as owner. A licence's application carries the licence's activities (or the
    `activities` an amendment asks for): they choose the fee tariff its stages are priced
    under and, for an amendment, what the next version prints."""
    application = Application(
        kind=kind, permit=permit, permit_type=permit.permit_type,
        municipality=permit.municipality, parcel=permit.parcel,
        answers=dict(permit.details) if answers is None else answers,
        owner_person=permit.holder_person, owner_establishment=permit.holder_establishment,
        created_by=user, case=case)
    created = application_event_append(application, kind=ApplicationEventKind.CREATED,
                                       actor=user, reason=reason,
                                       payload={"permit": permit.number, "kind": kind})
    application.save()
    created.application = application
    created.save()
    ApplicationParty.objects.create(application=application, role=PartyRole.OWNER,
                                    person=permit.holder_person,
                                    establishment=permit.holder_establishment)
    if permit.permit_type.uses_activities:
        if activities is None:
            activities = _permit_activities(permit)
        ApplicationActivity.objects.bulk_create(
            ApplicationActivity(application=application, activity=activity, order=order)
            for order, activity in enumerate(activities, start=1))
    return application


def _permit_activities(permit: Permit) -> list[Activity]:
    """The activities printed on a licence, in its order (retired ones included: they were
    licensed)."""
    codes = list((permit.details or {}).get("activities") or [])
    by_code = {a.code: a for a in Activity.objects.filter(code__in=codes)}
    return [by_code[code] for code in codes if code in by_code]


def _open_lifecycle_application(permit: Permit, kind: str) -> Application | None:
    return (Application.objects.filter(permit=permit, kind=kind, status__in=APPLICATION_OPEN)
            .order_by("-created_at", "-id").first())


def _fees_unpayable(application: Application) -> bool:
    """A bill of the application can no longer be paid (expired or cancelled unpaid)."""
    return any(fee.paid_at is None and (fee.bill.status in (BillStatus.EXPIRED,
                                                           BillStatus.CANCELLED)
                                        or fee.bill.cancel_requested_at is not None)
               for fee in application.fees.select_related("bill"))


def _awaiting_fee(application: Application, user) -> None:
    """Submitted and waiting for its fee: there is no case, the payment is the only step."""
    application_status_change(application=application, to_status=ApplicationStatus.IN_REVIEW,
                              actor=user)
    application_status_change(application=application, to_status=ApplicationStatus.AWAITING_FEE,
                              actor=user)


# --- Renewal --------------------------------------------------------------------------------


def renewal_window(permit: Permit) -> tuple[dt.date, dt.date] | None:
    """(first day renewal is allowed, last day a late renewal is allowed), or None when the
    permit never expires."""
    if permit.valid_until is None:
        return None
    permit_type = permit.permit_type
    return (permit.valid_until - dt.timedelta(days=permit_type.renewal_window_days),
            permit.valid_until + dt.timedelta(days=permit_type.late_renewal_days))


def renewal_check(permit: Permit, *, today: dt.date) -> bool:
    """Raise why the permit cannot be renewed today; True when the renewal is late (after
    expiry, inside the late window: the late renewal fine is billed too)."""
    if permit.status not in (P.VALID, P.EXPIRED):
        raise Conflict("permits.renewal_status",
                       "لا يمكن تجديد رخصة موقوفة أو ملغاة.",
                       "A suspended or cancelled permit cannot be renewed.")
    window = renewal_window(permit)
    if window is None:
        raise Conflict("permits.renewal_not_needed", "هذه الرخصة لا تنتهي ولا تحتاج إلى تجديد.",
                       "This permit does not expire and needs no renewal.")
    opens, late_until = window
    if today < opens:
        ar, en = _dual(opens)
        raise DomainError("permits.renewal_not_open",
                          f"لم يبدأ التجديد بعد: يمكن التجديد من {ar}.",
                          f"Renewal is not open yet: you can renew from {en}.")
    if today > late_until:
        ar, en = _dual(late_until)
        raise DomainError("permits.renewal_too_late",
                          f"انتهت مهلة التجديد المتأخر في {ar}؛ تقدم بطلب رخصة جديدة.",
                          f"The late renewal period ended on {en}; apply for a new permit.")
    return today > permit.valid_until


def _renewal_years(permit_type: PermitType, years) -> int | None:
    """The years a renewal asks for: required (1–3) for a type whose validity is chosen in
    years, ignored otherwise."""
    if not permit_type.validity_years_field:
        return None
    if isinstance(years, bool) or years not in (1, 2, 3):
        raise DomainError("permits.renewal_years_required",
                          "اختر مدة التجديد: سنة أو سنتان أو ثلاث سنوات.",
                          "Choose how long to renew for: 1, 2 or 3 years.",
                          field="validity_years")
    return years


def _renewal_parent_check(permit: Permit, today: dt.date) -> None:
    """A sub-permit is renewed only while its licence is valid and runs past the sub-permit's
    end: it never goes past the licence's."""
    parent = permit.parent
    if parent is None:
        return
    if parent.status != P.VALID or (parent.valid_until is not None
                                     and parent.valid_until < today):
        raise Conflict("permits.sub_permit_parent_not_valid",
                       f"الرخصة الأساسية {parent.number} غير سارية؛ لا يجدد التصريح الفرعي.",
                       f"The base licence {parent.number} is not valid; the sub-permit cannot "
                       "be renewed.")
    if parent.valid_until is not None and permit.valid_until is not None \
            and parent.valid_until <= permit.valid_until:
        ar, en = _dual(parent.valid_until)
        raise Conflict("permits.renewal_parent_first",
                       f"ينتهي التصريح الفرعي مع الرخصة الأساسية {parent.number} في {ar}؛ "
                       "جدد الرخصة الأساسية أولًا.",
                       f"The sub-permit ends with the base licence {parent.number} on {en}; "
                       "renew the base licence first.")


def _renewal_stages(application: Application, is_late: bool) -> list[str]:
    """What a renewal bills: the renewal fee; a licence with a sign, the signage fee for the
    years renewed too; after expiry, the late renewal fine."""
    from .fees import rule_quantity

    permit_type = application.permit_type
    stages = [FeeStage.RENEWAL]
    signage = permit_type.fee_rules.filter(stage=FeeStage.SIGNAGE).first()
    if signage is not None and rule_quantity(signage, permit_type,
                                             application.answers)[0] is not None:
        stages.append(FeeStage.SIGNAGE)
    if is_late:
        stages.append(FeeStage.LATE_RENEWAL)
    return stages


@transaction.atomic
def permit_renewal_start(*, permit_id: int, user, years: int | None = None) -> Application:
    """The holder renews inside the renewal window (or late, within the late window, with the
    late renewal fine): a renewal application billed at the renewal stage(s). A licence is
    renewed for the `years` chosen (1–3, stored as the renewal's validity years answer), its
    per-year fees (renewal, signage) billed for those years."""
    permit = permit_lock(permit_id)
    _holder_person_or_refuse(permit, user)
    years = _renewal_years(permit.permit_type, years)
    today = _today()
    is_late = renewal_check(permit, today=today)
    _renewal_parent_check(permit, today)
    existing = _open_lifecycle_application(permit, ApplicationKind.RENEWAL)
    if existing is not None:
        existing = application_lock(existing.pk)
        if not _fees_unpayable(existing):
            # Asked again: the same renewal (for the years first chosen), with the late fine
            # added if it became late since.
            billed = set(existing.fees.values_list("stage", flat=True))
            for stage in _renewal_stages(existing, is_late):
                if stage not in billed and _type_bills(permit.permit_type, stage):
                    _stage_bill(existing, stage, user)
            return existing
        application_status_change(application=existing, to_status=ApplicationStatus.WITHDRAWN,
                                  actor=user, reason="bill no longer payable; renewal restarted")
    answers = dict(permit.details)
    if years is not None:
        answers[permit.permit_type.validity_years_field] = str(years)
    application = _lifecycle_application_new(permit=permit, kind=ApplicationKind.RENEWAL,
                                             user=user, answers=answers)
    _awaiting_fee(application, user)
    billed = [stage for stage in _renewal_stages(application, is_late)
              if _type_bills(permit.permit_type, stage)]
    for stage in billed:
        _stage_bill(application, stage, user)
    if not billed:
        # A type that charges nothing for renewal is renewed at once.
        _lifecycle_settle_locked(application, actor=user)
    return application


def _renew(permit: Permit, application: Application, actor) -> None:
    """The validity runs on from the later of today and the day after the old end, for the
    type's period (times the years chosen); a sub-permit's never past its licence's end."""
    today = _today()
    old_until = permit.valid_until
    start = max(today, old_until + dt.timedelta(days=1))
    permit.valid_until = permit_valid_until(
        start=start, validity_months=issue_validity_months(application))
    parent_until = permit.parent.valid_until if permit.parent_id else None
    if parent_until is not None and permit.valid_until is not None:
        permit.valid_until = max(old_until, min(permit.valid_until, parent_until))
    permit.version += 1
    payload = {"application": application.reference, "valid_until": str(permit.valid_until),
               "previous_valid_until": str(old_until)}
    if permit.status == P.EXPIRED:
        event = permit_status_change(permit=permit, to_status=P.VALID,
                                     kind=PermitEventKind.RENEWED, actor=actor, payload=payload,
                                     extra_fields=["valid_until", "version"])
    else:
        # Valid (or suspended: renewing does not lift a suspension, which is its own decision).
        event = permit_event_append(permit, kind=PermitEventKind.RENEWED, actor=actor,
                                    payload=payload)
        permit_save(permit, ["valid_until", "version"])
    PermitVersion.objects.create(permit=permit, version=permit.version, details=permit.details,
                                 valid_until=permit.valid_until, application=application)
    _certificate_remake(permit)
    _notify(event)


# --- Replacement of a lost certificate ------------------------------------------------------


@transaction.atomic
def permit_replacement_request(*, permit_id: int, user, reason: str) -> Application:
    """The holder asks for a new certificate in place of a lost or damaged one: the
    replacement stage is billed; once paid the certificate is made again, marked as such."""
    permit = permit_lock(permit_id)
    _holder_person_or_refuse(permit, user)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("permits.replacement_reason_required",
                          "اذكر سبب طلب بدل الفاقد أو التالف.",
                          "Say why the certificate is being replaced (lost or damaged).",
                          field="reason")
    if permit.status != P.VALID:
        raise Conflict("permits.replacement_status",
                       "تُصدر شهادة بدل فاقد لرخصة سارية فقط.",
                       "A replacement certificate is issued for a valid permit only.")
    existing = _open_lifecycle_application(permit, ApplicationKind.REPLACEMENT)
    if existing is not None:
        existing = application_lock(existing.pk)
        if not _fees_unpayable(existing):
            return existing
        application_status_change(application=existing, to_status=ApplicationStatus.WITHDRAWN,
                                  actor=user, reason="bill no longer payable; request restarted")
    application = _lifecycle_application_new(permit=permit, kind=ApplicationKind.REPLACEMENT,
                                             user=user, reason=reason)
    _awaiting_fee(application, user)
    if _type_bills(permit.permit_type, FeeStage.REPLACEMENT):
        _stage_bill(application, FeeStage.REPLACEMENT, user)
    else:
        _lifecycle_settle_locked(application, actor=user)
    return application


def _replace(permit: Permit, application: Application, actor) -> None:
    permit.replacement_count += 1
    # A REPLACED event after the last CERTIFICATE_MADE makes the stored certificate stale
    # (certificates.certificate_is_current): the next one is made marked as a replacement.
    event = permit_event_append(permit, kind=PermitEventKind.REPLACED, actor=actor,
                                payload={"application": application.reference,
                                         "replacement": permit.replacement_count})
    permit_save(permit, ["replacement_count"])
    _certificate_remake(permit)
    _notify(event)


# --- Settling a paid lifecycle application --------------------------------------------------


# What settling a paid application billed without a case does, by its kind: renewal and
# replacement here; permits.licences registers an instant licence's issue (kind new) and a
# cancellation at the holder's request. A settler gets the locked application, all of whose
# fees are paid, and moves its status itself.
LifecycleSettler = Callable[..., None]
_settlers: dict[str, LifecycleSettler] = {}


def lifecycle_settler_register(kind: str):
    """Decorator: `fn(application, *, actor)` settles a paid application of `kind` that has
    no case."""
    def register(fn: LifecycleSettler) -> LifecycleSettler:
        _settlers[kind] = fn
        return fn
    return register


def _lifecycle_settle_locked(application: Application, *, actor=None) -> Application:
    settle = _settlers.get(application.kind)
    if (settle is None or application.case_id is not None
            or application.status != ApplicationStatus.AWAITING_FEE):
        return application  # settled already, or not a payment step: nothing to do
    if application.fees.filter(paid_at__isnull=True).exists():
        return application  # another stage of it is still unpaid
    settle(application, actor=actor)
    return application


@lifecycle_settler_register(ApplicationKind.RENEWAL)
@lifecycle_settler_register(ApplicationKind.REPLACEMENT)
def _renewal_or_replacement_settle(application: Application, *, actor=None) -> None:
    permit = permit_lock(application.permit_id)
    if permit.status == P.CANCELLED:
        # Cancelled while the fee was being paid: nothing to renew or replace; the payment is
        # refunded through payments (the application says why).
        application_status_change(
            application=application, to_status=ApplicationStatus.WITHDRAWN, actor=actor,
            reason="الرخصة ملغاة؛ يُعاد المبلغ المدفوع. / The permit is cancelled; the fee "
                   "paid will be refunded.")
        return
    if application.kind == ApplicationKind.RENEWAL:
        _renew(permit, application, actor)
    else:
        _replace(permit, application, actor)
    application_status_change(application=application, to_status=ApplicationStatus.ISSUED,
                              actor=actor, payload={"permit": permit.number,
                                                    "version": permit.version})


@transaction.atomic
def application_lifecycle_settle(*, application_id: int) -> Application:
    """Once every billed stage of an application without a case is paid (a renewal, a
    replacement, an instant licence, a cancellation): do what its kind's settler says and
    close the application. Safe to run twice."""
    return _lifecycle_settle_locked(application_lock(application_id))


def applications_lifecycle_settle_due(*, limit: int = 200) -> int:
    """The sweeper behind `permits.application_lifecycle_paid`: paid applications without a
    case still awaiting settlement (the task was lost)."""
    ids = list(Application.objects.filter(
        kind__in=list(_settlers), case__isnull=True, status=ApplicationStatus.AWAITING_FEE,
        fees__paid_at__isnull=False).exclude(fees__paid_at__isnull=True)
        .order_by("pk").values_list("pk", flat=True).distinct()[:limit])
    for application_id in ids:
        application_lifecycle_settle(application_id=application_id)
    return len(ids)


# --- Amendment ------------------------------------------------------------------------------


def _field_error(field: PermitTypeField, ar: str, en: str) -> DomainError:
    return DomainError("permits.answer_invalid", f"{field.label_ar}: {ar}",
                       f"{field.label_en}: {en}", field=field.key)


def detail_value_clean(field: PermitTypeField, raw):
    """A detail's value from a form or a file, as answers store it (int, "12.50", text…);
    refused with the field's label when it does not fit the field."""
    text = raw.strip() if isinstance(raw, str) else raw
    if text in (None, ""):
        if field.required:
            raise _field_error(field, "مطلوب.", "required.")
        return None
    if field.kind in (FieldKind.INTEGER, FieldKind.DECIMAL):
        try:
            number = Decimal(str(text))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise _field_error(field, "يجب أن يكون رقماً.", "must be a number.")
        if field.kind == FieldKind.INTEGER and number != number.to_integral_value():
            raise _field_error(field, "يجب أن يكون عدداً صحيحاً.", "must be a whole number.")
        if field.min_value is not None and number < field.min_value:
            raise _field_error(field, f"أقل قيمة {field.min_value}.",
                               f"must be at least {field.min_value}.")
        if field.max_value is not None and number > field.max_value:
            raise _field_error(field, f"أكبر قيمة {field.max_value}.",
                               f"must be at most {field.max_value}.")
        return int(number) if field.kind == FieldKind.INTEGER else f"{number:.2f}"
    if field.kind == FieldKind.CHOICE:
        values = [str(c.get("value")) for c in field.choices]
        if str(text) not in values:
            raise _field_error(field, "اختر من القائمة.", "choose one of the list.")
        return str(text)
    if field.kind == FieldKind.BOOLEAN:
        if isinstance(text, bool):
            return text
        if str(text).lower() in ("1", "true", "yes", "نعم"):
            return True
        if str(text).lower() in ("0", "false", "no", "لا"):
            return False
        raise _field_error(field, "نعم أو لا.", "yes or no.")
    if field.kind == FieldKind.DATE:
        try:
            return dt.date.fromisoformat(str(text)).isoformat()
        except ValueError:
            raise _field_error(field, "تاريخ بالصيغة YYYY-MM-DD.",
                               "a date as YYYY-MM-DD.") from None
    text = str(text)
    if field.max_length and len(text) > field.max_length:
        raise _field_error(field, f"{field.max_length} حرفاً على الأكثر.",
                           f"at most {field.max_length} characters.")
    if field.pattern:
        import re

        if not re.fullmatch(field.pattern, text):
            raise _field_error(field, "الصيغة غير صحيحة.", "the format is not right.")
    return text


def permit_detail_fields(permit_type: PermitType) -> list[PermitTypeField]:
    """The fields printed on the type's permits, in form order."""
    return [f for f in permit_type.fields.all() if f.is_detail]


def amendment_changes_clean(permit: Permit, answers: dict, *,
                            allow_none: bool = False) -> dict:
    """The detail answers that differ from the permit's, cleaned; unknown keys refused (and
    no change at all refused, unless `allow_none`: the activities change instead)."""
    fields = {f.key: f for f in permit_detail_fields(permit.permit_type)}
    unknown = sorted(set(answers) - set(fields))
    if unknown:
        raise DomainError("permits.amendment_unknown_field",
                          "لا يمكن تعديل إلا البيانات المطبوعة على الرخصة.",
                          "Only the details printed on the permit can be amended.",
                          field=unknown[0])
    changes = {}
    for key, raw in answers.items():
        value = detail_value_clean(fields[key], raw)
        if value is not None and value != permit.details.get(key):
            changes[key] = value
    if not changes and not allow_none:
        raise DomainError("permits.amendment_no_change", "لم تغيّر أي بيان من بيانات الرخصة.",
                          "You did not change any detail of the permit.")
    return changes


# A licence covers at least one activity and at most five (as a new licence application).
MAX_ACTIVITIES = 5


def amendment_activities_clean(permit: Permit, activity_codes: list[str] | None
                               ) -> list[Activity] | None:
    """The activities an amended licence would cover, in the order given, or None when they
    do not change (not asked, or the same codes in the same order). Like a new application's:
    1 to 5 distinct codes of active catalogue activities."""
    if activity_codes is None:
        return None
    if not permit.permit_type.uses_activities:
        raise DomainError("permits.activities_not_used", "هذه الرخصة لا تُصدر على أنشطة.",
                          "This permit is not issued for activities.", field="activities")
    codes = [str(code).strip() for code in activity_codes]
    if not 1 <= len(codes) <= MAX_ACTIVITIES or len(set(codes)) != len(codes):
        raise DomainError("permits.activities_count",
                          f"اختر من نشاط واحد إلى {MAX_ACTIVITIES} أنشطة دون تكرار.",
                          f"Choose from 1 to {MAX_ACTIVITIES} activities, each once.",
                          field="activities")
    by_code = {a.code: a for a in Activity.objects.filter(code__in=codes, is_active=True)}
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        raise DomainError("permits.activity_unknown",
                          f"النشاط {unknown[0]} غير موجود في دليل الأنشطة أو موقوف.",
                          f"Activity {unknown[0]} is not in the activity catalogue or is "
                          "retired.", field="activities")
    if codes == list((permit.details or {}).get("activities") or []):
        return None
    return [by_code[code] for code in codes]


@transaction.atomic
def permit_amendment_start(*, permit_id: int, user, answers: dict,
                           activity_codes: list[str] | None = None) -> Application:
    """The holder asks to change approved details (a licence: its activities too): an
    amendment application opened as a case on the type's procedure (reviewed like a new one,
    without the submission's prerequisites, as every amendment); issued, it versions the
    permit."""
    permit = permit_lock(permit_id)
    _holder_person_or_refuse(permit, user)
    if permit.status != P.VALID:
        raise Conflict("permits.amendment_status", "تُعدَّل الرخصة السارية فقط.",
                       "Only a valid permit can be amended.")
    if _open_lifecycle_application(permit, ApplicationKind.AMENDMENT) is not None:
        raise Conflict("permits.amendment_open",
                       "لهذه الرخصة طلب تعديل قيد الدراسة؛ انتظر قراره.",
                       "An amendment of this permit is already being reviewed; wait for its "
                       "decision.")
    activities = amendment_activities_clean(permit, activity_codes)
    changes = amendment_changes_clean(permit, answers, allow_none=activities is not None)
    issuing = permit.application
    base = dict(issuing.answers) if issuing is not None else {}
    case = case_submit(kind=permit.permit_type.workflow_code, municipality=permit.municipality,
                       subject=f"تعديل الرخصة {permit.number} / Amendment of {permit.number}",
                       submitted_by=user, applicant_person=permit.holder_person,
                       applicant_establishment=(None if permit.holder_person_id
                                                else permit.holder_establishment))
    application = _lifecycle_application_new(
        permit=permit, kind=ApplicationKind.AMENDMENT, user=user, case=case,
        answers={**base, **permit.details, **changes}, activities=activities)
    if activities is not None:
        # Saved with the status change just below, as a new licence's choice is recorded.
        application_event_append(application, kind=ApplicationEventKind.ACTIVITIES_SET,
                                 actor=user, payload={"activities": [a.code for a in activities]})
    changed = sorted(changes) + (["activities"] if activities is not None else [])
    application_status_change(application=application, to_status=ApplicationStatus.IN_REVIEW,
                              actor=user, payload={"changes": changed})
    # The procedure's review guard asks for the application fee where the type bills one.
    if _type_bills(permit.permit_type, FeeStage.APPLICATION):
        _stage_bill(application, FeeStage.APPLICATION, user)
    return application


@transaction.atomic
def permit_amend(*, application: Application, actor=None) -> Permit:
    """Apply an approved amendment: version + 1, the details replaced by the application's,
    a new PermitVersion, the certificate made again. The caller holds the application's lock
    and moves its status (as for permit_issue). Safe to run twice."""
    if application.kind != ApplicationKind.AMENDMENT or application.permit_id is None:
        raise Conflict("permits.not_an_amendment", "هذا الطلب ليس طلب تعديل رخصة.",
                       "This application is not an amendment of a permit.")
    permit = permit_lock(application.permit_id)
    if PermitVersion.objects.filter(permit=permit, application=application).exists():
        return permit
    if permit.status == P.CANCELLED:
        raise Conflict("permits.amendment_status", "لا يمكن تعديل رخصة ملغاة.",
                       "A cancelled permit cannot be amended.")
    before = permit.details
    permit.details = application_details(application)
    permit.version += 1
    changed = sorted(k for k in set(before) | set(permit.details)
                     if before.get(k) != permit.details.get(k))
    event = permit_event_append(permit, kind=PermitEventKind.AMENDED, actor=actor,
                                payload={"application": application.reference,
                                         "changed": changed})
    permit_save(permit, ["details", "version"])
    PermitVersion.objects.create(permit=permit, version=permit.version, details=permit.details,
                                 valid_until=permit.valid_until, application=application)
    _certificate_remake(permit)
    _notify(event)
    return permit


def approval_fee_stage(application: Application) -> str | None:
    """The stage billed when an application is approved: the amendment fee for an amendment,
    the issuance fee otherwise; None when the type bills no such stage (issue at once)."""
    stage = (FeeStage.AMENDMENT if application.kind == ApplicationKind.AMENDMENT
             else FeeStage.ISSUANCE)
    return stage if _type_bills(application.permit_type, stage) else None


def permit_issue_for(*, application: Application, actor=None,
                     valid_from: dt.date | None = None) -> Permit:
    """What issuing an approved application does, by its kind: a new permit (permit_issue) or
    the permit it amends (permit_amend). The caller holds the application's lock and moves
    its status, as for permit_issue."""
    from .permits import permit_issue

    if application.kind == ApplicationKind.AMENDMENT:
        return permit_amend(application=application, actor=actor)
    return permit_issue(application=application, actor=actor, valid_from=valid_from)


# --- Suspension, reinstatement, cancellation ------------------------------------------------


def _descendants_locked(permit: Permit) -> list[Permit]:
    """The permit's sub-permits and theirs, locked, parents before children."""
    found, level = [], [permit.pk]
    while level:
        children = list(Permit.objects.select_for_update(of=("self",))
                        .filter(parent_id__in=level).order_by("pk"))
        found += children
        level = [c.pk for c in children]
    return found


def _decision_check(permit: Permit, actor) -> None:
    if not permit_staff_may_decide(actor, permit):
        raise PermissionDenied("permits.decision_not_allowed",
                               "هذا القرار لرئيس القسم أو المراجع في بلدية الرخصة.",
                               "Only a head or reviewer of the permit's municipality can "
                               "decide this.")


def _status_decide(*, permit_id: int, actor, reason: str, to_status: str, kind: str,
                   from_statuses: frozenset[str], refusal: tuple[str, str, str],
                   children_when) -> Permit:
    reason = _reason_required(reason)
    permit = permit_lock(permit_id)
    _decision_check(permit, actor)
    if permit.status not in from_statuses:
        raise Conflict(*refusal)
    return permit_status_cascade(permit, actor=actor, reason=reason, to_status=to_status,
                                 kind=kind, children_when=children_when)


def permit_status_cascade(permit: Permit, *, actor, reason: str, to_status: str, kind: str,
                          children_when, payload: dict | None = None) -> Permit:
    """Move the locked permit, and those of its sub-permits `children_when` picks, to
    `to_status` with the reason, telling each holder. Who may decide is the caller's check
    (staff for a decision, the holder for a cancellation at their request)."""
    event = permit_status_change(permit=permit, to_status=to_status, kind=kind, actor=actor,
                                 reason=reason, payload=payload)
    _notify(event)
    for child in _descendants_locked(permit):
        if children_when(child):
            child_event = permit_status_change(
                permit=child, to_status=to_status, kind=kind, actor=actor, reason=reason,
                payload={**(payload or {}), "with_parent": permit.number})
            _notify(child_event)
    return permit


def cancellable_with_parent(child: Permit) -> bool:
    return child.status in (P.VALID, P.SUSPENDED)


def _last_status_event(permit: Permit):
    return permit.events.filter(to_status=permit.status).order_by("-seq").first()


@transaction.atomic
def permit_suspend(*, permit_id: int, actor, reason: str) -> Permit:
    """Staff suspend a valid permit, with a reason; its valid sub-permits are suspended too."""
    return _status_decide(
        permit_id=permit_id, actor=actor, reason=reason, to_status=P.SUSPENDED,
        kind=PermitEventKind.SUSPENDED, from_statuses=frozenset({P.VALID}),
        refusal=("permits.suspend_status", "تُوقف الرخصة السارية فقط.",
                 "Only a valid permit can be suspended."),
        children_when=lambda child: child.status == P.VALID)


@transaction.atomic
def permit_reinstate(*, permit_id: int, actor, reason: str) -> Permit:
    """Staff lift a suspension; sub-permits suspended with it (not on their own) are lifted
    too. A validity that ended meanwhile is caught by the nightly expiry as for any permit."""
    def suspended_with_parent(child: Permit) -> bool:
        if child.status != P.SUSPENDED:
            return False
        last = _last_status_event(child)
        return last is not None and (last.payload or {}).get("with_parent") is not None

    return _status_decide(
        permit_id=permit_id, actor=actor, reason=reason, to_status=P.VALID,
        kind=PermitEventKind.REINSTATED, from_statuses=frozenset({P.SUSPENDED}),
        refusal=("permits.reinstate_status", "الرخصة ليست موقوفة.",
                 "The permit is not suspended."),
        children_when=suspended_with_parent)


@transaction.atomic
def permit_cancel(*, permit_id: int, actor, reason: str) -> Permit:
    """Staff cancel a valid or suspended permit for good, with a reason; so are its
    sub-permits that are still valid or suspended."""
    return _status_decide(
        permit_id=permit_id, actor=actor, reason=reason, to_status=P.CANCELLED,
        kind=PermitEventKind.CANCELLED, from_statuses=frozenset({P.VALID, P.SUSPENDED}),
        refusal=("permits.cancel_status", "لا يمكن إلغاء رخصة منتهية أو ملغاة.",
                 "An expired or cancelled permit cannot be cancelled."),
        children_when=cancellable_with_parent)


# --- Objections -----------------------------------------------------------------------------


def permit_decision_date(permit: Permit) -> dt.date:
    """The day of the latest decision on the permit (issue, amendment, suspension,
    cancellation); a paper-era permit's is its issue date."""
    last = permit.events.filter(kind__in=DECISION_EVENTS).order_by("-seq").first()
    return business_date(last.at) if last is not None else permit.issued_on


def objection_due_on(decision_on: dt.date) -> dt.date:
    return decision_on + dt.timedelta(days=OBJECTION_DAYS)


def _objection_open(q: Q) -> bool:
    return (PermitObjection.objects.filter(q)
            .exclude(case__category__in=StatusCategory.terminal()).exists())


@transaction.atomic
def permit_objection_file(*, user, grounds: str, permit_id: int | None = None,
                          application_id: int | None = None, documents=()) -> PermitObjection:
    """The holder objects to a permit's decision, or a party to an application's rejection,
    within 60 days of it: a case of kind "permit_objection" for the legal department."""
    if (permit_id is None) == (application_id is None):
        raise DomainError("permits.objection_subject", "حدد الرخصة أو الطلب المعترض عليه.",
                          "Name the permit or the application objected to.")
    grounds = (grounds or "").strip()
    if not grounds:
        raise DomainError("permits.objection_grounds_required", "اكتب أسباب الاعتراض.",
                          "Write the grounds of the objection.", field="grounds")
    if permit_id is not None:
        permit = permit_lock(permit_id)
        _holder_person_or_refuse(permit, user)
        decision_on, about = permit_decision_date(permit), Q(permit=permit)
        municipality, number = permit.municipality, permit.number
        applicant_person, applicant_establishment = (permit.holder_person,
                                                     permit.holder_establishment)
        application = None
    else:
        application = application_lock(application_id)
        person = person_for_user(user)
        if person is None or not Application.objects.filter(
                application_party_filter(person), pk=application.pk).exists():
            raise PermissionDenied("permits.not_a_party", "لست طرفاً في هذا الطلب.",
                                   "You are not a party to this application.")
        if application.status != ApplicationStatus.REJECTED:
            raise Conflict("permits.objection_not_rejected",
                           "يُعترض على الطلب المرفوض فقط.",
                           "Only a rejected application can be objected to.")
        decision_on, about = business_date(application.decided_at), Q(application=application)
        municipality, number = application.municipality, application.reference
        applicant_person, applicant_establishment = (application.owner_person,
                                                     application.owner_establishment)
        permit = None
    due_on = objection_due_on(decision_on)
    if _today() > due_on:
        ar, en = _dual(due_on)
        raise DomainError("permits.objection_too_late",
                          f"انتهت مهلة الاعتراض (ستون يوماً من القرار) في {ar}.",
                          f"The time to object (60 days from the decision) ended on {en}.")
    if _objection_open(about):
        raise Conflict("permits.objection_open", "يوجد اعتراض قيد الدراسة على هذا القرار.",
                       "An objection to this decision is already being heard.")
    case = case_submit(
        kind=OBJECTION_CODE, municipality=municipality,
        subject=f"اعتراض على {number} / Objection to {number}", submitted_by=user,
        applicant_person=applicant_person,
        applicant_establishment=None if applicant_person is not None else applicant_establishment,
        description=grounds, documents=list(documents))
    return PermitObjection.objects.create(permit=permit, application=application, case=case,
                                          filed_by=user, grounds=grounds,
                                          decision_on=decision_on, due_on=due_on)


# --- Nightly expiry -------------------------------------------------------------------------


def permits_expire_due(*, today: dt.date | None = None, limit: int = 1000) -> int:
    """Valid or suspended permits whose validity ended before `today` become expired, in
    batches of their own transactions; running it again expires nothing twice."""
    today = today or _today()
    done = 0
    while done < limit:
        with transaction.atomic():
            # A permit being renewed right now is skipped, and found next time if still due.
            batch = list(Permit.objects.select_for_update(of=("self",), skip_locked=True)
                         .filter(status__in=(P.VALID, P.SUSPENDED), valid_until__lt=today)
                         .order_by("valid_until", "pk")[:min(EXPIRY_BATCH, limit - done)])
            for permit in batch:
                event = permit_status_change(permit=permit, to_status=P.EXPIRED,
                                             kind=PermitEventKind.EXPIRED,
                                             payload={"valid_until": str(permit.valid_until)})
                _notify(event)
        if not batch:
            break
        done += len(batch)
    return done
