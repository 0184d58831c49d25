"""The seeded violation catalogue (issue 11): five groups, fifty items with their fine ranges
per municipality class, repetition multipliers and cap, correction periods (about a third of
the items are warned first), penalties and objection periods; the shares by size; and the
checklists — a general one, one per permit type with a site and one per licence activity.

`violation_catalogue_seed(log=…)` finds rows by natural key and writes only what differs, so a
second run writes nothing and every change it does make is kept by simple_history. A seeded
item version that a notice already uses is never changed in place: the admin's "new version
from a date" is the way to change it.

Class 1 municipalities (the Amanah's seat) have the highest ranges; the other classes take a
fixed fraction of class 1's (CLASS_FACTORS), so the table stays readable.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from amanah import clock
from amanah.dates import business_date
from amanah.demo import _upsert
from amanah.errors import DomainError, NotFound

from .enums import PenaltyKind, PenaltyLift, ShareSize
from .models import (
    Checklist,
    ChecklistQuestion,
    ItemFine,
    SizeShare,
    ViolationGroup,
    ViolationItem,
    ViolationLine,
)

Log = Callable[[str], None]

# The day the seeded versions start; fixed, so a re-run never makes a new version.
CATALOGUE_FROM = dt.date(2025, 1, 1)

SHARES = {ShareSize.LARGE: Decimal("100"), ShareSize.MEDIUM: Decimal("75"),
          ShareSize.SMALL: Decimal("50"), ShareSize.MICRO: Decimal("25"),
          ShareSize.INDIVIDUAL: Decimal("50")}

# Class n's range = class 1's range × CLASS_FACTORS[n - 1].
CLASS_FACTORS = (Decimal("1"), Decimal("0.8"), Decimal("0.6"), Decimal("0.5"), Decimal("0.4"))

GROUPS = [
    ("health", "الصحة العامة والغذاء", "Public health and food", 10),
    ("building", "البناء والإنشاءات", "Building and construction", 20),
    ("public-space", "الأماكن العامة والنظافة", "Public space and cleanliness", 30),
    ("signage", "اللوحات والإعلانات", "Signage and advertising", 40),
    ("commercial", "النشاط التجاري والترخيص", "Commercial activity and licensing", 50),
]

STANDARD = ("1", "2", "3")  # with a cap of 2.5 × the maximum
STEEP = ("1", "2", "4")  # serious items: with a cap of 3 × the maximum
GENTLE = ("1", "1.5", "2")  # minor items: with a cap of 2 × the maximum
CAPS = {STANDARD: "2.5", STEEP: "3", GENTLE: "2"}


def _item(code, group, name_ar, name_en, fine_min, fine_max, *, serious=False, correct=None,
          repeat=STANDARD, objection=15, objectionable=True, lookback=365, penalty=None):
    """One item; `fine_min`/`fine_max` are class 1's; `penalty` = (kind, days, lifts)."""
    kind, days, lifts = penalty or ("", None, "")
    return {"code": code, "group": group, "name_ar": name_ar, "name_en": name_en,
            "class1": (Decimal(fine_min), Decimal(fine_max)), "is_serious": serious,
            "correction_days": correct, "repeat_multipliers": list(repeat),
            "repeat_cap_factor": Decimal(CAPS[repeat]), "repeat_lookback_days": lookback,
            "objectionable": objectionable, "objection_days": objection,
            "penalty_kind": kind, "penalty_days": days, "penalty_lifts_on": lifts}


C, LS, RM, CF = (PenaltyKind.CLOSURE, PenaltyKind.LICENCE_SUSPENSION, PenaltyKind.REMOVAL,
                 PenaltyKind.CONFISCATION)
SERVED, PAID, BOTH = PenaltyLift.SERVED, PenaltyLift.PAID, PenaltyLift.SERVED_AND_PAID

ITEMS = [
    # --- public health and food --------------------------------------------------------------
    _item("HL-001", "health", "بيع أو عرض منتجات غذائية منتهية الصلاحية",
          "Selling or displaying food past its expiry date", 2000, 10000, serious=True,
          repeat=STEEP, objection=10, penalty=(C, 3, SERVED)),
    _item("HL-002", "health", "عمال بدون شهادات صحية سارية",
          "Workers without valid health certificates", 500, 2000, correct=14),
    _item("HL-003", "health", "وجود حشرات أو قوارض في المنشأة",
          "Insects or rodents on the premises", 3000, 10000, serious=True, repeat=STEEP,
          penalty=(C, 2, SERVED)),
    _item("HL-004", "health", "تخزين المواد الغذائية على الأرض أو بجوار مصادر التلوث",
          "Food stored on the floor or near a source of contamination", 1000, 4000, correct=7),
    _item("HL-005", "health", "عدم نظافة أدوات وأسطح تحضير الطعام",
          "Unclean food preparation surfaces and utensils", 1000, 3000, correct=3),
    _item("HL-006", "health", "عدم التزام العمال بالزي والقفازات وغطاء الشعر",
          "Workers without uniform, gloves or hair cover", 300, 1000, repeat=GENTLE),
    _item("HL-007", "health", "تداول أغذية مجهولة المصدر",
          "Handling food of unknown origin", 5000, 20000, serious=True, repeat=STEEP,
          penalty=(CF, None, SERVED)),
    _item("HL-008", "health", "عدم توفر مغاسل الأيدي والمطهرات",
          "No hand-washing basin or sanitiser", 500, 2000),
    _item("HL-009", "health", "عدم حفظ الأغذية في درجة الحرارة المطلوبة",
          "Food not kept at the required temperature", 2000, 8000, serious=True, repeat=STEEP,
          penalty=(C, 2, SERVED)),
    _item("HL-010", "health", "التدخين داخل منشأة غذائية",
          "Smoking inside a food establishment", 500, 1000, repeat=GENTLE),
    _item("HL-011", "health", "عدم التخلص من النفايات بطريقة صحية",
          "Waste not disposed of hygienically", 500, 2000, correct=3),
    _item("HL-012", "health", "إعادة تغليف المنتجات أو تغيير بيانات صلاحيتها",
          "Repackaging products or altering their expiry labels", 10000, 50000, serious=True,
          repeat=STEEP, penalty=(LS, 30, BOTH)),
    _item("HL-013", "health", "عدم تعقيم أدوات الحلاقة والتجميل",
          "Barber's or beauty tools not sterilised", 500, 2000),
    _item("HL-014", "health", "إعادة استخدام الأدوات ذات الاستخدام الواحد",
          "Reusing single-use blades or towels", 2000, 5000, serious=True, repeat=STEEP,
          penalty=(C, 2, SERVED)),
    # --- building and construction -----------------------------------------------------------
    _item("BC-001", "building", "البناء بدون رخصة بناء",
          "Building without a building permit", 10000, 50000, serious=True, repeat=STEEP,
          objection=30, lookback=730, penalty=(RM, None, SERVED)),
    _item("BC-002", "building", "تجاوز الارتدادات المعتمدة في رخصة البناء",
          "Exceeding the setbacks approved in the building permit", 5000, 20000, objection=30,
          lookback=730, penalty=(RM, None, SERVED)),
    _item("BC-003", "building", "زيادة عدد الأدوار عن المرخص به",
          "Building more floors than the permit allows", 20000, 100000, serious=True,
          repeat=STEEP, objection=30, lookback=730, penalty=(RM, None, SERVED)),
    _item("BC-004", "building", "الحفر في الطريق العام بدون تصريح",
          "Excavating in a public road without a permit", 5000, 20000, serious=True,
          repeat=STEEP),
    _item("BC-005", "building", "عدم وضع لوحة المشروع في موقع البناء",
          "No project sign board at the building site", 500, 2000, correct=7, repeat=GENTLE),
    _item("BC-006", "building", "عدم تسوير موقع البناء أو الحفر",
          "Building or excavation site not fenced", 1000, 5000, correct=2),
    _item("BC-007", "building", "عدم توفير وسائل السلامة في موقع العمل",
          "No safety measures at the work site", 5000, 20000, serious=True, repeat=STEEP,
          penalty=(LS, 7, SERVED)),
    _item("BC-008", "building", "تغيير استخدام المبنى دون موافقة البلدية",
          "Changing a building's use without the municipality's approval", 5000, 20000,
          objection=30),
    _item("BC-009", "building", "عدم إعادة الطريق إلى حالته بعد الحفر",
          "Road not reinstated after excavation", 2000, 10000, correct=14),
    _item("BC-010", "building", "البناء خارج حدود الصك والتعدي على أملاك عامة",
          "Building beyond the deed's boundaries onto public land", 20000, 100000,
          serious=True, repeat=STEEP, objection=30, lookback=730,
          penalty=(RM, None, SERVED)),
    # --- public space and cleanliness --------------------------------------------------------
    _item("PS-001", "public-space", "ترك مخلفات البناء والأنقاض في الشارع",
          "Leaving building debris on the street", 1000, 5000, correct=3),
    _item("PS-002", "public-space", "رمي النفايات في غير الأماكن المخصصة لها",
          "Dumping waste outside the places provided", 200, 1000, repeat=GENTLE),
    _item("PS-003", "public-space", "وضع طاولات وكراسي على الرصيف خارج المساحة المصرح بها",
          "Tables and chairs on the pavement beyond the permitted area", 500, 2000, correct=3),
    _item("PS-004", "public-space", "عرض البضائع على الرصيف أمام المحل",
          "Goods displayed on the pavement in front of the shop", 300, 1000,
          penalty=(CF, None, SERVED)),
    _item("PS-005", "public-space", "البيع المتجول بدون ترخيص",
          "Street vending without a licence", 200, 1000, repeat=GENTLE,
          penalty=(CF, None, SERVED)),
    _item("PS-006", "public-space", "تسرب مياه الصرف الصحي إلى الشارع",
          "Sewage or wastewater flowing into the street", 2000, 10000, serious=True,
          repeat=STEEP),
    _item("PS-007", "public-space", "إشغال الطريق بمواد البناء دون تصريح",
          "Occupying the road with building materials without a permit", 1000, 4000,
          correct=3),
    _item("PS-008", "public-space", "الكتابة أو الرسم على الجدران والمرافق العامة",
          "Writing or drawing on walls and public facilities", 500, 2000, repeat=GENTLE),
    _item("PS-009", "public-space", "ترك مركبة تالفة أو مهملة في الطريق",
          "Leaving a wrecked or abandoned vehicle on the road", 500, 2000,
          penalty=(RM, None, SERVED)),
    _item("PS-010", "public-space", "إتلاف الأشجار أو المسطحات الخضراء العامة",
          "Damaging public trees or green areas", 1000, 5000),
    # --- signage and advertising -------------------------------------------------------------
    _item("SA-001", "signage", "لوحة تجارية بدون ترخيص",
          "A shop sign without a licence", 1000, 5000, correct=14),
    _item("SA-002", "signage", "لوحة تتجاوز المقاسات المرخصة",
          "A sign larger than the licensed size", 500, 3000, correct=14),
    _item("SA-003", "signage", "لوحة آيلة للسقوط أو غير آمنة",
          "An unsafe sign at risk of falling", 2000, 10000, serious=True, repeat=STEEP,
          penalty=(RM, None, SERVED)),
    _item("SA-004", "signage", "لصق إعلانات على أعمدة الإنارة أو الأرصفة",
          "Posters on lamp posts or pavements", 200, 1000, repeat=GENTLE,
          penalty=(RM, None, SERVED)),
    _item("SA-005", "signage", "لوحة إعلانية بدون تصريح",
          "An advertising billboard without a permit", 5000, 20000,
          penalty=(RM, None, SERVED)),
    _item("SA-006", "signage", "لوحة غير مكتوبة باللغة العربية",
          "A sign not written in Arabic", 500, 2000, correct=30, repeat=GENTLE),
    _item("SA-007", "signage", "لوحة تالفة أو غير مضاءة",
          "A damaged or unlit sign", 300, 1000, repeat=GENTLE),
    # --- commercial activity and licensing ---------------------------------------------------
    _item("CA-001", "commercial", "مزاولة نشاط تجاري بدون رخصة بلدية سارية",
          "Running a shop without a valid municipal licence", 5000, 20000, serious=True,
          repeat=STEEP, penalty=(C, None, PAID)),
    _item("CA-002", "commercial", "مزاولة نشاط غير مدرج في الرخصة",
          "Carrying on an activity not listed on the licence", 1000, 5000, correct=14),
    _item("CA-003", "commercial", "عدم تجديد الرخصة بعد انتهائها",
          "Licence not renewed after it expired", 1000, 5000, correct=30),
    _item("CA-004", "commercial", "العمل خارج ساعات العمل المصرح بها",
          "Open beyond the permitted hours", 1000, 5000, penalty=(LS, 3, SERVED)),
    _item("CA-005", "commercial", "عدم وضع الرخصة في مكان ظاهر",
          "Licence not displayed where customers can see it", 200, 1000, correct=3,
          repeat=GENTLE, objection=10),
    _item("CA-006", "commercial", "اختلاف مساحة المحل عن المساحة المرخصة",
          "Shop area differs from the licensed area", 1000, 5000, correct=30),
    _item("CA-007", "commercial", "عدم إعلان الأسعار على المعروضات",
          "Prices not shown on the goods", 200, 1000, repeat=GENTLE),
    _item("CA-008", "commercial", "منع المراقب من دخول المنشأة أو التفتيش عليها",
          "Preventing the inspector from entering or inspecting", 5000, 20000, serious=True,
          repeat=STEEP, objectionable=False, penalty=(LS, 14, BOTH)),
    _item("CA-009", "commercial", "بيع أسطوانات الغاز في غير الأماكن المرخصة",
          "Selling gas cylinders outside licensed premises", 3000, 10000, serious=True,
          repeat=STEEP, penalty=(CF, None, SERVED)),
]

# Licence activity codes (permits/licences/catalogue.py) and permit type codes the checklists
# are for.
GROCERY, RESTAURANT, CAFE, BAKERY, BARBER, SALON = (
    "471101", "561001", "563001", "107101", "960201", "960202")
FOOD_SHOP = ["HL-001", "HL-002", "HL-004", "HL-007", "HL-009", "HL-011", "HL-012"]
KITCHEN = ["HL-001", "HL-002", "HL-003", "HL-004", "HL-005", "HL-006", "HL-008", "HL-009",
           "HL-010", "HL-011"]
GROOMING = ["HL-002", "HL-003", "HL-011", "HL-013", "HL-014", "CA-001", "CA-002", "CA-004",
            "CA-005", "SA-001"]
SHOP = ["CA-001", "CA-002", "CA-005", "SA-001"]

# code: (name_ar, name_en, {"activity_code"|"permit_type_code"|"is_general": …}, item codes)
CHECKLISTS = {
    "general-municipal": (
        "قائمة الرقابة العامة", "General municipal inspection", {"is_general": True},
        ["PS-001", "PS-002", "PS-003", "PS-004", "PS-005", "PS-006", "PS-007", "PS-008",
         "PS-009", "PS-010", "SA-001", "SA-003", "SA-004", "CA-001", "CA-005"]),
    "commercial-shop": (
        "قائمة رقابة المحلات التجارية", "Commercial shop inspection",
        {"permit_type_code": "commercial_license"},
        ["CA-001", "CA-002", "CA-003", "CA-004", "CA-005", "CA-006", "CA-007", "CA-008",
         "CA-009", "SA-001", "SA-002", "SA-006", "PS-003", "PS-004"]),
    "building-site": (
        "قائمة رقابة مواقع البناء", "Building site inspection",
        {"permit_type_code": "building_permit"},
        ["BC-001", "BC-002", "BC-003", "BC-005", "BC-006", "BC-007", "BC-008", "BC-010",
         "PS-001", "PS-007"]),
    "excavation-site": (
        "قائمة رقابة أعمال الحفريات", "Excavation works inspection",
        {"permit_type_code": "excavation_permit"},
        ["BC-004", "BC-006", "BC-007", "BC-009", "PS-001", "PS-007"]),
    "signage": (
        "قائمة رقابة اللوحات", "Sign inspection", {"permit_type_code": "signage_permit"},
        ["SA-001", "SA-002", "SA-003", "SA-005", "SA-006", "SA-007"]),
    "grocery": (
        "قائمة رقابة البقالات ومحلات المواد الغذائية", "Grocery and food shop inspection",
        {"activity_code": GROCERY}, [*FOOD_SHOP, *SHOP, "CA-007", "PS-004"]),
    "restaurant": (
        "قائمة رقابة المطاعم", "Restaurant inspection", {"activity_code": RESTAURANT},
        [*KITCHEN, "HL-007", *SHOP, "CA-004", "PS-003"]),
    "cafe": (
        "قائمة رقابة المقاهي", "Café inspection", {"activity_code": CAFE},
        [*KITCHEN, *SHOP, "CA-004", "PS-003"]),
    "bakery": (
        "قائمة رقابة المخابز", "Bakery inspection", {"activity_code": BAKERY},
        [*KITCHEN, "HL-007", *SHOP]),
    "barber": (
        "قائمة رقابة محلات الحلاقة", "Barber shop inspection", {"activity_code": BARBER},
        GROOMING),
    "beauty-salon": (
        "قائمة رقابة المشاغل النسائية", "Ladies' beauty salon inspection",
        {"activity_code": SALON}, GROOMING),
}


def class_range(item: dict, municipality_class: int) -> tuple[Decimal, Decimal]:
    fine_min, fine_max = item["class1"]
    factor = CLASS_FACTORS[municipality_class - 1]
    return fine_min * factor, fine_max * factor


def question_texts(item: dict) -> tuple[str, str]:
    return (f"هل المكان سليم من: {item['name_ar']}؟",
            f"Is the place free of: {item['name_en'][0].lower()}{item['name_en'][1:]}?")


ITEM_FIELDS = ("name_ar", "name_en", "is_serious", "correction_days", "repeat_multipliers",
               "repeat_cap_factor", "repeat_lookback_days", "objectionable", "objection_days",
               "penalty_kind", "penalty_days", "penalty_lifts_on")


def violation_catalogue_seed(*, log: Log | None = None) -> dict[str, Counter]:
    """Write the seeded catalogue; a second run writes nothing. Returns the tallies."""
    log = log or (lambda message: None)
    tallies = {name: Counter() for name in ("shares", "groups", "items", "fines", "checklists",
                                            "questions")}
    for size, percent in SHARES.items():
        _, outcome = _upsert(SizeShare, {"size": size, "effective_from": CATALOGUE_FROM},
                             {"percent": percent})
        tallies["shares"][outcome] += 1
    groups = {}
    for code, name_ar, name_en, order in GROUPS:
        groups[code], outcome = _upsert(ViolationGroup, {"code": code}, {
            "name_ar": name_ar, "name_en": name_en, "display_order": order})
        tallies["groups"][outcome] += 1
    for data in ITEMS:
        _item_load(data, groups[data["group"]], tallies)
    for code, (name_ar, name_en, target, item_codes) in CHECKLISTS.items():
        values = {"name_ar": name_ar, "name_en": name_en, "activity_code": "",
                  "permit_type_code": "", "is_general": False, "is_active": True, **target}
        checklist, outcome = _upsert(Checklist, {"code": code}, values)
        tallies["checklists"][outcome] += 1
        by_code = {data["code"]: data for data in ITEMS}
        for position, item_code in enumerate(item_codes, start=1):
            text_ar, text_en = question_texts(by_code[item_code])
            _, outcome = _upsert(ChecklistQuestion,
                                 {"checklist": checklist, "item_code": item_code},
                                 {"position": position, "text_ar": text_ar, "text_en": text_en})
            tallies["questions"][outcome] += 1
    for name, tally in tallies.items():
        log(f"violation {name}: " + (", ".join(f"{n} {outcome}"
                                               for outcome, n in sorted(tally.items())) or "none"))
    return tallies


def _item_load(data: dict, group: ViolationGroup, tallies: dict[str, Counter]) -> None:
    lookup = {"code": data["code"], "effective_from": CATALOGUE_FROM}
    existing = ViolationItem.objects.filter(**lookup).first()
    # A version a notice already used stays as the notice knew it.
    if existing is not None and ViolationLine.objects.filter(item=existing).exists():
        tallies["items"]["in use, kept"] += 1
        return
    item, outcome = _upsert(ViolationItem, lookup,
                            {"group": group, **{name: data[name] for name in ITEM_FIELDS}})
    tallies["items"][outcome] += 1
    for municipality_class in range(1, 6):
        fine_min, fine_max = class_range(data, municipality_class)
        _, outcome = _upsert(ItemFine, {"item": item, "municipality_class": municipality_class},
                             {"fine_min": fine_min, "fine_max": fine_max})
        tallies["fines"][outcome] += 1


# --- changing the catalogue (the admin's screens call these) ---------------------------------


def item_in_use(item: ViolationItem) -> bool:
    """A version some notice's line was computed from: never changed in place."""
    return ViolationLine.objects.filter(item=item).exists()


def item_problems(*, code: str, effective_from: dt.date | None, effective_to: dt.date | None,
                  is_serious: bool, correction_days: int | None, penalty_kind: str,
                  penalty_days: int | None, penalty_lifts_on: str,
                  exclude_pk: int | None = None) -> list[DomainError]:
    """What is wrong with an item version's values, each error naming its field."""
    problems = []
    if is_serious and correction_days is not None:
        problems.append(DomainError(
            "violations.serious_not_warned",
            "البند الجسيم لا يُنذر عنه: اترك مدة التصحيح فارغة.",
            "A serious item is never warned: leave the correction period empty.",
            field="correction_days"))
    if effective_from and effective_to and effective_to <= effective_from:
        problems.append(DomainError(
            "violations.period_backwards", "تاريخ نهاية السريان يجب أن يكون بعد تاريخ بدايته.",
            "The end of the period must be after its start.", field="effective_to"))
    if penalty_kind and not penalty_lifts_on:
        problems.append(DomainError(
            "violations.penalty_lift_missing", "حدد متى ترفع العقوبة.",
            "Say when the penalty is lifted.", field="penalty_lifts_on"))
    if not penalty_kind and (penalty_lifts_on or penalty_days):
        problems.append(DomainError(
            "violations.penalty_kind_missing", "حدد نوع العقوبة أو اترك تفاصيلها فارغة.",
            "Choose the penalty, or leave its details empty.", field="penalty_kind"))
    if (penalty_kind in (PenaltyKind.CLOSURE, PenaltyKind.LICENCE_SUSPENSION)
            and penalty_lifts_on in (PenaltyLift.SERVED, PenaltyLift.SERVED_AND_PAID)
            and not penalty_days):
        problems.append(DomainError(
            "violations.penalty_days_missing",
            "الإغلاق أو الإيقاف الذي يرفع بعد انقضاء مدته يحتاج عدد الأيام.",
            "A closure or suspension lifted when served needs its number of days.",
            field="penalty_days"))
    if code and effective_from:
        others = ViolationItem.objects.filter(code=code).exclude(pk=exclude_pk)
        for other in others:
            if (effective_to is None or other.effective_from < effective_to) and (
                    other.effective_to is None or effective_from < other.effective_to):
                problems.append(DomainError(
                    "violations.period_overlaps",
                    f"فترة السريان تتداخل مع إصدار البند {code} الساري من "
                    f"{other.effective_from.isoformat()}.",
                    f"The period overlaps the version of {code} in force from "
                    f"{other.effective_from.isoformat()}.", field="effective_from"))
                break
    return problems


def fine_range_problems(*, fine_min: Decimal | None, fine_max: Decimal | None
                        ) -> list[DomainError]:
    problems = []
    if fine_min is not None and fine_min <= 0:
        problems.append(DomainError(
            "violations.fine_min_positive", "الحد الأدنى للغرامة يجب أن يكون أكبر من صفر.",
            "The minimum fine must be more than zero.", field="fine_min"))
    if fine_min is not None and fine_max is not None and fine_min > fine_max:
        problems.append(DomainError(
            "violations.fine_range_backwards",
            "الحد الأدنى للغرامة أكبر من حدها الأعلى.",
            "The minimum fine is more than the maximum.", field="fine_max"))
    return problems


@transaction.atomic
def item_version_create(*, item_id: int, effective_from: dt.date, values: dict,
                        fines: dict[int, tuple[Decimal, Decimal]]) -> ViolationItem:
    """End the open version of an item where `effective_from` begins and start the next
    one with `values` (ITEM_FIELDS) and its fine range per class; notices keep the old one."""
    current = ViolationItem.objects.select_for_update().filter(pk=item_id).first()
    if current is None:
        raise NotFound("violations.item_missing", "البند غير موجود.", "No such item.")
    today = business_date(clock.now())
    if current.effective_to is not None:
        raise DomainError(
            "violations.version_not_open",
            f"هذا الإصدار منتهٍ في {current.effective_to.isoformat()}: أضف الإصدار الجديد "
            "بعد آخر إصدار للبند.",
            f"This version ended on {current.effective_to.isoformat()}: start the new version "
            "from the item's latest one.", field="effective_from")
    if effective_from < today or effective_from <= current.effective_from:
        raise DomainError(
            "violations.version_date_early",
            f"يبدأ الإصدار الجديد من اليوم أو بعده، وبعد {current.effective_from.isoformat()}.",
            f"The new version starts today or later, and after "
            f"{current.effective_from.isoformat()}.", field="effective_from")
    problems = item_problems(code=current.code, effective_from=effective_from,
                             effective_to=None, exclude_pk=current.pk,
                             **{name: values.get(name) for name in (
                                 "is_serious", "correction_days", "penalty_kind",
                                 "penalty_days", "penalty_lifts_on")})
    for fine_min, fine_max in fines.values():
        problems += fine_range_problems(fine_min=fine_min, fine_max=fine_max)
    if problems:
        raise problems[0]
    current.effective_to = effective_from
    current.save(update_fields=["effective_to"])
    item = ViolationItem.objects.create(
        code=current.code, group=values.get("group") or current.group,
        effective_from=effective_from,
        **{name: values[name] for name in ITEM_FIELDS if name in values})
    for municipality_class, (fine_min, fine_max) in sorted(fines.items()):
        ItemFine.objects.create(item=item, municipality_class=municipality_class,
                                fine_min=fine_min, fine_max=fine_max)
    return item
