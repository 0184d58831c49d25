"""Demo data for the core: the Eastern Province Amanah, its branches, staff, citizens, e-services.

Every row is found by its natural key and written only when it differs, so a second run changes
nothing — not even the change history. Rollout states and e-service page names are set only when
the row is first created: an admin's switch, or a later app's demo, is never undone by a re-run.
"""

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import models

from amanah.enums import MunicipalityKind, OwningApp, RolloutState, StaffRole
from amanah.identity import luhn_check_digit
from amanah.models import (
    Department,
    EService,
    EServiceRollout,
    Establishment,
    Municipality,
    Person,
    StaffMembership,
    User,
)

DEMO_PASSWORD = "Demo@12345"  # noqa: S105 - the documented training password (README)
# Every demo staff member's authenticator holds this published key (README, Demo logins:
# base32 YMRJID754ZUC7CDEZ5X2PKFWDHUPL4OP), and in demo mode the second-factor page shows its
# current code. A training key only: real staff enrol their own authenticator.
DEMO_TOTP_KEY_HEX = "c322940ffde6682f8864cf6fa7a8b619e8f5f1cf"
# A fixed moment, so that re-running the seed never rewrites it.
DEMO_CONFIRMED_AT = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)

AMANAH = ("EPA", "أمانة المنطقة الشرقية", "Eastern Province Amanah", 1)
BRANCHES = [
    ("KHB", "بلدية الخبر", "Khobar Municipality", 1),
    ("DMM", "بلدية وسط الدمام", "Central Dammam Municipality", 1),
    ("QTF", "بلدية محافظة القطيف", "Qatif Municipality", 2),
    ("JBL", "بلدية محافظة الجبيل", "Jubail Municipality", 2),
]
PILOTS = ("KHB", "DMM")

DEPARTMENTS = [
    ("licensing", "إدارة الرخص التجارية", "Commercial Licensing"),
    ("engineering", "إدارة رخص البناء والشؤون الهندسية", "Building Permits and Engineering"),
    ("inspection", "إدارة الرقابة الميدانية", "Field Inspection"),
    ("legal", "الإدارة القانونية", "Legal Affairs"),
    ("finance", "الإدارة المالية", "Finance"),
    ("customer_service", "خدمة العملاء", "Customer Service"),
]

# (department, role) held by a demo staff member in each pilot municipality.
PILOT_STAFF = [
    ("licensing", StaffRole.CLERK), ("licensing", StaffRole.REVIEWER),
    ("licensing", StaffRole.HEAD),
    ("engineering", StaffRole.CLERK), ("engineering", StaffRole.REVIEWER),
    ("engineering", StaffRole.HEAD),
    ("inspection", StaffRole.INSPECTOR), ("inspection", StaffRole.HEAD),
    ("legal", StaffRole.REVIEWER), ("legal", StaffRole.HEAD),
    ("finance", StaffRole.CASHIER), ("finance", StaffRole.HEAD),
    ("customer_service", StaffRole.CLERK),
]
OTHER_BRANCH_STAFF = [
    ("licensing", StaffRole.CLERK), ("inspection", StaffRole.INSPECTOR),
    ("finance", StaffRole.CASHIER),
    # The counter and the complaints of a live branch are customer service's.
    ("customer_service", StaffRole.CLERK),
]
CENTRAL_STAFF = [
    ("legal", StaffRole.REVIEWER), ("legal", StaffRole.HEAD), ("finance", StaffRole.CASHIER),
    ("finance", StaffRole.HEAD),
]

# Demo staff carry plausible personal names, written in Arabic as the portal is Arabic first.
# The i-th member of the staff plan gets first name i mod 12 and family name i mod 13: the two
# lengths share no factor, so no two of the plan's members share a full name, and the same
# plan always gives the same names (a re-seed writes nothing).
STAFF_FIRST_NAMES = [
    "محمد", "نورة", "عبدالعزيز", "سارة", "فهد", "ريم", "خالد", "هيا", "سلطان", "منيرة", "فيصل",
    "عبير",
]
STAFF_FAMILY_NAMES = [
    "الدوسري", "القحطاني", "الغامدي", "الشهري", "العتيبي", "الزهراني", "المطيري", "الحربي",
    "الشمري", "السبيعي", "الهاجري", "البوعينين", "الملحم",
]
ADMIN_NAME = ("عبدالرحمن", "الجبر")

# (ID payload without its check digit, Arabic name, English name, mobile, municipality)
CITIZENS = [
    ("101234567", "عبدالله بن محمد الدوسري", "Abdullah Mohammed Aldossary", "+966550000101",
     "KHB"),
    ("102345678", "نورة بنت سعد القحطاني", "Noura Saad Alqahtani", "+966550000102", "DMM"),
    ("103456789", "حسين بن علي الخنيزي", "Hussain Ali Alkhunaizi", "+966550000103", "QTF"),
    ("201234567", "محمد عارف خان", "Mohammed Arif Khan", "+966550000201", "KHB"),
    ("202345678", "أحمد مصطفى السيد", "Ahmed Mostafa Elsayed", "+966550000202", "DMM"),
]

ESTABLISHMENT = ("7001234567", "مؤسسة الواحة للمقاولات", "Al Waha Contracting Est.", "KHB")

ESERVICES = [
    ("misc_fee", OwningApp.PAYMENTS, "سداد الرسوم المتنوعة", "Miscellaneous fees",
     "إصدار فاتورة سداد لرسوم بلدية متنوعة ودفعها عبر القنوات البنكية.",
     "Issue a SADAD bill for a miscellaneous municipal fee and pay it at any bank channel."),
    ("bill_inquiry", OwningApp.PAYMENTS, "الاستعلام عن الفواتير", "Bill inquiry",
     "الاستعلام عن فواتير سداد الصادرة باسمك أو باسم منشأتك وحالة سدادها.",
     "Look up the SADAD bills issued to you or your establishment and whether they are paid."),
    ("general_correspondence", OwningApp.WORKFLOW, "المراسلات العامة", "General correspondence",
     "تقديم طلب أو خطاب إلى إحدى إدارات البلدية ومتابعته.",
     "Send a request or letter to a municipal department and follow it up."),
    ("complaint", OwningApp.WORKFLOW, "البلاغات والشكاوى", "Complaints",
     "رفع بلاغ أو شكوى عن خدمة أو موقع ومتابعة معالجته.",
     "Report a problem with a service or a place and follow how it is handled."),
    ("building_permit", OwningApp.PERMITS, "رخصة البناء", "Building permit",
     "طلب رخصة بناء جديدة ومتابعة مراجعتها الهندسية وسداد رسومها.",
     "Apply for a new building permit, follow its engineering review and pay its fees."),
    ("commercial_license", OwningApp.PERMITS, "رخصة المحل التجاري", "Commercial shop licence",
     "إصدار أو تجديد رخصة محل تجاري لمنشأتك.",
     "Issue or renew a commercial shop licence for your establishment."),
    ("excavation_permit", OwningApp.PERMITS, "تصريح الحفريات", "Excavation permit",
     "طلب تصريح حفر لتمديد الخدمات في الطرق والأرصفة.",
     "Apply to dig in roads and pavements to lay utility connections."),
    ("signage_permit", OwningApp.PERMITS, "رخصة اللوحات الإعلانية", "Signage permit",
     "طلب رخصة لوحة تجارية أو إعلانية.",
     "Apply for a licence for a shop sign or an advertising board."),
    ("violation", OwningApp.VIOLATIONS, "المخالفات البلدية", "Municipal violations",
     "الاطلاع على المخالفات البلدية الصادرة بحقك أو بحق منشأتك وسداد غراماتها.",
     "See the municipal violations issued to you or your establishment and pay their fines."),
    ("violation_objection", OwningApp.VIOLATIONS, "الاعتراض على المخالفات",
     "Objecting to a violation",
     "الاعتراض على مخالفة بلدية صادرة بحقك أو بحق منشأتك.",
     "Object to a municipal violation issued to you or your establishment."),
]

Log = Callable[[str], None]


def _upsert(model: type[models.Model], lookup: dict, values: dict,
            create_only: dict | None = None) -> tuple[models.Model, str]:
    """Find by natural key; create, or save only the fields that differ (no empty history rows).

    `create_only` values are written when the row is created and left alone afterwards.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values, **(create_only or {})), "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.save(update_fields=changed)
    return obj, "updated"


class _Tally:
    def __init__(self):
        self.counts: dict[str, int] = {}

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    def __str__(self) -> str:
        return ", ".join(f"{n} {outcome}" for outcome, n in sorted(self.counts.items()))

    def __bool__(self) -> bool:
        return bool(self.counts)


def seed(*, log: Log) -> None:
    password_hash = make_password(DEMO_PASSWORD)
    municipalities = _seed_municipalities(log)
    departments = _seed_departments(municipalities, log)
    _seed_staff(departments, password_hash, log)
    people = _seed_citizens(municipalities, password_hash, log)
    _seed_establishment(municipalities, people, log)
    _seed_eservices(municipalities, log)


def _seed_municipalities(log: Log) -> dict[str, Municipality]:
    tally = _Tally()
    code, name_ar, name_en, klass = AMANAH
    amanah, outcome = _upsert(Municipality, {"code": code}, {
        "name_ar": name_ar, "name_en": name_en, "kind": MunicipalityKind.AMANAH,
        "parent": None, "municipality_class": klass, "is_active": True})
    tally.add(outcome)
    found = {code: amanah}
    for code, name_ar, name_en, klass in BRANCHES:
        found[code], outcome = _upsert(Municipality, {"code": code}, {
            "name_ar": name_ar, "name_en": name_en, "kind": MunicipalityKind.BRANCH,
            "parent": amanah, "municipality_class": klass, "is_active": True})
        tally.add(outcome)
    log(f"municipalities: {tally}")
    return found


def _seed_departments(municipalities, log: Log) -> dict[tuple[str, str], Department]:
    tally = _Tally()
    found = {}
    for municipality in municipalities.values():
        for code, name_ar, name_en in DEPARTMENTS:
            found[municipality.code, code], outcome = _upsert(
                Department, {"municipality": municipality, "code": code},
                {"name_ar": name_ar, "name_en": name_en, "is_active": True})
            tally.add(outcome)
    log(f"departments: {tally}")
    return found


def _staff_plan():
    """(username, municipality code, department code, role) for every demo staff member."""
    for municipality_code in PILOTS:
        for department_code, role in PILOT_STAFF:
            yield municipality_code, department_code, role
    for municipality_code, *_ in BRANCHES:
        if municipality_code not in PILOTS:
            for department_code, role in OTHER_BRANCH_STAFF:
                yield municipality_code, department_code, role
    for department_code, role in CENTRAL_STAFF:
        yield AMANAH[0], department_code, role


def _seed_staff(departments, password_hash: str, log: Log) -> None:
    users, memberships = _Tally(), _Tally()
    for index, (municipality_code, department_code, role) in enumerate(_staff_plan()):
        department = departments[municipality_code, department_code]
        username = f"{municipality_code.lower()}.{department_code}.{role}"
        user, outcome = _upsert(User, {"username": username}, {
            "first_name": STAFF_FIRST_NAMES[index % len(STAFF_FIRST_NAMES)],
            "last_name": STAFF_FAMILY_NAMES[index % len(STAFF_FAMILY_NAMES)],
            "email": f"{username}@demo.amanah.sa", "is_staff": False, "is_superuser": False,
            "is_active": True,
        }, create_only={"password": password_hash})
        users.add(outcome)
        _, outcome = _upsert(StaffMembership,
                             {"user": user, "department": department, "role": role},
                             {"is_active": True})
        memberships.add(outcome)
        _demo_authenticator_ensure(user)
        if role == StaffRole.HEAD:
            _upsert(Department, {"pk": department.pk}, {"head": user})

    # The system administrator: the only demo account that may open the Django admin.
    admin, outcome = _upsert(User, {"username": "epa.admin"}, {
        "first_name": ADMIN_NAME[0], "last_name": ADMIN_NAME[1],
        "email": "epa.admin@demo.amanah.sa", "is_staff": True, "is_superuser": True,
        "is_active": True,
    }, create_only={"password": password_hash})
    users.add(outcome)
    _, outcome = _upsert(StaffMembership, {
        "user": admin, "department": departments[AMANAH[0], "customer_service"],
        "role": StaffRole.ADMIN}, {"is_active": True})
    memberships.add(outcome)
    _demo_authenticator_ensure(admin)
    log(f"staff users: {users}; memberships: {memberships} (password {DEMO_PASSWORD})")


def _demo_authenticator_ensure(user: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="demo authenticator", confirmed=True,
                                  key=DEMO_TOTP_KEY_HEX)


def _seed_citizens(municipalities, password_hash: str, log: Log) -> dict[str, Person]:
    tally = _Tally()
    found = {}
    for payload, name_ar, name_en, mobile, municipality_code in CITIZENS:
        national_id = payload + luhn_check_digit(payload)
        user, _ = _upsert(User, {"username": national_id}, {
            "first_name": name_en.split(" ")[0], "last_name": name_en.split(" ")[-1],
            "is_staff": False, "is_superuser": False, "is_active": True,
        }, create_only={"password": password_hash})
        person, outcome = _upsert(Person, {"national_id": national_id}, {
            "name_ar": name_ar, "name_en": name_en, "mobile": mobile,
            "email": f"{national_id}@demo.amanah.sa",
            "municipality": municipalities[municipality_code], "user": user,
        }, create_only={"mobile_confirmed_at": DEMO_CONFIRMED_AT})
        if person.mobile_confirmed_at is None:
            _upsert(Person, {"pk": person.pk}, {"mobile_confirmed_at": DEMO_CONFIRMED_AT})
        tally.add(outcome)
        found[national_id] = person
    log(f"citizens and residents: {tally} ({', '.join(found)})")
    return found


def _seed_establishment(municipalities, people, log: Log) -> None:
    unified_number, name_ar, name_en, municipality_code = ESTABLISHMENT
    establishment, outcome = _upsert(Establishment, {"unified_number": unified_number}, {
        "name_ar": name_ar, "name_en": name_en,
        "municipality": municipalities[municipality_code]})
    representative = next(iter(people.values()))
    if not establishment.representatives.filter(pk=representative.pk).exists():
        establishment.representatives.add(representative)
    log(f"establishment {unified_number}: {outcome}, represented by "
        f"{representative.national_id}")


def _seed_eservices(municipalities, log: Log) -> None:
    services, rollouts = _Tally(), _Tally()
    branches = [m for m in municipalities.values() if m.kind == MunicipalityKind.BRANCH]
    for order, (code, owning_app, name_ar, name_en, description_ar, description_en) in \
            enumerate(ESERVICES, start=1):
        # The page name belongs to the app that builds the page; its demo.py sets it.
        eservice, outcome = _upsert(EService, {"code": code}, {
            "owning_app": owning_app, "name_ar": name_ar, "name_en": name_en,
            "description_ar": description_ar, "description_en": description_en,
            "display_order": order * 10}, create_only={"url_name": ""})
        services.add(outcome)
        for municipality in branches:
            state = RolloutState.PILOT if municipality.code in PILOTS else RolloutState.OFF
            _, created = EServiceRollout.objects.get_or_create(
                eservice=eservice, municipality=municipality, defaults={"state": state})
            rollouts.add("created" if created else "kept")
    log(f"e-services: {services}; rollouts: {rollouts} "
        f"({' and '.join(PILOTS)} pilot, the other branches off)")


def eservice_start_page_ensure(*, code: str, url_name: str, log) -> None:
    """Later apps' demo data point a catalogue entry at the page where the service starts.

    Only a blank `url_name` is filled: an admin's own choice is never undone by a re-seed.
    """
    service = EService.objects.filter(code=code).first()
    if service is None or service.url_name:
        return
    service.url_name = url_name
    service.save(update_fields=["url_name"])
    log(f"e-service {code} starts at {url_name}")


def notifications_deliver(*, log: Log) -> None:
    """Send, through the real service, the messages the demo's own events queued, so that
    "My notifications" has something when no Celery worker ran during the seed (with one, or
    eager tasks, they are already sent and nothing is left to do)."""
    from amanah.enums import NotificationStatus
    from amanah.models import Notification
    from amanah.notify import notification_send

    outcomes = _Tally()
    for notification_id in (Notification.objects.filter(status=NotificationStatus.QUEUED)
                            .order_by("pk").values_list("pk", flat=True)):
        try:
            outcomes.add(str(notification_send(notification_id=notification_id)))
        except Exception:  # kept queued for the worker's retry; the seed goes on
            outcomes.add("retry later")
    log(f"notifications of the demo's events: {outcomes or 'none waiting'}")
