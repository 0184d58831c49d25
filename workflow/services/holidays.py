"""The holiday calendar the SLA clock skips. Only today or later may change: a past day's
figures were already reported. Every write goes through the model's save/delete, which tells
every process to reload its copy (`workflow.models.HOLIDAY_CALENDAR`)."""

import datetime as dt

from django.db import IntegrityError, transaction

from amanah import clock
from amanah.dates import business_date, dual_date_format
from amanah.errors import Conflict, DomainError, NotFound, PermissionDenied
from amanah.permissions import is_amanah_admin

from ..models import Holiday

MAX_RANGE_DAYS = 31


def _not_allowed() -> PermissionDenied:
    return PermissionDenied(
        "holiday.not_allowed", "تقويم الإجازات مشترك بين البلديات: يغيّره مشرفو الأمانة فقط.",
        "The holiday calendar is shared by every municipality: only the Amanah's admins may "
        "change it.")


def _past_refused(field: str) -> DomainError:
    return DomainError(
        "holiday.in_past",
        "لا يُغيَّر يوم مضى: أرقام المدد النظامية لذلك اليوم صدرت وقُرئت. اختر اليوم أو يوماً "
        "لاحقاً.",
        "A past day cannot change: the SLA figures for it were already reported. Choose today "
        "or a later day.",
        field=field)


@transaction.atomic
def holiday_add(*, date_from: dt.date, date_to: dt.date | None, name_ar: str, name_en: str,
                actor) -> list[Holiday]:
    """Adds a holiday, or one per day of a range, from today or later."""
    if not is_amanah_admin(actor):
        raise _not_allowed()
    date_to = date_to or date_from
    today = business_date(clock.now())
    if date_from < today:
        raise _past_refused("date_from")
    if date_to < date_from:
        raise DomainError("holiday.bad_range", "آخر يوم قبل أول يوم.",
                          "The last day is before the first.", field="date_to")
    days = (date_to - date_from).days + 1
    if days > MAX_RANGE_DAYS:
        raise DomainError("holiday.range_too_long",
                          f"الإجازة {MAX_RANGE_DAYS} يوماً على الأكثر.",
                          f"A holiday is at most {MAX_RANGE_DAYS} days.", field="date_to")
    name_ar, name_en = name_ar.strip(), name_en.strip()
    if not name_ar or not name_en:
        raise DomainError("holiday.name_required", "اكتب اسم الإجازة بالعربية والإنجليزية.",
                          "Give the holiday's name in Arabic and English.",
                          field="name_ar" if not name_ar else "name_en")
    wanted = [date_from + dt.timedelta(days=n) for n in range(days)]
    # Lock the days already there, so a concurrent removal cannot slip between check and add.
    taken = sorted(Holiday.objects.select_for_update().filter(date__in=wanted)
                   .values_list("date", flat=True))
    if taken:
        raise _taken(taken[0])
    added = []
    try:
        with transaction.atomic():
            for day in wanted:
                holiday = Holiday(date=day, name_ar=name_ar, name_en=name_en)
                holiday._history_user = actor
                holiday.save()
                added.append(holiday)
    except IntegrityError:
        # Another admin added one of these days after the check: the database said no.
        raise _taken(date_from) from None
    return added


def _taken(day: dt.date) -> Conflict:
    return Conflict("holiday.taken",
                    f"{dual_date_format(day, 'ar')} إجازة من قبل.",
                    f"{dual_date_format(day, 'en')} is already a holiday.", field="date_from")


@transaction.atomic
def holiday_remove(*, holiday_id: int, actor) -> Holiday:
    """Removes a holiday of today or later (the day counts again on the SLA clock)."""
    if not is_amanah_admin(actor):
        raise _not_allowed()
    holiday = Holiday.objects.select_for_update().filter(pk=holiday_id).first()
    if holiday is None:
        raise NotFound("holiday.not_found", "الإجازة غير موجودة.", "No such holiday.")
    if holiday.date < business_date(clock.now()):
        raise _past_refused("date")
    holiday._history_user = actor
    holiday.delete()
    return holiday
