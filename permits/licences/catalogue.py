"""The seeded licensing catalogue (issue 10): the commercial licence type, its four sub-permit
types, their fee schedules per municipality class and tariff, their review procedures, the shop
compliance checklist, and about twenty commercial activities with the rules that decide how a
licence for each is issued.

`licences_catalogue_load(log=…)` is called by permits.catalogue.catalogue_load and follows its
rules: rows are found by natural key and written only when they differ (a second run writes
nothing), a fee schedule is created only when its e-service has none for that class, stage and
tariff, and a procedure is published for the Amanah only when it has none published yet.
"""

import copy
from decimal import Decimal

from amanah.demo import _upsert
from amanah.enums import MunicipalityKind, OwningApp
from amanah.models import Department, EService, Municipality
from payments.enums import FeeRuleKind
from payments.models import FeeSchedule
from payments.services.fees import fee_schedule_create
from workflow.enums import VersionStatus
from workflow.models import DefinitionVersion
from workflow.services.definitions import definition_import

from ..catalogue import (
    MB,
    PDF,
    PDF_OR_PHOTO,
    PHOTO,
    SCHEDULES_FROM,
    STAGE_NAMES,
    Log,
    _doc,
    _field,
    _Tally,
    type_parts_upsert,
)
from ..enums import DocumentSupplier, FeeStage, FieldKind, FiledBy, InspectionPurpose, PartyRole
from ..models import (
    Activity,
    ActivityDocument,
    Checklist,
    ChecklistItem,
    PermitType,
)
from ..procedures import _move, _state, permit_procedure

LICENCE_CODE = "commercial_license"
HEALTH_PROCEDURE = "commercial_license_health"
SUB_PERMIT_CODES = ("signage_permit", "extended_hours", "home_delivery", "outdoor_seating")
LICENCE_PREREQUISITES = ["no_unpaid_fines", "licence_activities_chosen",
                         "commercial_registration_valid", "lease_valid", "civil_defence_valid",
                         "activities_zone_allowed", "activities_area_enough"]
SUB_PERMIT_PREREQUISITES = ["base_permit_valid", "sub_permit_allowed", "no_unpaid_fines"]

# Written into the fee schedules' names (what a bill says it is for), as in STAGE_NAMES.
LICENCE_STAGE_NAMES = {
    **STAGE_NAMES,
    FeeStage.SIGNAGE: ("رسوم اللوحة التجارية", "signage fee"),
    FeeStage.CANCELLATION: ("رسوم الإلغاء عن المدة المتبقية", "cancellation fee"),
}

M2_YEAR = ("م² سنويًا", "m² a year")
MONTH_LEFT = ("شهر متبقٍ", "month left")

# --- The shop compliance checklist (the reviewed path's shop inspection) --------------------

CHECKLIST_CODE = "shop-compliance"
CHECKLIST = ("كشف مطابقة المحل التجاري", "Shop compliance inspection", [
    ("activity_match", "النشاط الممارس مطابق للأنشطة المطلوبة",
     "The business carried on matches the activities applied for", True),
    ("area_match", "مساحة المحل مطابقة للمساحة المعلنة", "The shop's area matches the area "
     "declared", True),
    ("sign_match", "اللوحة مطابقة للمساحة المعلنة ولا تتجاوز الواجهة",
     "The sign matches the area declared and stays within the shop front", True),
    ("fire_safety", "طفايات الحريق وكاشفات الدخان مركبة وصالحة",
     "Fire extinguishers and smoke detectors are in place and in date", True),
    ("hygiene", "المحل نظيف وخالٍ من الحشرات والقوارض", "The shop is clean and free of "
     "insects and rodents", True),
    ("storage", "التخزين مرتفع عن الأرض وبعيد عن مصادر التلوث",
     "Goods are stored off the floor and away from any source of contamination", True),
    ("workers", "الشهادات الصحية للعاملين سارية (للأنشطة الغذائية والصحية)",
     "Workers' health certificates are in date (food and health activities)", False),
    ("pavement", "لا إشغال للرصيف أو الطريق أمام المحل",
     "Nothing of the shop occupies the pavement or the road in front of it", True),
])

# --- The commercial licence --------------------------------------------------------------

VALIDITY_CHOICES = [{"value": "1", "ar": "سنة واحدة", "en": "1 year"},
                    {"value": "2", "ar": "سنتان", "en": "2 years"},
                    {"value": "3", "ar": "ثلاث سنوات", "en": "3 years"}]


def _per_m2_year(*amounts, minimum, quantity_field) -> dict:
    """A rate per m² per year, per class 1…5, with a minimum per class (for one year)."""
    return {"kind": FeeRuleKind.RATE, "amounts": amounts, "minimum": minimum, "unit": M2_YEAR,
            "quantity_field": quantity_field, "per_year": True}


def _fixed(*amounts) -> dict:
    return {"kind": FeeRuleKind.FIXED, "amounts": amounts}


LICENCE = {
    "code": LICENCE_CODE, "display_order": 80,
    "name_ar": "رخصة محل تجاري", "name_en": "Commercial shop licence",
    "description_ar": "رخصة بلدية لمزاولة نشاط تجاري في محل، تصدر فورًا مقابل إقرار ذاتي "
                      "للأنشطة منخفضة المخاطر، وبعد مراجعة وكشف على المحل لغيرها. يتقدم بها "
                      "مفوض المنشأة.",
    "description_en": "The municipal licence to run a business from a shop. Low-risk activities "
                      "are licensed at once against a self-declaration; the others after a "
                      "review and a visit to the shop. The establishment's delegate applies.",
    "requirements_ar": "سجل تجاري قائم يشمل الأنشطة المطلوبة\nعقد إيجار موثق باسم المنشأة على "
                       "صك المحل\nشهادة سلامة من الدفاع المدني للأنشطة التي تتطلبها\nعدم وجود "
                       "مخالفات غير مسددة على المنشأة",
    "requirements_en": "An active commercial registration listing the activities\nA registered "
                       "lease in the establishment's name on the shop's deed\nA civil defence "
                       "safety certificate for the activities that need one\nNo unpaid fines "
                       "on the establishment",
    "expected_days": 5, "validity_months": 12, "renewal_window_days": 90,
    "late_renewal_days": 180, "number_prefix": "CL", "filed_by": FiledBy.ESTABLISHMENT,
    "owner_consent_required": False, "base_permit_type": None, "plan_check": False,
    "inspection_checklist": CHECKLIST_CODE, "inspection_purpose": InspectionPurpose.COMPLIANCE,
    "emergency_allowed": False, "clearance_checklist": None,
    "uses_activities": True, "is_sub_permit": False, "deed_owner_applies": False,
    "validity_years_field": "validity_years",
    "prerequisites": LICENCE_PREREQUISITES,
    "fields": [
        _field("trade_name", 1, FieldKind.TEXT, "الاسم التجاري", "Trade name", max_length=120,
               is_detail=True, help_ar="كما يظهر في السجل التجاري وعلى لوحة المحل",
               help_en="As on the commercial registration and the shop sign"),
        _field("cr_number", 1, FieldKind.TEXT, "رقم السجل التجاري",
               "Commercial registration number", pattern=r"^[0-9]{10}$", max_length=10,
               is_detail=True, help_ar="عشرة أرقام", help_en="Ten digits"),
        _field("lease_contract_number", 1, FieldKind.TEXT, "رقم عقد الإيجار",
               "Lease contract number", max_length=20, is_detail=True,
               help_ar="رقم العقد الموثق في منصة إيجار", help_en="The contract's number on the "
               "Ejar platform"),
        _field("civil_defence_number", 1, FieldKind.TEXT, "رقم شهادة الدفاع المدني",
               "Civil defence certificate number", required=False, max_length=20,
               help_ar="مطلوب للأنشطة التي تتطلب شهادة سلامة", help_en="Needed for the "
               "activities that require a safety certificate"),
        _field("shop_area_m2", 1, FieldKind.DECIMAL, "مساحة المحل", "Shop area", min_value=1,
               max_value=100000, unit_ar="م²", unit_en="m²", is_detail=True,
               help_ar="تُحسب عليها رسوم الرخصة سنويًا", help_en="The licence fee is charged on "
               "it for each year"),
        _field("signage_area_m2", 1, FieldKind.DECIMAL, "مساحة اللوحة التجارية", "Signage area",
               required=False, min_value=0, max_value=500, unit_ar="م²", unit_en="m²",
               is_detail=True, help_ar="اتركها فارغة إن لم توجد لوحة",
               help_en="Leave empty if there is no sign"),
        _field("validity_years", 1, FieldKind.CHOICE, "مدة الرخصة", "Licence period",
               choices=VALIDITY_CHOICES, is_detail=True),
    ],
    "documents": [
        _doc("shop_photo", "صورة واجهة المحل", "Photo of the shop front", PHOTO, 5,
             DocumentSupplier.APPLICANT,
             help_ar="صورة واضحة للواجهة تظهر اللوحة إن وجدت",
             help_en="A clear photo of the front, with the sign if there is one"),
        _doc("lease_copy", "نسخة عقد الإيجار", "Copy of the lease", PDF, 10,
             DocumentSupplier.APPLICANT, required=False,
             help_ar="يُتحقق من العقد إلكترونيًا؛ أرفقه إن طُلب منك",
             help_en="The lease is checked online; attach it if you are asked to"),
        _doc("shop_layout", "مخطط توزيع المحل", "Layout of the shop", PDF_OR_PHOTO, 10,
             DocumentSupplier.APPLICANT, required=False),
    ],
    "parties": [(PartyRole.OWNER, True), (PartyRole.DELEGATE, True)],
    "fees": {
        FeeStage.ISSUANCE: _per_m2_year("20.00", "15.00", "12.00", "8.00", "5.00",
                                        minimum=("500", "400", "300", "250", "200"),
                                        quantity_field="shop_area_m2"),
        FeeStage.SIGNAGE: {**_per_m2_year("300.00", "250.00", "200.00", "150.00", "100.00",
                                          minimum=None, quantity_field="signage_area_m2")},
        FeeStage.RENEWAL: _per_m2_year("20.00", "15.00", "12.00", "8.00", "5.00",
                                       minimum=("500", "400", "300", "250", "200"),
                                       quantity_field="shop_area_m2"),
        FeeStage.LATE_RENEWAL: _fixed("1000", "800", "600", "500", "400"),
        FeeStage.AMENDMENT: _fixed("300", "250", "200", "150", "100"),
        FeeStage.REPLACEMENT: _fixed("100", "100", "75", "50", "50"),
        FeeStage.CANCELLATION: {"kind": FeeRuleKind.RATE,
                                "amounts": ("100", "80", "60", "50", "40"), "minimum": None,
                                "unit": MONTH_LEFT, "quantity_field": ""},
    },
    # Tariffs an activity may name (Activity.fee_variant): the stages they reprice, per class.
    # Stages a tariff leaves out are priced by the standard tariff.
    "variants": {
        "food": {
            FeeStage.ISSUANCE: ("25.00", "20.00", "15.00", "10.00", "7.00"),
            FeeStage.RENEWAL: ("25.00", "20.00", "15.00", "10.00", "7.00"),
            "minimum": ("800", "600", "500", "400", "300"),
        },
        "health": {
            FeeStage.ISSUANCE: ("22.00", "18.00", "14.00", "10.00", "6.00"),
            FeeStage.RENEWAL: ("22.00", "18.00", "14.00", "10.00", "6.00"),
            "minimum": ("700", "600", "450", "350", "250"),
        },
        "services": {
            FeeStage.ISSUANCE: ("15.00", "12.00", "10.00", "7.00", "5.00"),
            FeeStage.RENEWAL: ("15.00", "12.00", "10.00", "7.00", "5.00"),
            "minimum": ("600", "500", "400", "300", "200"),
        },
    },
    "procedure": {"name_ar": "رخصة محل تجاري", "name_en": "Commercial shop licence",
                  "inspection": True, "sla_hours": 35, "review_sla_hours": 14},
}


def _sub_permit(code, order, name_ar, name_en, description_ar, description_en, prefix, fields,
                fees, documents=()) -> dict:
    return {
        "code": code, "display_order": order, "name_ar": name_ar, "name_en": name_en,
        "description_ar": description_ar, "description_en": description_en,
        "requirements_ar": "رخصة محل تجاري سارية للمنشأة يسمح أحد أنشطتها بهذا التصريح\n"
                           "عدم وجود مخالفات غير مسددة على المنشأة",
        "requirements_en": "A valid shop licence of the establishment with an activity that "
                           "allows this permit\nNo unpaid fines on the establishment",
        "expected_days": 3, "validity_months": 12, "renewal_window_days": 60,
        "late_renewal_days": 90, "number_prefix": prefix, "filed_by": FiledBy.ESTABLISHMENT,
        "owner_consent_required": False, "base_permit_type": LICENCE_CODE, "plan_check": False,
        "inspection_checklist": None, "inspection_purpose": InspectionPurpose.SITE,
        "emergency_allowed": False, "clearance_checklist": None,
        "uses_activities": False, "is_sub_permit": True, "deed_owner_applies": False,
        "validity_years_field": "", "prerequisites": SUB_PERMIT_PREREQUISITES,
        "fields": fields, "documents": list(documents),
        "parties": [(PartyRole.OWNER, True), (PartyRole.DELEGATE, True)],
        "fees": fees, "variants": {},
        "procedure": {"name_ar": name_ar, "name_en": name_en, "inspection": False,
                      "sla_hours": 21, "review_sla_hours": 7},
    }


SIGNAGE = _sub_permit(
    "signage_permit", 81, "رخصة لوحة تجارية", "Shop sign permit",
    "ترخيص لوحة المحل التجاري بمقاساتها وإضاءتها، تابع لرخصة المحل.",
    "A permit for the shop's sign, its size and lighting, hanging from the shop licence.",
    "SG",
    [_field("sign_width_m", 1, FieldKind.DECIMAL, "عرض اللوحة", "Sign width", min_value="0.5",
            max_value=30, unit_ar="م", unit_en="m", is_detail=True),
     _field("sign_height_m", 1, FieldKind.DECIMAL, "ارتفاع اللوحة", "Sign height",
            min_value="0.3", max_value=5, unit_ar="م", unit_en="m", is_detail=True),
     _field("illuminated", 1, FieldKind.BOOLEAN, "لوحة مضيئة", "Illuminated sign",
            required=False, is_detail=True),
     _field("sign_text", 1, FieldKind.TEXT, "نص اللوحة", "Text on the sign", max_length=120,
            is_detail=True, help_ar="يطابق الاسم التجاري", help_en="Matches the trade name")],
    {FeeStage.ISSUANCE: _fixed("300", "250", "200", "150", "100"),
     FeeStage.RENEWAL: _fixed("300", "250", "200", "150", "100"),
     FeeStage.LATE_RENEWAL: _fixed("500", "400", "300", "250", "200"),
     FeeStage.REPLACEMENT: _fixed("50", "50", "50", "50", "50")},
    [_doc("sign_design", "تصميم اللوحة بالمقاسات", "Design of the sign with its dimensions",
          PDF_OR_PHOTO, 5, DocumentSupplier.APPLICANT)])

EXTENDED_HOURS = _sub_permit(
    "extended_hours", 82, "تصريح العمل لساعات ممتدة", "Extended opening hours permit",
    "تصريح بفتح المحل بعد ساعات الإغلاق المعتادة أو على مدار الساعة.",
    "Permission to open after the usual closing time, or around the clock.", "EH",
    [_field("closing_time", 1, FieldKind.CHOICE, "وقت الإغلاق", "Closing time",
            choices=[{"value": "01:00", "ar": "الواحدة بعد منتصف الليل", "en": "1 am"},
                     {"value": "03:00", "ar": "الثالثة فجرًا", "en": "3 am"},
                     {"value": "24h", "ar": "على مدار الساعة", "en": "Around the clock"}],
            is_detail=True)],
    {FeeStage.ISSUANCE: _fixed("2000", "1500", "1200", "1000", "800"),
     FeeStage.RENEWAL: _fixed("2000", "1500", "1200", "1000", "800"),
     FeeStage.LATE_RENEWAL: _fixed("500", "400", "300", "250", "200"),
     FeeStage.REPLACEMENT: _fixed("50", "50", "50", "50", "50")})

HOME_DELIVERY = _sub_permit(
    "home_delivery", 83, "تصريح التوصيل المنزلي", "Home delivery permit",
    "تصريح بتوصيل طلبات المحل إلى المنازل بمركبات المنشأة.",
    "Permission to deliver the shop's orders to homes with the establishment's vehicles.", "HD",
    [_field("delivery_vehicles", 1, FieldKind.INTEGER, "عدد مركبات التوصيل",
            "Delivery vehicles", min_value=1, max_value=50, is_detail=True),
     _field("refrigerated", 1, FieldKind.BOOLEAN, "مركبات مبردة", "Refrigerated vehicles",
            required=False, is_detail=True)],
    {FeeStage.ISSUANCE: _fixed("500", "400", "300", "250", "200"),
     FeeStage.RENEWAL: _fixed("500", "400", "300", "250", "200"),
     FeeStage.LATE_RENEWAL: _fixed("300", "250", "200", "150", "100"),
     FeeStage.REPLACEMENT: _fixed("50", "50", "50", "50", "50")},
    [_doc("vehicle_registrations", "استمارات مركبات التوصيل", "Delivery vehicles' registrations",
          PDF_OR_PHOTO, 10, DocumentSupplier.APPLICANT)])

OUTDOOR_SEATING = _sub_permit(
    "outdoor_seating", 84, "تصريح الجلسات الخارجية", "Outdoor seating permit",
    "تصريح بوضع جلسات أمام المحل في المساحة المسموح بها من الرصيف أو الفناء.",
    "Permission to put seating in front of the shop, on the part of the pavement or forecourt "
    "allowed.", "OS",
    [_field("seating_area_m2", 1, FieldKind.DECIMAL, "مساحة الجلسات", "Seating area",
            min_value=1, max_value=200, unit_ar="م²", unit_en="m²", is_detail=True),
     _field("seats", 1, FieldKind.INTEGER, "عدد المقاعد", "Seats", min_value=1, max_value=200,
            is_detail=True)],
    {FeeStage.ISSUANCE: {"kind": FeeRuleKind.RATE,
                         "amounts": ("150.00", "120.00", "100.00", "80.00", "60.00"),
                         "minimum": ("1000", "800", "600", "500", "400"), "unit": M2_YEAR,
                         "quantity_field": "seating_area_m2"},
     FeeStage.RENEWAL: {"kind": FeeRuleKind.RATE,
                        "amounts": ("150.00", "120.00", "100.00", "80.00", "60.00"),
                        "minimum": ("1000", "800", "600", "500", "400"), "unit": M2_YEAR,
                        "quantity_field": "seating_area_m2"},
     FeeStage.LATE_RENEWAL: _fixed("500", "400", "300", "250", "200"),
     FeeStage.REPLACEMENT: _fixed("50", "50", "50", "50", "50")},
    [_doc("seating_layout", "مخطط توزيع الجلسات", "Layout of the seating", PDF_OR_PHOTO, 10,
          DocumentSupplier.APPLICANT)])

LICENCE_TYPES = [LICENCE, SIGNAGE, EXTENDED_HOURS, HOME_DELIVERY, OUTDOOR_SEATING]
LICENCE_TYPE_CODES = tuple(t["code"] for t in LICENCE_TYPES)

# The licence and signage e-services are in the core catalogue (amanah/demo.py): found if
# there, created with these words if not. The other three are this catalogue's.
ESERVICES = {
    "commercial_license": ("رخصة المحل التجاري", "Commercial shop licence",
                           "إصدار أو تجديد رخصة محل تجاري لمنشأتك.",
                           "Issue or renew a commercial shop licence for your establishment.",
                           80, True),
    "signage_permit": ("رخصة اللوحات الإعلانية", "Signage permit",
                       "طلب رخصة لوحة تجارية أو إعلانية.",
                       "Apply for a licence for a shop sign or an advertising board.", 81, True),
    "extended_hours": ("تصريح العمل لساعات ممتدة", "Extended opening hours permit",
                       "طلب تصريح بفتح المحل بعد ساعات الإغلاق المعتادة.",
                       "Apply to open your shop after the usual closing time.", 82, False),
    "home_delivery": ("تصريح التوصيل المنزلي", "Home delivery permit",
                      "طلب تصريح بتوصيل طلبات المحل إلى المنازل.",
                      "Apply to deliver your shop's orders to homes.", 83, False),
    "outdoor_seating": ("تصريح الجلسات الخارجية", "Outdoor seating permit",
                        "طلب تصريح بوضع جلسات أمام المحل.",
                        "Apply to put seating in front of your shop.", 84, False),
}

# --- Activities ------------------------------------------------------------------------------

COMMERCIAL, RES_B, INDUSTRIAL = "commercial", "res-b", "industrial"
ALL_SUBS = list(SUB_PERMIT_CODES)

HEALTH_CERTIFICATES = _doc(
    "worker_health_certificates", "الشهادات الصحية للعاملين", "Workers' health certificates",
    PDF, 10, DocumentSupplier.APPLICANT,
    help_ar="شهادة صحية سارية لكل عامل يتعامل مع الزبائن أو الأغذية",
    help_en="An in-date health certificate for every worker who serves customers or handles "
            "food")
KITCHEN_LAYOUT = _doc(
    "kitchen_layout", "مخطط المطبخ ومنطقة التحضير", "Layout of the kitchen and preparation area",
    PDF_OR_PHOTO, 10, DocumentSupplier.APPLICANT)


def _activity(code, name_ar, name_en, *, instant, zones, min_area, sample=0, variant="",
              procedure="", civil_defence=False, subs=(), documents=(), declaration_ar="",
              declaration_en="", order=100) -> dict:
    return {"code": code, "name_ar": name_ar, "name_en": name_en, "is_instant": instant,
            "allowed_zones": list(zones), "min_area_m2": Decimal(min_area),
            "sample_inspection_percent": sample, "fee_variant": variant,
            "procedure_code": procedure, "civil_defence_required": civil_defence,
            "sub_permits": list(subs), "documents": list(documents),
            "self_declaration_ar": declaration_ar, "self_declaration_en": declaration_en,
            "display_order": order}


ACTIVITIES = [
    # Instant: low-risk retail and offices, licensed against a self-declaration and sampled.
    _activity("471101", "بقالة", "Grocery", instant=True, zones=[COMMERCIAL, RES_B],
              min_area="20", sample=20, subs=["signage_permit", "extended_hours",
                                             "home_delivery"], order=10,
              declaration_ar="أقر بأن البقالة لا تبيع التبغ لمن هم دون ١٨ عامًا، وأن الأغذية "
                             "تُحفظ في ثلاجات تعمل ومرتفعة عن الأرض، وأن المنتجات منتهية "
                             "الصلاحية تُزال من الرفوف.",
              declaration_en="I declare that the grocery sells no tobacco to anyone under 18, "
                             "keeps chilled food in working fridges and all goods off the floor, "
                             "and takes expired products off the shelves."),
    _activity("960201", "حلاقة رجالية", "Men's barber", instant=True,
              zones=[COMMERCIAL, RES_B], min_area="12", sample=10, subs=["signage_permit"],
              documents=[HEALTH_CERTIFICATES], order=20,
              declaration_ar="أقر بأن أدوات الحلاقة تُعقَّم بعد كل زبون، وأن الشفرات تُستعمل "
                             "مرة واحدة، وأن لكل عامل شهادة صحية سارية.",
              declaration_en="I declare that the tools are sterilised after every customer, "
                             "blades are used once only, and every worker holds an in-date "
                             "health certificate."),
    _activity("477111", "بيع الملابس الجاهزة", "Ready-made clothing", instant=True,
              zones=[COMMERCIAL], min_area="20", sample=10,
              subs=["signage_permit", "extended_hours"], order=30,
              declaration_ar="أقر بأن غرف القياس مستقلة ومغلقة، وأن ممرات المحل ومخارجه خالية "
                             "من البضائع.",
              declaration_en="I declare that the fitting rooms are separate and closed, and "
                             "that the aisles and exits are kept clear of goods."),
    _activity("474201", "بيع الهواتف المحمولة وإكسسواراتها", "Mobile phones and accessories",
              instant=True, zones=[COMMERCIAL], min_area="12", sample=10,
              subs=["signage_permit", "extended_hours"], order=40,
              declaration_ar="أقر بأن الأجهزة المعروضة مطابقة للمواصفات المعتمدة، وأن الأجهزة "
                             "المستعملة تُشترى بإثبات ملكية البائع.",
              declaration_en="I declare that the phones on sale meet the approved standards, "
                             "and that used phones are bought only with proof of the seller's "
                             "ownership."),
    _activity("951201", "صيانة الهواتف والأجهزة الإلكترونية",
              "Phone and electronics repair", instant=True, zones=[COMMERCIAL], min_area="10",
              sample=10, subs=["signage_permit"], order=50,
              declaration_ar="أقر بأن البطاريات والأجهزة التالفة تُجمع وتُسلَّم لجهة تدوير "
                             "معتمدة، ولا تُرمى في حاويات النفايات العامة.",
              declaration_en="I declare that spent batteries and broken devices are collected "
                             "and handed to a licensed recycler, never put in public bins."),
    _activity("476101", "مكتبة وقرطاسية", "Stationery and books", instant=True,
              zones=[COMMERCIAL, RES_B], min_area="15", sample=10, subs=["signage_permit"],
              order=60,
              declaration_ar="أقر بأن المحل لا يبيع مطبوعات غير مفسوحة، وأن آلات التصوير "
                             "والطباعة موصولة بتمديدات كهربائية سليمة.",
              declaration_en="I declare that the shop sells no unlicensed publications and that "
                             "its copiers and printers run on sound wiring."),
    _activity("702001", "مكتب إداري", "Administrative office", instant=True,
              zones=[COMMERCIAL, RES_B], min_area="15", sample=5, subs=["signage_permit"],
              order=70,
              declaration_ar="أقر بأن المكتب لا يستقبل بضائع ولا يخزنها، وأن استعماله إداري "
                             "فقط.",
              declaration_en="I declare that the office neither receives nor stores goods and "
                             "is used for administrative work only."),
    _activity("960101", "استلام وتسليم الملابس للغسيل", "Laundry drop-off", instant=True,
              zones=[COMMERCIAL, RES_B], min_area="15", sample=15, variant="services",
              subs=["signage_permit", "home_delivery"], order=80,
              declaration_ar="أقر بأنه لا يوجد غسيل أو كي بالبخار في المحل، وأن الملابس "
                             "النظيفة تُحفظ منفصلة عن المتسخة.",
              declaration_en="I declare that no washing or steam pressing is done in the shop, "
                             "and that clean clothes are kept apart from dirty ones."),
    _activity("477301", "بيع العطور ومستحضرات التجميل", "Perfumes and cosmetics", instant=True,
              zones=[COMMERCIAL], min_area="15", sample=15,
              subs=["signage_permit", "extended_hours"], order=90,
              declaration_ar="أقر بأن المستحضرات المعروضة مسجلة لدى الهيئة العامة للغذاء "
                             "والدواء، وأن العطور القابلة للاشتعال تُخزن بعيدًا عن الحرارة.",
              declaration_en="I declare that the products on sale are registered with the Food "
                             "and Drug Authority, and that flammable perfumes are stored away "
                             "from heat."),
    _activity("475901", "بيع الأدوات المنزلية", "Household goods", instant=True,
              zones=[COMMERCIAL], min_area="30", sample=10, subs=["signage_permit"], order=100,
              declaration_ar="أقر بأن البضائع لا تُعرض على الرصيف، وأن الأجهزة الكهربائية "
                             "المعروضة تحمل علامة المطابقة.",
              declaration_en="I declare that no goods are displayed on the pavement, and that "
                             "the electrical appliances on sale carry the conformity mark."),
    # Reviewed: food and health go through the longer health procedure and a shop inspection.
    _activity("561001", "مطعم", "Restaurant", instant=False, zones=[COMMERCIAL], min_area="40",
              variant="food", procedure=HEALTH_PROCEDURE, civil_defence=True, subs=ALL_SUBS,
              documents=[HEALTH_CERTIFICATES, KITCHEN_LAYOUT], order=110),
    _activity("563001", "مقهى", "Café", instant=False, zones=[COMMERCIAL], min_area="30",
              variant="food", procedure=HEALTH_PROCEDURE, civil_defence=True, subs=ALL_SUBS,
              documents=[HEALTH_CERTIFICATES], order=120),
    _activity("107101", "مخبز", "Bakery", instant=False, zones=[COMMERCIAL, INDUSTRIAL],
              min_area="50", variant="food", procedure=HEALTH_PROCEDURE, civil_defence=True,
              subs=["signage_permit", "extended_hours", "home_delivery"],
              documents=[HEALTH_CERTIFICATES, KITCHEN_LAYOUT], order=130),
    _activity("477201", "صيدلية", "Pharmacy", instant=False, zones=[COMMERCIAL, RES_B],
              min_area="40", variant="health", procedure=HEALTH_PROCEDURE,
              subs=["signage_permit", "extended_hours", "home_delivery"],
              documents=[_doc("pharmacist_licence", "ترخيص الصيدلي المسؤول",
                              "The responsible pharmacist's licence", PDF, 5,
                              DocumentSupplier.APPLICANT,
                              help_ar="ترخيص مزاولة المهنة من الهيئة السعودية للتخصصات الصحية",
                              help_en="The practising licence from the Saudi Commission for "
                                      "Health Specialties"),
                         _doc("moh_pharmacy_licence", "ترخيص وزارة الصحة للصيدلية",
                              "The Ministry of Health's pharmacy licence", PDF, 5,
                              DocumentSupplier.APPLICANT)], order=140),
    _activity("477401", "محل نظارات طبية", "Optician", instant=False, zones=[COMMERCIAL],
              min_area="25", variant="health", procedure=HEALTH_PROCEDURE,
              subs=["signage_permit"],
              documents=[_doc("optometrist_licence", "ترخيص أخصائي البصريات",
                              "The optometrist's practising licence", PDF, 5,
                              DocumentSupplier.APPLICANT)], order=150),
    _activity("960202", "مشغل تجميل نسائي", "Ladies' beauty salon", instant=False,
              zones=[COMMERCIAL], min_area="30", variant="health", procedure=HEALTH_PROCEDURE,
              subs=["signage_permit"], documents=[HEALTH_CERTIFICATES], order=160),
    # Reviewed on the standard procedure: workshops, heavy services and hazardous goods.
    _activity("452001", "ورشة صيانة سيارات", "Car repair workshop", instant=False,
              zones=[INDUSTRIAL], min_area="100", variant="services", civil_defence=True,
              subs=["signage_permit"],
              documents=[_doc("waste_oil_contract", "عقد تصريف الزيوت المستعملة",
                              "Contract for disposing of used oil", PDF, 5,
                              DocumentSupplier.APPLICANT)], order=170),
    _activity("452002", "مغسلة سيارات", "Car wash", instant=False,
              zones=[COMMERCIAL, INDUSTRIAL], min_area="150", variant="services",
              subs=["signage_permit", "extended_hours"], order=180),
    _activity("259201", "ورشة حدادة ولحام", "Metalwork and welding workshop", instant=False,
              zones=[INDUSTRIAL], min_area="80", variant="services", civil_defence=True,
              subs=["signage_permit"], order=190),
    _activity("477302", "بيع أسطوانات الغاز المنزلي", "Household gas cylinders",
              instant=False, zones=[INDUSTRIAL, COMMERCIAL], min_area="30", civil_defence=True,
              subs=["signage_permit", "home_delivery"], order=200),
    _activity("931101", "نادٍ رياضي (صالة لياقة)", "Gym", instant=False, zones=[COMMERCIAL],
              min_area="200", variant="services", civil_defence=True,
              subs=["signage_permit", "extended_hours"], order=210),
]
ACTIVITY_CODES = tuple(a["code"] for a in ACTIVITIES)

# --- Procedures ------------------------------------------------------------------------------


def licence_procedure() -> dict:
    """submitted → licensing review → shop inspection → decision → fees → issued."""
    data = LICENCE["procedure"]
    return permit_procedure(code=LICENCE_CODE, eservice=LICENCE_CODE, name_ar=data["name_ar"],
                            name_en=data["name_en"], review_department="licensing",
                            inspection=True, sla_hours=data["sla_hours"],
                            review_sla_hours=data["review_sla_hours"])


def licence_health_procedure() -> dict:
    """The licence's procedure with a health review between the licensing review and the shop
    inspection: food and health activities name it (Activity.procedure_code)."""
    procedure = licence_procedure()
    procedure.update(code=HEALTH_PROCEDURE, name_ar="رخصة محل تجاري – نشاط غذائي أو صحي",
                     name_en="Commercial shop licence – food or health activity",
                     sla_hours=procedure["sla_hours"] + 21)
    states = procedure["states"]
    at = next(i for i, s in enumerate(states) if s["code"] == "inspection")
    states.insert(at, _state("health_review", "المراجعة الصحية", "Health review", "in_review",
                             "licensing", sla=14, transfer=["inspection"]))
    transitions = procedure["transitions"]
    for move in transitions:
        if move["action"] == "send_to_inspection":
            move.update(action="send_to_health_review", name_ar="إحالة للمراجعة الصحية",
                        name_en="Send for health review", to="health_review")
    transitions += [
        _move("health_cleared", "اجتاز المراجعة الصحية", "Health review passed",
              "health_review", "inspection", ["reviewer", "head"]),
        _move("return_to_applicant", "طلب تصحيح من مقدم الطلب", "Request corrections",
              "health_review", "awaiting_applicant", ["clerk", "reviewer", "head"],
              comment=True, guards=["permit_correction_open"], effects=["notify_applicant"]),
        _move("reject", "رفض الطلب", "Reject", "health_review", "rejected", ["reviewer", "head"],
              comment=True, effects=["permit_rejected", "notify_applicant"]),
    ]
    return procedure


def sub_permit_procedure(data: dict) -> dict:
    procedure = data["procedure"]
    return permit_procedure(code=data["code"], eservice=data["code"],
                            name_ar=procedure["name_ar"], name_en=procedure["name_en"],
                            review_department="licensing", inspection=False,
                            sla_hours=procedure["sla_hours"],
                            review_sla_hours=procedure["review_sla_hours"])


def licence_procedures() -> list[dict]:
    return [licence_procedure(), licence_health_procedure(),
            *(sub_permit_procedure(data) for data in LICENCE_TYPES[1:])]


# --- Loading ---------------------------------------------------------------------------------


def licences_catalogue_load(*, log: Log) -> None:
    """Write the licensing catalogue; called inside catalogue_load's transaction, after the
    permit types (a second run writes nothing)."""
    checklist = _checklist_load(log)
    eservices = _eservices_load(log)
    types = _types_load(eservices, checklist, log)
    _fee_schedules_load(types, log)
    _activities_load(types, log)
    _procedures_load(log)


def _checklist_load(log: Log) -> Checklist:
    name_ar, name_en, questions = CHECKLIST
    checklist, outcome = _upsert(Checklist, {"code": CHECKLIST_CODE},
                                 {"name_ar": name_ar, "name_en": name_en})
    items = _Tally()
    for order, (code, text_ar, text_en, photo) in enumerate(questions, start=1):
        _, item = _upsert(ChecklistItem, {"checklist": checklist, "code": code},
                          {"order": order * 10, "text_ar": text_ar, "text_en": text_en,
                           "photo_required_on_no": photo})
        items[item] += 1
    log(f"licence checklist: {outcome}; items: {items}")
    return checklist


def _eservices_load(log: Log) -> dict[str, EService]:
    tally = _Tally()
    found = {}
    for code, (name_ar, name_en, description_ar, description_en, order, core) in \
            ESERVICES.items():
        if core:
            found[code], created = EService.objects.get_or_create(code=code, defaults={
                "owning_app": OwningApp.PERMITS, "name_ar": name_ar, "name_en": name_en,
                "description_ar": description_ar, "description_en": description_en,
                "display_order": order})
            tally["created" if created else "kept (core catalogue)"] += 1
            continue
        found[code], outcome = _upsert(EService, {"code": code}, {
            "owning_app": OwningApp.PERMITS, "name_ar": name_ar, "name_en": name_en,
            "description_ar": description_ar, "description_en": description_en,
            "display_order": order}, create_only={"url_name": ""})
        tally[outcome] += 1
    log(f"licence e-services: {tally}")
    return found


TYPE_PARTS = ("fields", "documents", "parties", "fees", "procedure", "code", "variants")


def _types_load(eservices, checklist: Checklist, log: Log) -> dict[str, PermitType]:
    types, fields, documents, parties, rules = (_Tally() for _ in range(5))
    found: dict[str, PermitType] = {}
    for data in LICENCE_TYPES:
        code = data["code"]
        values = {key: value for key, value in data.items() if key not in TYPE_PARTS}
        values.update(
            eservice=eservices[code], workflow_code=code, is_active=True,
            base_permit_type=found[data["base_permit_type"]] if data["base_permit_type"]
            else None,
            inspection_checklist=checklist if data["inspection_checklist"] else None,
            clearance_checklist=None, emergency_hours=24)
        permit_type, outcome = _upsert(PermitType, {"code": code}, values)
        types[outcome] += 1
        found[code] = permit_type
        type_parts_upsert(permit_type, data, fields=fields, documents=documents,
                          parties=parties, rules=rules)
    log(f"licence types: {types}; fields: {fields}; documents: {documents}; "
        f"parties: {parties}; fee rules: {rules}")
    return found


def licence_fee_schedules() -> list[dict]:
    """Every seeded schedule of the licensing types: code, stage, variant, class, kind, amount,
    minimum, unit — the standard tariff and each variant's repriced stages."""
    rows = []
    for data in LICENCE_TYPES:
        for stage, fee in data["fees"].items():
            for klass, amount in enumerate(fee["amounts"], start=1):
                minimum = fee.get("minimum")
                rows.append({"code": data["code"], "stage": stage, "variant": "",
                             "klass": klass, "kind": fee["kind"], "amount": Decimal(amount),
                             "minimum": Decimal(minimum[klass - 1]) if minimum else None,
                             "unit": fee.get("unit", ("", ""))})
        for variant, prices in data["variants"].items():
            for stage, amounts in prices.items():
                if stage == "minimum":
                    continue
                fee = data["fees"][stage]
                for klass, amount in enumerate(amounts, start=1):
                    rows.append({"code": data["code"], "stage": stage, "variant": variant,
                                 "klass": klass, "kind": fee["kind"], "amount": Decimal(amount),
                                 "minimum": Decimal(prices["minimum"][klass - 1]),
                                 "unit": fee.get("unit", ("", ""))})
    return rows


def _fee_schedules_load(types: dict[str, PermitType], log: Log) -> None:
    tally = _Tally()
    by_code = {data["code"]: data for data in LICENCE_TYPES}
    eservice_ids = [t.eservice_id for t in types.values()]
    priced = set(FeeSchedule.objects.filter(eservice_id__in=eservice_ids).values_list(
        "eservice_id", "component", "variant", "municipality_class"))
    for row in licence_fee_schedules():
        eservice = types[row["code"]].eservice
        if (eservice.pk, row["stage"], row["variant"], row["klass"]) in priced:
            tally["kept"] += 1
            continue
        data = by_code[row["code"]]
        stage_ar, stage_en = LICENCE_STAGE_NAMES[row["stage"]]
        name_ar, name_en = f"{stage_ar} – {data['name_ar']}", f"{data['name_en']}: {stage_en}"
        if row["variant"]:
            name_en = f"{name_en} ({row['variant']} tariff)"
        unit_ar, unit_en = row["unit"]
        fee_schedule_create(
            eservice=eservice, municipality_class=row["klass"], kind=row["kind"],
            amount=row["amount"], minimum=row["minimum"], effective_from=SCHEDULES_FROM,
            unit_ar=unit_ar, unit_en=unit_en, name_ar=name_ar, name_en=name_en,
            component=row["stage"], variant=row["variant"])
        tally["created"] += 1
    log(f"licence fee schedules: {tally}")


def _activities_load(types: dict[str, PermitType], log: Log) -> None:
    activities, documents, links = _Tally(), _Tally(), _Tally()
    for data in ACTIVITIES:
        values = {key: value for key, value in data.items()
                  if key not in ("code", "sub_permits", "documents")}
        # An activity without a declaration of its own (a reviewed one) signs nothing.
        activity, outcome = _upsert(Activity, {"code": data["code"]},
                                    {**values, "is_active": True})
        activities[outcome] += 1
        wanted = {types[code].pk for code in data["sub_permits"]}
        have = set(activity.sub_permit_types.values_list("pk", flat=True))
        if wanted != have:
            activity.sub_permit_types.set(wanted)
            links["updated"] += 1
        else:
            links["unchanged"] += 1
        for order, document in enumerate(data["documents"], start=1):
            wanted_doc = copy.deepcopy(document)
            kind = wanted_doc.pop("kind")
            wanted_doc.pop("supplied_by")
            _, doc_outcome = _upsert(ActivityDocument, {"activity": activity, "kind": kind},
                                     {**wanted_doc, "order": order * 10})
            documents[doc_outcome] += 1
    log(f"activities: {activities}; their documents: {documents}; sub-permit lists: {links}")


def _procedures_load(log: Log) -> None:
    amanah = Municipality.objects.filter(kind=MunicipalityKind.AMANAH).order_by("id").first()
    if amanah is None:
        log("licence procedures: no Amanah to publish them for; skipped")
        return
    # The Amanah's departments own the procedures' states; a deployment (or a test world)
    # without a licensing department cannot publish them yet, and the load goes on without.
    missing = {"licensing", "inspection"} - set(
        Department.objects.filter(municipality=amanah).values_list("code", flat=True))
    if missing:
        log(f"licence procedures @ {amanah.code}: skipped (no department "
            f"{', '.join(sorted(missing))})")
        return
    procedures = licence_procedures()
    published = set(DefinitionVersion.objects.filter(
        definition__municipality=amanah,
        definition__code__in=[p["code"] for p in procedures],
        status=VersionStatus.PUBLISHED).values_list("definition__code", flat=True))
    tally = _Tally()
    for procedure in procedures:
        if procedure["code"] in published:
            tally["kept"] += 1
            continue
        definition_import(data=procedure, municipality=amanah, publish=True)
        tally["published"] += 1
    log(f"licence procedures @ {amanah.code}: {tally}")


__all__ = ["ACTIVITIES", "ACTIVITY_CODES", "LICENCE_TYPES", "LICENCE_TYPE_CODES", "MB",
           "licence_fee_schedules", "licence_procedures", "licences_catalogue_load"]
