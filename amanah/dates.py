"""Business dates are in Asia/Riyadh and shown in Hijri (Umm al-Qura) and Gregorian."""

import datetime as dt
from zoneinfo import ZoneInfo

from hijridate import Gregorian
from hijridate.ummalqura import GREGORIAN_RANGE

RIYADH = ZoneInfo("Asia/Riyadh")

HIJRI_MONTHS_AR = ["محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة",
                   "رجب", "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة"]
HIJRI_MONTHS_EN = ["Muharram", "Safar", "Rabi al-Awwal", "Rabi al-Thani", "Jumada al-Ula",
                   "Jumada al-Akhirah", "Rajab", "Shaban", "Ramadan", "Shawwal", "Dhu al-Qadah",
                   "Dhu al-Hijjah"]
# The days the Umm al-Qura table covers: a date outside them cannot be shown in Hijri, so a
# date typed by a person is refused outside them (hijridate raises OverflowError).
FIRST_SHOWABLE_DATE = dt.date(*GREGORIAN_RANGE[0])
LAST_SHOWABLE_DATE = dt.date(*GREGORIAN_RANGE[1])
GREGORIAN_MONTHS_AR = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس",
                       "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]


def business_date(moment: dt.datetime | None = None) -> dt.date:
    """The calendar day in Riyadh of an aware moment (default: now)."""
    from django.utils import timezone

    return (moment or timezone.now()).astimezone(RIYADH).date()


def hijri_year(day: dt.date) -> int:
    return Gregorian(day.year, day.month, day.day).to_hijri().year


def hijri_format(day: dt.date, language: str = "ar") -> str:
    hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    if language.startswith("ar"):
        return f"{hijri.day} {HIJRI_MONTHS_AR[hijri.month - 1]} {hijri.year} هـ"
    return f"{hijri.day} {HIJRI_MONTHS_EN[hijri.month - 1]} {hijri.year} AH"


def gregorian_format(day: dt.date, language: str = "ar") -> str:
    if language.startswith("ar"):
        return f"{day.day} {GREGORIAN_MONTHS_AR[day.month - 1]} {day.year} م"
    return day.strftime("%-d %B %Y")


def dual_date_format(value: dt.date | dt.datetime, language: str = "ar") -> str:
    """'12 جمادى الآخرة 1448 هـ — 3 ديسمبر 2026 م': Hijri first, as people here read dates."""
    day = value.astimezone(RIYADH).date() if isinstance(value, dt.datetime) else value
    return f"{hijri_format(day, language)} — {gregorian_format(day, language)}"
