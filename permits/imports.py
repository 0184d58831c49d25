"""Bringing paper-era permits in from a CSV file: `manage.py permits_import FILE.csv` or the
admin's "Import from paper records" page. All or nothing: every line is checked first, and one
bad line imports nothing; the report names each problem by line, column and reason (Arabic and
English). Imported permits get a new number (the paper number is kept in `paper_reference`),
version 1, an IMPORTED event, and a certificate whose QR code verifies like any other.

The file: UTF-8 (Excel's BOM is fine), comma-separated, a header line naming these columns in
any order:

  paper_number       the number on the paper permit (unique per municipality and type)
  type_code          the permit type's code, e.g. building_new
  municipality_code  the issuing municipality's code, e.g. KHB
  holder_id          national ID / iqama (10 digits, 1… or 2…) or unified number (7…)
  holder_name        the holder's name as on the paper (used when the portal does not know them)
  deed_number        the parcel's title deed number
  plan_number        the plan (مخطط) number, as on the deed
  parcel_number      the parcel (قطعة) number, as on the deed
  district_code      the district's code in that municipality
  issued_on          YYYY-MM-DD; a year before 1600 is read as Hijri (Umm al-Qura), e.g. 1440-05-12
  valid_until        same formats; empty only for a type that does not expire
  details            the approved details, key=value pairs separated by ";",
                     e.g. floors=2;built_area_m2=420;use=residential (keys: the type's printed
                     fields)
  latitude, longitude  optional columns: needed only when the deed's parcel is not yet in the
                     portal (it is then created from the deed registry with these coordinates,
                     which must fall inside the district)

Re-importing a paper number already imported for that municipality and type is refused (the
database enforces it too).
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from hijridate import Hijri

from amanah import clock
from amanah.dates import business_date
from amanah.dispatch import task_on_commit
from amanah.errors import DomainError
from amanah.identity import digits_normalise, luhn_is_valid
from amanah.models import Establishment, Municipality, Person

from .enums import PermitEventKind, PermitStatus
from .models import District, Parcel, Permit, PermitType, PermitVersion
from .services.lifecycle import detail_value_clean, permit_detail_fields
from .services.permits import permit_event_append, permit_number_next, permit_status_change

COLUMNS = ("paper_number", "type_code", "municipality_code", "holder_id", "holder_name",
           "deed_number", "plan_number", "parcel_number", "district_code", "issued_on",
           "valid_until", "details")
OPTIONAL_COLUMNS = ("latitude", "longitude")
MAX_LINES = 20000
HIJRI_BEFORE = 1600


@dataclass(frozen=True)
class ImportProblem:
    line: int
    column: str
    message_ar: str
    message_en: str

    def message(self, language: str = "ar") -> str:
        return self.message_en if language.startswith("en") else self.message_ar


@dataclass
class _Row:
    line: int
    paper_number: str
    permit_type: PermitType
    municipality: Municipality
    holder_id: str
    holder_is_establishment: bool
    holder_name: str
    district: District
    deed_number: str
    plan_number: str
    parcel_number: str
    issued_on: dt.date
    valid_until: dt.date | None
    details: dict
    parcel: Parcel | None  # an existing parcel, or None: made from `deed` and the coordinates
    deed: object = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass
class ImportReport:
    problems: list[ImportProblem] = field(default_factory=list)
    imported: list[Permit] = field(default_factory=list)
    checked: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


class _Line:
    """Collects one line's problems; a check that fails returns None."""

    def __init__(self, number: int, values: dict, report: ImportReport):
        self.number, self.values, self.report = number, values, report
        self.failed = False

    def problem(self, column: str, ar: str, en: str) -> None:
        self.failed = True
        self.report.problems.append(ImportProblem(self.number, column, ar, en))

    def text(self, column: str, *, max_length: int = 40, required: bool = True) -> str | None:
        value = (self.values.get(column) or "").strip()
        if not value:
            if required:
                self.problem(column, "القيمة مطلوبة.", "A value is required.")
            return None if required else ""
        if len(value) > max_length:
            self.problem(column, f"{max_length} حرفاً على الأكثر.",
                         f"At most {max_length} characters.")
            return None
        return value


def date_parse(value: str) -> dt.date:
    """YYYY-MM-DD (or with /); a year before 1600 is Hijri (Umm al-Qura). ValueError if not."""
    match = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", digits_normalise(value))
    if not match:
        raise ValueError(value)
    year, month, day = (int(g) for g in match.groups())
    if year < HIJRI_BEFORE:
        try:
            return Hijri(year, month, day).to_gregorian()
        except (ValueError, OverflowError) as exc:
            raise ValueError(value) from exc
    return dt.date(year, month, day)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    return data.decode("utf-8-sig")


class _Lookups:
    """What the lines name, read once per file."""

    def __init__(self):
        self.types = {t.code: t for t in PermitType.objects.prefetch_related("fields")}
        self.municipalities = {m.code: m for m in Municipality.objects.all()}
        self.districts = {(d.municipality_id, d.code): d for d in District.objects.all()}
        self._deeds: dict[str, object] = {}

    def deed(self, number: str):
        if number not in self._deeds:
            from .deeds import deed_registry

            self._deeds[number] = deed_registry().deed_lookup(deed_number=number)
        return self._deeds[number]


def _holder(line: _Line) -> tuple[str, bool] | None:
    raw = line.text("holder_id", max_length=20)
    if raw is None:
        return None
    number = re.sub(r"[\s\-]", "", digits_normalise(raw))
    if re.fullmatch(r"[12]\d{9}", number) and luhn_is_valid(number):
        return number, False
    if re.fullmatch(r"7\d{9}", number):
        return number, True
    line.problem("holder_id", "رقم هوية أو إقامة (١٠ أرقام يبدأ بـ ١ أو ٢) أو رقم موحد للمنشأة "
                 "(يبدأ بـ ٧) غير صحيح.",
                 "Not a valid national ID / iqama (10 digits starting 1 or 2) or an "
                 "establishment's unified number (starting 7).")
    return None


def _date(line: _Line, column: str, *, required: bool) -> dt.date | None:
    raw = (line.values.get(column) or "").strip()
    if not raw:
        if required:
            line.problem(column, "التاريخ مطلوب.", "A date is required.")
        return None
    try:
        return date_parse(raw)
    except ValueError:
        line.problem(column, "تاريخ غير صحيح؛ اكتبه YYYY-MM-DD (ميلادي، أو هجري لسنة قبل ١٦٠٠).",
                     "Not a date; write YYYY-MM-DD (Gregorian, or Hijri for a year before "
                     "1600).")
        return None


def _details(line: _Line, permit_type: PermitType) -> dict | None:
    raw = (line.values.get("details") or "").strip()
    fields = {f.key: f for f in permit_detail_fields(permit_type)}
    details = {}
    for part in (p.strip() for p in raw.split(";") if p.strip()):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or not key:
            line.problem("details", f"«{part}» ليست بالصيغة مفتاح=قيمة.",
                         f"“{part}” is not written key=value.")
            continue
        if key not in fields:
            line.problem("details", f"«{key}» ليس من البيانات المطبوعة على هذا النوع من "
                         "الرخص.", f"“{key}” is not a printed detail of this permit type.")
            continue
        try:
            cleaned = detail_value_clean(fields[key], value)
        except DomainError as refusal:
            line.problem("details", refusal.message_ar, refusal.message_en)
            continue
        if cleaned is not None:
            details[key] = cleaned
    return details


def _coordinate(line: _Line, column: str) -> Decimal | None:
    raw = (line.values.get(column) or "").strip()
    try:
        value = Decimal(digits_normalise(raw)) if raw else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        line.problem(column, "الإحداثي مطلوب لأن قطعة هذا الصك ليست في البوابة بعد.",
                     "Needed because this deed's parcel is not in the portal yet.")
        return None
    return value.quantize(Decimal("0.000001"))


def _parcel(line: _Line, row: dict, lookups: _Lookups) -> tuple[Parcel | None, object]:
    """The existing parcel of the deed, or the deed registry's answer for a new one; each
    must say what the line says."""
    municipality, district = row["municipality"], row["district"]
    parcel = (Parcel.objects.select_related("district").filter(deed_number=row["deed_number"])
              .first())
    if parcel is not None:
        said = (parcel.municipality_id, parcel.district_id, parcel.plan_number,
                parcel.parcel_number)
        if said != (municipality.pk, district.pk, row["plan_number"], row["parcel_number"]):
            line.problem("deed_number", "الصك مسجل في البوابة بمخطط أو قطعة أو حي مختلف.",
                         "The portal knows this deed with another plan, parcel or district.")
        return parcel, None
    from .deeds import DeedRegistryUnavailable

    try:
        deed = lookups.deed(row["deed_number"])
    except DeedRegistryUnavailable:
        line.problem("deed_number", "تعذر الاستعلام من سجل الصكوك الآن؛ أعد المحاولة لاحقاً.",
                     "The deed registry cannot be reached now; try again later.")
        return None, None
    if deed is None:
        line.problem("deed_number", "لا يوجد صك بهذا الرقم في سجل الصكوك.",
                     "The deed registry has no deed with this number.")
        return None, None
    said = (deed.municipality_code, deed.district_code, deed.plan_number, deed.parcel_number)
    if said != (municipality.code, district.code, row["plan_number"], row["parcel_number"]):
        line.problem("deed_number", "بيانات الصك في السجل (البلدية أو الحي أو المخطط أو القطعة) "
                     "تختلف عن السطر.", "The registry's deed (municipality, district, plan or "
                     "parcel) differs from this line.")
    return None, deed


def _line_check(number: int, values: dict, lookups: _Lookups, report: ImportReport,
                seen: dict) -> _Row | None:
    line = _Line(number, values, report)
    paper_number = line.text("paper_number")
    permit_type = municipality = district = None
    code = line.text("type_code")
    if code is not None:
        permit_type = lookups.types.get(code)
        if permit_type is None:
            line.problem("type_code", "لا يوجد نوع رخصة بهذا الرمز.",
                         "There is no permit type with this code.")
    code = line.text("municipality_code")
    if code is not None:
        municipality = lookups.municipalities.get(code)
        if municipality is None:
            line.problem("municipality_code", "لا توجد بلدية بهذا الرمز.",
                         "There is no municipality with this code.")
    holder = _holder(line)
    holder_name = line.text("holder_name", max_length=200)
    code = line.text("district_code")
    if code is not None and municipality is not None:
        district = lookups.districts.get((municipality.pk, code))
        if district is None:
            line.problem("district_code", "لا يوجد حي بهذا الرمز في هذه البلدية.",
                         "This municipality has no district with this code.")
    deed_number = line.text("deed_number", max_length=20)
    if deed_number is not None:
        deed_number = re.sub(r"[\s\-]", "", digits_normalise(deed_number))
    plan_number = line.text("plan_number", max_length=20)
    parcel_number = line.text("parcel_number", max_length=20)
    issued_on = _date(line, "issued_on", required=True)
    never_expires = permit_type is not None and not permit_type.validity_months
    valid_until = _date(line, "valid_until", required=not never_expires)
    today = business_date(clock.now())
    if issued_on is not None and issued_on > today:
        line.problem("issued_on", "تاريخ الإصدار في المستقبل.", "The issue date is in the future.")
    if issued_on and valid_until and valid_until < issued_on:
        line.problem("valid_until", "تاريخ الانتهاء قبل تاريخ الإصدار.",
                     "The expiry date is before the issue date.")
    details = _details(line, permit_type) if permit_type is not None else None
    if paper_number is not None and permit_type is not None and municipality is not None:
        key = (municipality.pk, permit_type.pk, paper_number)
        if key in seen:
            line.problem("paper_number", f"الرقم الورقي مكرر في الملف (السطر {seen[key]}).",
                         f"The paper number is repeated in the file (line {seen[key]}).")
        else:
            seen[key] = number
            if Permit.objects.filter(municipality=municipality, permit_type=permit_type,
                                     paper_reference=paper_number, is_imported=True).exists():
                line.problem("paper_number", "استُورد هذا الرقم الورقي من قبل.",
                             "This paper number was imported before.")
    if line.failed:
        return None
    row = {"municipality": municipality, "district": district, "deed_number": deed_number,
           "plan_number": plan_number, "parcel_number": parcel_number}
    parcel, deed = _parcel(line, row, lookups)
    latitude = longitude = None
    if parcel is None and deed is not None:
        latitude, longitude = _coordinate(line, "latitude"), _coordinate(line, "longitude")
        if latitude is not None and longitude is not None and not district.contains(
                latitude, longitude):
            line.problem("latitude", "الإحداثيات خارج حدود الحي.",
                         "The coordinates are outside the district.")
    if line.failed:
        return None
    return _Row(line=number, paper_number=paper_number, permit_type=permit_type,
                municipality=municipality, holder_id=holder[0],
                holder_is_establishment=holder[1], holder_name=holder_name, district=district,
                deed_number=deed_number, plan_number=plan_number, parcel_number=parcel_number,
                issued_on=issued_on, valid_until=valid_until, details=details, parcel=parcel,
                deed=deed, latitude=latitude, longitude=longitude)


def permits_import_check(data: bytes | str) -> tuple[list[_Row], ImportReport]:
    """Read and check every line; the rows are good only when the report has no problem."""
    report = ImportReport()
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        report.problems.append(ImportProblem(1, "", "الملف ليس بترميز UTF-8.",
                                             "The file is not UTF-8 text."))
        return [], report
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS + OPTIONAL_COLUMNS]
    for column in missing:
        report.problems.append(ImportProblem(1, column, "العمود غير موجود في سطر العناوين.",
                                             "The header line lacks this column."))
    for column in unknown:
        report.problems.append(ImportProblem(1, column, "عمود غير معروف.", "Unknown column."))
    if report.problems:
        return [], report
    lookups, seen, rows = _Lookups(), {}, []
    for values in reader:
        if reader.line_num > MAX_LINES + 1:
            report.problems.append(ImportProblem(
                reader.line_num, "", f"الملف أطول من {MAX_LINES} سطر؛ قسّمه.",
                f"The file is longer than {MAX_LINES} lines; split it."))
            break
        if not any((v or "").strip() for v in values.values() if isinstance(v, str)):
            continue  # a blank line
        if None in values:
            report.problems.append(ImportProblem(reader.line_num, "",
                                                 "في السطر قيم أكثر من الأعمدة.",
                                                 "The line has more values than columns."))
            continue
        report.checked += 1
        row = _line_check(reader.line_num, values, lookups, report, seen)
        if row is not None:
            rows.append(row)
    if not report.checked and not report.problems:
        report.problems.append(ImportProblem(1, "", "لا توجد أسطر في الملف.",
                                             "The file has no lines."))
    return rows, report


def _holder_get(row: _Row) -> dict:
    if row.holder_is_establishment:
        establishment, _ = Establishment.objects.get_or_create(
            unified_number=row.holder_id,
            defaults={"name_ar": row.holder_name, "name_en": row.holder_name})
        return {"holder_establishment": establishment}
    person, _ = Person.objects.get_or_create(national_id=row.holder_id,
                                             defaults={"name_ar": row.holder_name})
    return {"holder_person": person}


def _parcel_get(row: _Row, made: dict) -> Parcel:
    if row.parcel is not None:
        return row.parcel
    if row.deed_number not in made:
        deed = row.deed
        made[row.deed_number] = Parcel.objects.create(
            municipality=row.municipality, district=row.district, deed_number=deed.number,
            deed_date=deed.date, owner_id=deed.owner_id, plan_number=deed.plan_number,
            parcel_number=deed.parcel_number, area_m2=deed.area_m2, zone=deed.zone,
            latitude=row.latitude, longitude=row.longitude, verified_at=clock.now())
    return made[row.deed_number]


def _permit_import(row: _Row, *, actor, today: dt.date, parcels: dict) -> Permit:
    permit = Permit(
        number=permit_number_next(municipality=row.municipality,
                                  prefix=row.permit_type.number_prefix, on=today),
        permit_type=row.permit_type, municipality=row.municipality, parcel=_parcel_get(
            row, parcels), details=row.details, issued_on=row.issued_on,
        valid_from=row.issued_on, valid_until=row.valid_until, is_imported=True,
        paper_reference=row.paper_number, **_holder_get(row))
    imported = permit_event_append(permit, kind=PermitEventKind.IMPORTED, actor=actor,
                                   to_status=permit.status,
                                   payload={"paper_reference": row.paper_number,
                                            "line": row.line})
    permit.save()
    imported.permit = permit
    imported.save()
    PermitVersion.objects.create(permit=permit, version=1, details=permit.details,
                                 valid_until=permit.valid_until)
    if permit.valid_until is not None and permit.valid_until < today:
        permit_status_change(permit=permit, to_status=PermitStatus.EXPIRED,
                             kind=PermitEventKind.EXPIRED,
                             payload={"valid_until": str(permit.valid_until)})
    task_on_commit("permits.certificate_ensure", permit_id=permit.pk)
    return permit


def permits_import(*, data: bytes | str, actor=None, dry_run: bool = False) -> ImportReport:
    """Check the whole file; when every line is good (and not a dry run) import them all in
    one transaction. A problem anywhere imports nothing."""
    rows, report = permits_import_check(data)
    report.dry_run = dry_run
    if report.problems or dry_run:
        return report
    today = business_date(clock.now())
    try:
        with transaction.atomic():
            parcels: dict[str, Parcel] = {}
            report.imported = [_permit_import(row, actor=actor, today=today, parcels=parcels)
                               for row in rows]
    except IntegrityError:
        # Another import of the same paper numbers committed between the check and now.
        report.imported = []
        report.problems.append(ImportProblem(
            0, "paper_number", "استُوردت بعض هذه الأرقام الورقية للتو في عملية أخرى؛ لم يُستورد "
            "شيء.", "Some of these paper numbers were just imported by another run; nothing "
            "was imported."))
    return report
