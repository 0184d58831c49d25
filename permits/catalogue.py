"""The seeded permit catalogue: six permit types of a Saudi municipality, as plain data.

For each type: its e-service, service card, form fields, documents, parties, fee stages with
their fee schedules per municipality class (1 the largest cities … 5 the smallest), validity and
renewal windows, prerequisites, checklists, number prefix and the procedure its cases follow.
Also the planning zones' limits and the districts (with bounding boxes) of the demo branches.

`catalogue_load(log=…)` writes it: every row is found by its natural key and written only when
it differs, so a second run writes nothing (not even history). Rows an admin added (another
field, another document) are left alone. Two things are written once and never again, because
changing them in place would rewrite what is already in force:
- a fee schedule is created only when the e-service has none for that class and stage (admins
  reprice by adding a period, not by editing the seed's);
- a procedure is published for the Amanah only when it has no published version of it yet
  (every branch inherits the Amanah's, see workflow.services.definitions).
Where a type is offered (its e-service's rollout) is the deployment's choice: the demo sets it.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from amanah.demo import _upsert
from amanah.enums import MunicipalityKind, OwningApp
from amanah.models import EService, Municipality
from payments.enums import FeeRuleKind
from payments.models import FeeSchedule
from payments.services.fees import fee_schedule_create
from workflow.enums import VersionStatus
from workflow.models import DefinitionVersion
from workflow.services.definitions import definition_import

from .enums import (
    DocumentSupplier,
    FeeStage,
    FieldKind,
    FiledBy,
    InspectionPurpose,
    PartyRole,
)
from .models import (
    Checklist,
    ChecklistItem,
    District,
    PermitFeeRule,
    PermitType,
    PermitTypeDocument,
    PermitTypeField,
    PermitTypeParty,
    ZoneRule,
)
from .procedures import objection_procedure, permit_procedure

Log = Callable[[str], None]

# The day the seeded fee schedules start; a fixed date, so a re-run never writes them again.
SCHEDULES_FROM = dt.date(2026, 1, 1)

PDF = ["application/pdf"]
PHOTO = ["image/jpeg", "image/png"]
PDF_OR_PHOTO = [*PDF, *PHOTO]
MB = 1024 * 1024

# A route is one "latitude,longitude" pair per line, at least two points (start and end).
_POINT = r"-?\d{1,2}(\.\d{1,7})?\s*,\s*-?\d{1,3}(\.\d{1,7})?"
ROUTE_PATTERN = rf"\s*{_POINT}(\s*\r?\n\s*{_POINT})+\s*"

# --- Places ---------------------------------------------------------------------------------

# zone, Arabic, English, max floors, max coverage %, min front / side / rear setback (m).
# One set for every municipality (municipality empty); a municipality may add its own rows.
ZONES = [
    ("res-a", "سكني (أ) – فلل", "Residential A – villas", 3, "60.00", "4.00", "2.00", "2.00"),
    ("res-b", "سكني (ب) – شقق", "Residential B – apartments", 4, "65.00", "5.00", "2.00",
     "3.00"),
    ("commercial", "تجاري", "Commercial", 6, "75.00", "6.00", "0.00", "3.00"),
    ("industrial", "صناعي", "Industrial", 2, "70.00", "10.00", "5.00", "5.00"),
]

# municipality code → districts: code, Arabic, English, south, north, west, east (degrees).
# Boxes of one municipality never overlap, so a point falls in at most one district.
DISTRICTS = {
    "KHB": [
        ("aqrabiyah", "حي العقربية", "Al Aqrabiyah", "26.285000", "26.305000", "50.195000",
         "50.215000"),
        ("olaya", "حي العليا", "Al Olaya", "26.250000", "26.280000", "50.170000", "50.195000"),
        ("thuqbah", "حي الثقبة", "Al Thuqbah", "26.255000", "26.284000", "50.196000",
         "50.220000"),
        ("rakah", "حي الراكة الشمالية", "North Al Rakah", "26.310000", "26.345000", "50.150000",
         "50.190000"),
    ],
    "DMM": [
        ("faisaliyah", "حي الفيصلية", "Al Faisaliyah", "26.390000", "26.415000", "50.060000",
         "50.090000"),
        ("adamah", "حي العدامة", "Al Adamah", "26.420000", "26.438000", "50.095000",
         "50.120000"),
        ("shati", "حي الشاطئ الغربي", "West Al Shati", "26.440000", "26.470000", "50.100000",
         "50.140000"),
        ("manar", "حي المنار", "Al Manar", "26.380000", "26.399000", "50.095000", "50.130000"),
    ],
    "QTF": [
        ("qalaa", "حي القلعة", "Al Qalaa", "26.555000", "26.570000", "49.995000", "50.010000"),
        ("nasirah", "حي الناصرة", "Al Nasirah", "26.540000", "26.554000", "49.990000",
         "50.010000"),
    ],
    "JBL": [
        ("dafi", "حي الدفي", "Al Dafi", "27.000000", "27.020000", "49.620000", "49.650000"),
        ("jalmudah", "حي الجلمودة", "Al Jalmudah", "26.975000", "26.995000", "49.600000",
         "49.640000"),
    ],
}

# --- Checklists -----------------------------------------------------------------------------

# code → (Arabic, English, items: (code, question in Arabic, in English, photo when "no")).
CHECKLISTS = {
    "building-site": ("كشف موقع البناء قبل الترخيص", "Building site inspection before the permit", [
        ("deed_match", "الموقع مطابق لبيانات الصك والمخطط التنظيمي",
         "The site matches the deed and the approved subdivision plan", True),
        ("boundaries", "حدود القطعة وأركانها محددة على الطبيعة",
         "The parcel's corners and boundaries are marked on the ground", True),
        ("street_width", "عرض الشارع المحاذي مطابق للمخطط", "The adjoining street is as wide as "
         "the plan says", False),
        ("setbacks_fit", "الارتدادات المقترحة ممكنة على الطبيعة",
         "The proposed setbacks fit on the ground", True),
        ("no_encroachment", "لا تعديات على الشارع أو أملاك الجوار",
         "No encroachment on the street or the neighbours' land", True),
        ("no_structures", "لا توجد منشآت قائمة تخالف المخططات المقدمة",
         "No existing structure conflicts with the submitted plans", True),
        ("utilities_clear", "لا تعارض مع خطوط الكهرباء والمياه والصرف",
         "No conflict with power, water or sewer lines", True),
        ("site_safe", "الموقع آمن وخالٍ من المخلفات", "The site is safe and clear of debris", False),
    ]),
    "demolition-site": ("كشف موقع الهدم", "Demolition site inspection", [
        ("building_empty", "المبنى خالٍ من السكان والمحتويات",
         "The building is empty of occupants and contents", True),
        ("utilities_cut", "فُصلت الكهرباء والمياه والغاز عن المبنى",
         "Power, water and gas are disconnected", True),
        ("hoarding", "سياج مؤقت يحيط بالموقع", "Temporary hoarding surrounds the site", True),
        ("neighbours", "المباني المجاورة محمية من أثر الهدم",
         "Neighbouring buildings are protected", True),
        ("signs", "لوحات التحذير والإرشاد مثبتة", "Warning signs are posted", False),
        ("structure", "حالة الهيكل مطابقة للتقرير الإنشائي",
         "The structure's condition matches the structural report", True),
        ("debris_plan", "تُنقل المخلفات إلى مرمى معتمد", "Debris goes to a licensed dump", False),
    ]),
    "occupancy-compliance": ("زيارة مطابقة المبنى لإصدار شهادة الإشغال",
                             "Compliance visit for the occupancy certificate", [
        ("as_permitted", "البناء مطابق للمخططات المعتمدة في الرخصة",
         "The building matches the permit's approved plans", True),
        ("floors", "عدد الأدوار مطابق للرخصة", "The number of floors matches the permit", True),
        ("setbacks", "الارتدادات مطابقة للرخصة", "The setbacks are as permitted", True),
        ("parking", "مواقف السيارات متوفرة حسب الاشتراطات",
         "Parking is provided as required", True),
        ("fire_safety", "أنظمة الإنذار والإطفاء مركبة وتعمل",
         "Fire alarm and extinguishing systems are installed and work", True),
        ("accessibility", "المداخل مهيأة لذوي الإعاقة", "Entrances are accessible", False),
        ("facades", "الواجهات مكتملة ومطابقة للمعتمد", "Facades are finished as approved", True),
        ("meters", "عدادات الكهرباء والمياه مركبة", "Power and water meters are installed",
         False),
        ("site_cleared", "أُزيلت مخلفات البناء وأُعيد الرصيف",
         "Building debris is removed and the pavement restored", True),
    ]),
    "excavation-reinstatement": ("كشف إعادة الوضع بعد الحفر (شهادة المخالصة)",
                                 "Reinstatement inspection after digging (clearance)", [
        ("route", "مسار الحفر مطابق للتصريح", "The dug route matches the permit", True),
        ("backfill", "الردم مدكوك على طبقات", "The trench is backfilled and compacted in layers",
         True),
        ("asphalt", "أعيدت السفلتة بنفس المواصفات", "The asphalt is reinstated to the road's "
         "specification", True),
        ("level", "سطح الإعادة مستوٍ مع الطريق", "The reinstated surface is level with the road",
         True),
        ("kerbs", "الأرصفة والبردورات معادة كما كانت", "Kerbs and pavement are restored", True),
        ("markings", "الدهانات والعلامات الأرضية معادة", "Road markings are restored", False),
        ("barriers", "أُزيلت الحواجز واللوحات المؤقتة", "Temporary barriers and signs are removed",
         False),
        ("clean", "الموقع نظيف من المخلفات والمعدات", "The site is clear of debris and equipment",
         True),
    ]),
}

# --- Permit types ---------------------------------------------------------------------------


def _field(key, step, kind, label_ar, label_en, **extra) -> dict:
    return {"key": key, "step": step, "kind": kind, "label_ar": label_ar, "label_en": label_en,
            **extra}


def _doc(kind, name_ar, name_en, content_types, max_mb, supplied_by, *, required=True,
         help_ar="", help_en="") -> dict:
    return {"kind": kind, "name_ar": name_ar, "name_en": name_en,
            "content_types": list(content_types), "max_bytes": max_mb * MB,
            "supplied_by": supplied_by, "required": required, "help_ar": help_ar,
            "help_en": help_en}


def _fixed(*amounts) -> dict:
    """A fixed fee per municipality class 1…5."""
    return {"kind": FeeRuleKind.FIXED, "amounts": amounts}


def _rate(*amounts, minimum, unit, quantity_field) -> dict:
    """A rate per unit per class 1…5, with a minimum per class; the quantity is an answer."""
    return {"kind": FeeRuleKind.RATE, "amounts": amounts, "minimum": minimum, "unit": unit,
            "quantity_field": quantity_field}


M2 = ("م²", "m²")
METRE = ("م", "m")
YES_NO_HINT_EMPTY = ("يجب إخلاء المبنى قبل طلب الهدم.", "The building must be empty before "
                     "demolition is requested.")

SETBACK_FIELDS = [
    _field("front_setback_m", 2, FieldKind.DECIMAL, "الارتداد الأمامي", "Front setback",
           min_value=0, max_value=50, unit_ar="م", unit_en="m"),
    _field("side_setback_m", 2, FieldKind.DECIMAL, "الارتداد الجانبي", "Side setback",
           min_value=0, max_value=50, unit_ar="م", unit_en="m"),
    _field("rear_setback_m", 2, FieldKind.DECIMAL, "الارتداد الخلفي", "Rear setback",
           min_value=0, max_value=50, unit_ar="م", unit_en="m"),
]
USE_CHOICES = [{"value": "residential", "ar": "سكني", "en": "Residential"},
               {"value": "commercial", "ar": "تجاري", "en": "Commercial"},
               {"value": "mixed", "ar": "سكني تجاري", "en": "Residential and commercial"}]

BUILDING = {
    "code": "building_permit", "display_order": 10,
    "name_ar": "رخصة بناء جديدة", "name_en": "New building permit",
    "description_ar": "إصدار رخصة لإنشاء مبنى جديد على أرض مملوكة بصك، يتقدم بها مكتب هندسي "
                      "معتمد نيابةً عن المالك بعد موافقته، وتشمل المراجعة الهندسية ومطابقة "
                      "اشتراطات المنطقة والكشف على الموقع.",
    "description_en": "A permit to put up a new building on land held by a title deed. A "
                      "licensed engineering office applies for the owner, who consents online; "
                      "the plans are reviewed against the zone's limits and the site is "
                      "inspected.",
    "requirements_ar": "صك ملكية ساري باسم المالك\nمخططات معمارية وإنشائية من مكتب هندسي "
                       "معتمد\nتقرير فحص التربة للمباني من ثلاثة أدوار فأكثر\nعدم وجود مخالفات "
                       "غير مسددة على المالك أو الأرض",
    "requirements_en": "A valid title deed in the owner's name\nArchitectural and structural "
                       "plans by a licensed engineering office\nA soil report for buildings of "
                       "three floors or more\nNo unpaid fines on the owner or the land",
    "expected_days": 15, "validity_months": 36, "renewal_window_days": 90,
    "late_renewal_days": 180, "number_prefix": "BP", "filed_by": FiledBy.DESIGN_OFFICE,
    "owner_consent_required": True, "base_permit_type": None, "plan_check": True,
    "inspection_checklist": "building-site", "inspection_purpose": InspectionPurpose.SITE,
    "emergency_allowed": False, "clearance_checklist": None,
    "prerequisites": ["no_unpaid_fines"],
    "fields": [
        _field("use", 1, FieldKind.CHOICE, "استخدام المبنى", "Use of the building",
               choices=USE_CHOICES, is_detail=True),
        _field("floors", 1, FieldKind.INTEGER, "عدد الأدوار", "Number of floors", min_value=1,
               max_value=30, is_detail=True,
               help_ar="دون احتساب الملحق العلوي والقبو", help_en="Not counting the roof annex "
               "or the basement"),
        _field("built_area_m2", 1, FieldKind.DECIMAL, "إجمالي مسطحات البناء",
               "Total built-up area", min_value=1, max_value=100000, unit_ar="م²",
               unit_en="m²", is_detail=True,
               help_ar="مجموع مساحات جميع الأدوار؛ تُحسب عليه رسوم الإصدار",
               help_en="All floors added up; the issuance fee is charged on it"),
        _field("footprint_m2", 1, FieldKind.DECIMAL, "مساحة الدور الأرضي",
               "Ground floor footprint", min_value=1, max_value=100000, unit_ar="م²",
               unit_en="m²"),
        _field("shop_count", 1, FieldKind.INTEGER, "عدد المحلات التجارية", "Number of shops",
               min_value=1, max_value=200, shown_when={"field": "use",
                                                       "in": ["commercial", "mixed"]},
               is_detail=True),
        _field("basement", 1, FieldKind.BOOLEAN, "يوجد قبو", "There is a basement",
               required=False),
        *SETBACK_FIELDS,
        _field("notes", 2, FieldKind.TEXTAREA, "ملاحظات المكتب الهندسي",
               "Notes from the engineering office", required=False, max_length=1000),
    ],
    "documents": [
        _doc("architectural_plans", "المخططات المعمارية", "Architectural plans", PDF, 20,
             DocumentSupplier.OFFICE),
        _doc("structural_plans", "المخططات الإنشائية", "Structural plans", PDF, 20,
             DocumentSupplier.OFFICE),
        _doc("survey_report", "تقرير الرفع المساحي", "Land survey report", PDF, 10,
             DocumentSupplier.OFFICE),
        _doc("soil_report", "تقرير فحص التربة", "Soil report", PDF, 10,
             DocumentSupplier.OFFICE, required=False,
             help_ar="مطلوب للمباني من ثلاثة أدوار فأكثر",
             help_en="Required for buildings of three floors or more"),
        _doc("site_photo", "صورة حديثة للموقع", "A recent photo of the site", PHOTO, 5,
             DocumentSupplier.APPLICANT, required=False),
    ],
    "parties": [(PartyRole.OWNER, True), (PartyRole.DESIGN_OFFICE, True),
                (PartyRole.SUPERVISING_OFFICE, False), (PartyRole.CONTRACTOR, False),
                (PartyRole.AGENT, False)],
    "fees": {
        FeeStage.APPLICATION: _fixed("300", "250", "200", "150", "100"),
        FeeStage.ISSUANCE: _rate("3.00", "2.50", "2.00", "1.50", "1.00",
                                 minimum=("500", "500", "400", "300", "200"), unit=M2,
                                 quantity_field="built_area_m2"),
        FeeStage.RENEWAL: _fixed("500", "400", "300", "200", "150"),
        FeeStage.LATE_RENEWAL: _fixed("1000", "800", "600", "400", "300"),
        FeeStage.AMENDMENT: _fixed("400", "300", "250", "200", "150"),
        FeeStage.REPLACEMENT: _fixed("100", "100", "75", "50", "50"),
    },
    "procedure": {"name_ar": "رخصة بناء جديدة", "name_en": "New building permit",
                  "inspection": True, "sla_hours": 105, "review_sla_hours": 35},
}

ADDITION = {
    "code": "building_addition", "display_order": 20,
    "name_ar": "رخصة إضافة أو ترميم", "name_en": "Addition or renovation permit",
    "description_ar": "إضافة دور أو ملحق أو توسعة لمبنى قائم برخصة بناء سارية، أو ترميمه "
                      "ترميمًا إنشائيًا، بطلب من مكتب هندسي معتمد وموافقة المالك.",
    "description_en": "Add a floor, an annex or an extension to a building that has a valid "
                      "building permit, or renovate its structure. Filed by a licensed "
                      "engineering office with the owner's consent.",
    "requirements_ar": "رخصة بناء سارية للمبنى\nتقرير سلامة إنشائية للمبنى القائم\nمخططات "
                       "الإضافة من مكتب هندسي معتمد\nعدم وجود مخالفات غير مسددة",
    "requirements_en": "A valid building permit for the building\nA structural safety report "
                       "on the existing building\nPlans of the addition by a licensed "
                       "engineering office\nNo unpaid fines",
    "expected_days": 10, "validity_months": 24, "renewal_window_days": 60,
    "late_renewal_days": 120, "number_prefix": "BA", "filed_by": FiledBy.DESIGN_OFFICE,
    "owner_consent_required": True, "base_permit_type": "building_permit", "plan_check": True,
    "inspection_checklist": "building-site", "inspection_purpose": InspectionPurpose.SITE,
    "emergency_allowed": False, "clearance_checklist": None,
    "prerequisites": ["no_unpaid_fines", "base_permit_valid"],
    "fields": [
        _field("works", 1, FieldKind.CHOICE, "نوع الأعمال", "Kind of works",
               choices=[{"value": "floor", "ar": "إضافة دور", "en": "An added floor"},
                        {"value": "annex", "ar": "ملحق علوي أو أرضي", "en": "An annex"},
                        {"value": "extension", "ar": "توسعة أفقية", "en": "An extension"},
                        {"value": "renovation", "ar": "ترميم إنشائي",
                         "en": "Structural renovation"}],
               is_detail=True),
        _field("added_area_m2", 1, FieldKind.DECIMAL, "المسطحات المضافة أو المرممة",
               "Area added or renovated", min_value=1, max_value=50000, unit_ar="م²",
               unit_en="m²", is_detail=True,
               help_ar="تُحسب عليها رسوم الإصدار", help_en="The issuance fee is charged on it"),
        _field("floors", 1, FieldKind.INTEGER, "عدد الأدوار بعد الإضافة",
               "Floors after the works", min_value=1, max_value=30, is_detail=True),
        _field("footprint_m2", 1, FieldKind.DECIMAL, "مساحة الدور الأرضي بعد الإضافة",
               "Ground floor footprint after the works", min_value=1, max_value=100000,
               unit_ar="م²", unit_en="m²"),
        *SETBACK_FIELDS,
        _field("description", 2, FieldKind.TEXTAREA, "وصف الأعمال", "Description of the works",
               max_length=1000),
    ],
    "documents": [
        _doc("architectural_plans", "مخططات الإضافة المعمارية", "Architectural plans of the "
             "addition", PDF, 20, DocumentSupplier.OFFICE),
        _doc("structural_safety_report", "تقرير السلامة الإنشائية للمبنى القائم",
             "Structural safety report on the existing building", PDF, 10,
             DocumentSupplier.OFFICE),
        _doc("building_photos", "صور المبنى القائم", "Photos of the existing building", PHOTO,
             5, DocumentSupplier.APPLICANT),
    ],
    "parties": [(PartyRole.OWNER, True), (PartyRole.DESIGN_OFFICE, True),
                (PartyRole.SUPERVISING_OFFICE, False), (PartyRole.CONTRACTOR, False),
                (PartyRole.AGENT, False)],
    "fees": {
        FeeStage.APPLICATION: _fixed("200", "150", "120", "100", "80"),
        FeeStage.ISSUANCE: _rate("3.00", "2.50", "2.00", "1.50", "1.00",
                                 minimum=("300", "300", "250", "200", "150"), unit=M2,
                                 quantity_field="added_area_m2"),
        FeeStage.RENEWAL: _fixed("300", "250", "200", "150", "100"),
        FeeStage.LATE_RENEWAL: _fixed("600", "500", "400", "300", "200"),
        FeeStage.AMENDMENT: _fixed("300", "250", "200", "150", "100"),
        FeeStage.REPLACEMENT: _fixed("100", "100", "75", "50", "50"),
    },
    "procedure": {"name_ar": "رخصة إضافة أو ترميم", "name_en": "Addition or renovation permit",
                  "inspection": True, "sla_hours": 70, "review_sla_hours": 28},
}

DEMOLITION = {
    "code": "demolition_permit", "display_order": 30,
    "name_ar": "رخصة هدم", "name_en": "Demolition permit",
    "description_ar": "هدم مبنى قائم كليًا بعد إخلائه، بطلب من مكتب هندسي معتمد يقدّم تقريرًا "
                      "إنشائيًا وخطة هدم، ومقاول ينفذ الأعمال.",
    "description_en": "Pull down an existing building once it is empty. A licensed engineering "
                      "office supplies a structural report and a demolition plan, and a "
                      "contractor does the work.",
    "requirements_ar": "صك ملكية ساري\nإقرار بأن المبنى خالٍ من السكان\nتقرير إنشائي وخطة هدم "
                       "من مكتب هندسي معتمد\nمقاول مسجل لتنفيذ الهدم",
    "requirements_en": "A valid title deed\nA declaration that the building is empty\nA "
                       "structural report and demolition plan by a licensed engineering "
                       "office\nA registered contractor to do the work",
    "expected_days": 7, "validity_months": 6, "renewal_window_days": 30,
    "late_renewal_days": 30, "number_prefix": "DM", "filed_by": FiledBy.DESIGN_OFFICE,
    "owner_consent_required": True, "base_permit_type": None, "plan_check": False,
    "inspection_checklist": "demolition-site", "inspection_purpose": InspectionPurpose.SITE,
    "emergency_allowed": False, "clearance_checklist": None,
    "prerequisites": ["no_unpaid_fines"],
    "fields": [
        _field("building_is_empty", 1, FieldKind.BOOLEAN, "المبنى خالٍ من السكان والمحتويات",
               "The building is empty of occupants and contents",
               help_ar=YES_NO_HINT_EMPTY[0], help_en=YES_NO_HINT_EMPTY[1]),
        _field("floors", 1, FieldKind.INTEGER, "عدد أدوار المبنى", "Floors of the building",
               min_value=1, max_value=30, is_detail=True),
        _field("built_area_m2", 1, FieldKind.DECIMAL, "مسطحات المبنى", "Built-up area",
               min_value=1, max_value=100000, unit_ar="م²", unit_en="m²", is_detail=True),
        _field("structure", 1, FieldKind.CHOICE, "نوع الهيكل", "Structure",
               choices=[{"value": "concrete", "ar": "خرساني", "en": "Reinforced concrete"},
                        {"value": "steel", "ar": "حديدي", "en": "Steel"},
                        {"value": "masonry", "ar": "بلوك وحوائط حاملة",
                         "en": "Load-bearing masonry"}]),
        _field("method", 1, FieldKind.CHOICE, "طريقة الهدم", "Method",
               choices=[{"value": "mechanical", "ar": "آلي", "en": "Mechanical"},
                        {"value": "manual", "ar": "يدوي", "en": "By hand"}], is_detail=True),
        _field("duration_days", 1, FieldKind.INTEGER, "المدة المتوقعة للهدم",
               "Expected duration", min_value=1, max_value=180, unit_ar="يوم",
               unit_en="days"),
    ],
    "documents": [
        _doc("structural_report", "التقرير الإنشائي", "Structural report", PDF, 10,
             DocumentSupplier.OFFICE),
        _doc("demolition_plan", "خطة الهدم والسلامة", "Demolition and safety plan", PDF, 10,
             DocumentSupplier.OFFICE),
        _doc("building_photos", "صور المبنى من جميع الجهات", "Photos of every side of the "
             "building", PHOTO, 5, DocumentSupplier.APPLICANT),
        _doc("utilities_letter", "إفادة فصل الخدمات", "Letter confirming the utilities are "
             "cut off", PDF, 5, DocumentSupplier.APPLICANT, required=False),
    ],
    "parties": [(PartyRole.OWNER, True), (PartyRole.DESIGN_OFFICE, True),
                (PartyRole.CONTRACTOR, True), (PartyRole.AGENT, False)],
    "fees": {
        FeeStage.APPLICATION: _fixed("200", "150", "120", "100", "80"),
        FeeStage.ISSUANCE: _fixed("1000", "800", "600", "400", "300"),
        FeeStage.RENEWAL: _fixed("300", "250", "200", "150", "100"),
        FeeStage.LATE_RENEWAL: _fixed("500", "400", "300", "200", "150"),
        FeeStage.REPLACEMENT: _fixed("100", "100", "75", "50", "50"),
    },
    "procedure": {"name_ar": "رخصة هدم", "name_en": "Demolition permit", "inspection": True,
                  "sla_hours": 49, "review_sla_hours": 21},
}

FENCE = {
    "code": "fence_permit", "display_order": 40,
    "name_ar": "رخصة تسوير أرض", "name_en": "Fence permit",
    "description_ar": "تسوير أرض فضاء أو مبنى بسور لا يتجاوز الارتفاع المسموح، يتقدم به المالك "
                      "مباشرة دون الحاجة لمكتب هندسي.",
    "description_en": "Put a boundary wall around an empty plot or a building, no higher than "
                      "allowed. The owner applies directly; no engineering office is needed.",
    "requirements_ar": "صك ملكية ساري باسم المالك\nكروكي يوضح مسار السور وأطواله\nعدم وجود "
                       "مخالفات غير مسددة",
    "requirements_en": "A valid title deed in the owner's name\nA sketch of the wall's line and "
                       "lengths\nNo unpaid fines",
    "expected_days": 3, "validity_months": 12, "renewal_window_days": 30,
    "late_renewal_days": 60, "number_prefix": "FN", "filed_by": FiledBy.OWNER,
    "owner_consent_required": False, "base_permit_type": None, "plan_check": False,
    "inspection_checklist": None, "inspection_purpose": InspectionPurpose.SITE,
    "emergency_allowed": False, "clearance_checklist": None,
    "prerequisites": ["no_unpaid_fines"],
    "fields": [
        _field("length_m", 1, FieldKind.DECIMAL, "طول السور", "Length of the wall",
               min_value=1, max_value=2000, unit_ar="م", unit_en="m", is_detail=True),
        _field("height_m", 1, FieldKind.DECIMAL, "ارتفاع السور", "Height of the wall",
               min_value="0.5", max_value=3, unit_ar="م", unit_en="m", is_detail=True,
               help_ar="الحد الأقصى ٣ أمتار", help_en="At most 3 metres"),
        _field("material", 1, FieldKind.CHOICE, "مادة السور", "Material",
               choices=[{"value": "block", "ar": "بلوك", "en": "Concrete block"},
                        {"value": "precast", "ar": "خرسانة مسبقة الصب", "en": "Precast concrete"},
                        {"value": "metal", "ar": "شبك أو ألواح معدنية", "en": "Metal mesh or "
                         "sheets"}], is_detail=True),
        _field("notes", 1, FieldKind.TEXTAREA, "ملاحظات", "Notes", required=False,
               max_length=500),
    ],
    "documents": [
        _doc("site_sketch", "كروكي مسار السور", "Sketch of the wall's line", PDF_OR_PHOTO, 5,
             DocumentSupplier.APPLICANT),
        _doc("site_photo", "صورة حديثة للأرض", "A recent photo of the plot", PHOTO, 5,
             DocumentSupplier.APPLICANT),
    ],
    "parties": [(PartyRole.OWNER, True), (PartyRole.AGENT, False)],
    "fees": {
        FeeStage.ISSUANCE: _fixed("200", "150", "100", "100", "50"),
        FeeStage.RENEWAL: _fixed("100", "100", "75", "50", "50"),
        FeeStage.LATE_RENEWAL: _fixed("200", "150", "100", "100", "50"),
        FeeStage.REPLACEMENT: _fixed("50", "50", "50", "30", "30"),
    },
    "procedure": {"name_ar": "رخصة تسوير", "name_en": "Fence permit", "inspection": False,
                  "sla_hours": 21, "review_sla_hours": 14},
}

OCCUPANCY = {
    "code": "occupancy_certificate", "display_order": 50,
    "name_ar": "شهادة إتمام البناء (الإشغال)", "name_en": "Building compliance (occupancy) "
                                                           "certificate",
    "description_ar": "شهادة بأن المبنى أُنشئ مطابقًا لرخصة البناء وصالح للإشغال، تصدر بعد زيارة "
                      "مطابقة يحجز موعدها مقدم الطلب، ولا تنتهي صلاحيتها.",
    "description_en": "Certifies that a building was built as its building permit allows and "
                      "may be occupied. Issued after a compliance visit the applicant books; it "
                      "does not expire.",
    "requirements_ar": "رخصة بناء للمبنى\nتقرير إنجاز من المكتب الهندسي المشرف\nشهادة الدفاع "
                       "المدني للمباني التجارية\nعدم وجود مخالفات غير مسددة",
    "requirements_en": "The building's building permit\nA completion report by the supervising "
                       "engineering office\nA civil defence certificate for commercial "
                       "buildings\nNo unpaid fines",
    "expected_days": 10, "validity_months": 0, "renewal_window_days": 0, "late_renewal_days": 0,
    "number_prefix": "OC", "filed_by": FiledBy.OWNER, "owner_consent_required": False,
    "base_permit_type": "building_permit", "plan_check": False,
    "inspection_checklist": "occupancy-compliance",
    "inspection_purpose": InspectionPurpose.COMPLIANCE, "emergency_allowed": False,
    "clearance_checklist": None, "prerequisites": ["no_unpaid_fines"],
    "fields": [
        _field("completion_date", 1, FieldKind.DATE, "تاريخ إتمام البناء", "Date the works "
               "were completed", is_detail=True),
        _field("floors", 1, FieldKind.INTEGER, "عدد الأدوار المنفذة", "Floors built",
               min_value=1, max_value=30, is_detail=True),
        _field("built_area_m2", 1, FieldKind.DECIMAL, "المسطحات المنفذة", "Built-up area",
               min_value=1, max_value=100000, unit_ar="م²", unit_en="m²", is_detail=True),
        _field("units", 1, FieldKind.INTEGER, "عدد الوحدات", "Number of units", min_value=1,
               max_value=500, is_detail=True),
        _field("civil_defence_number", 1, FieldKind.TEXT, "رقم شهادة الدفاع المدني",
               "Civil defence certificate number", required=False, max_length=20,
               pattern=r"[0-9]{6,12}", help_ar="للمباني التجارية", help_en="For commercial "
               "buildings"),
    ],
    "documents": [
        _doc("completion_report", "تقرير الإنجاز من المكتب المشرف", "Completion report by "
             "the supervising office", PDF, 10, DocumentSupplier.OFFICE),
        _doc("as_built_plans", "المخططات كما نُفذت", "As-built plans", PDF, 20,
             DocumentSupplier.OFFICE),
        _doc("civil_defence_certificate", "شهادة الدفاع المدني", "Civil defence certificate",
             PDF, 5, DocumentSupplier.APPLICANT, required=False),
        _doc("building_photos", "صور المبنى المنجز", "Photos of the finished building", PHOTO,
             5, DocumentSupplier.APPLICANT),
    ],
    "parties": [(PartyRole.OWNER, True), (PartyRole.SUPERVISING_OFFICE, True),
                (PartyRole.AGENT, False)],
    "fees": {
        FeeStage.APPLICATION: _fixed("300", "250", "200", "150", "100"),
        FeeStage.ISSUANCE: _fixed("1000", "800", "600", "400", "300"),
        FeeStage.REPLACEMENT: _fixed("100", "100", "75", "50", "50"),
    },
    "procedure": {"name_ar": "شهادة إتمام البناء", "name_en": "Occupancy certificate",
                  "inspection": True, "sla_hours": 70, "review_sla_hours": 21},
}

EXCAVATION = {
    "code": "excavation_permit", "display_order": 60,
    "name_ar": "تصريح حفريات الخدمات", "name_en": "Utility excavation permit",
    "description_ar": "تصريح للمقاول بالحفر في الطرق والأرصفة لتمديد الخدمات أو إصلاحها، يُراجع "
                      "خلال ٢٤ ساعة. في الأعطال الطارئة يبدأ الحفر ثم يُقدَّم الطلب خلال ٢٤ ساعة، "
                      "وتصدر شهادة المخالصة بعد كشف إعادة الوضع.",
    "description_en": "Lets a contractor dig in roads and pavements to lay or repair utility "
                      "lines; reviewed within 24 hours. For an emergency repair, dig first and "
                      "file within 24 hours. A clearance certificate follows the reinstatement "
                      "inspection.",
    "requirements_ar": "مقاول مسجل لدى البلدية\nمسار الحفر بالإحداثيات وطوله\nخطة تحويل "
                       "الحركة المرورية\nموافقة الجهة المالكة للخدمة",
    "requirements_en": "A contractor registered with the municipality\nThe route as "
                       "coordinates, and its length\nA traffic management plan\nThe utility "
                       "owner's approval letter",
    "expected_days": 1, "validity_months": 3, "renewal_window_days": 15,
    "late_renewal_days": 15, "number_prefix": "EX", "filed_by": FiledBy.CONTRACTOR,
    "owner_consent_required": False, "base_permit_type": None, "plan_check": False,
    "inspection_checklist": None, "inspection_purpose": InspectionPurpose.SITE,
    "emergency_allowed": True, "emergency_hours": 24,
    "clearance_checklist": "excavation-reinstatement", "prerequisites": ["no_unpaid_fines"],
    "fields": [
        _field("utility", 1, FieldKind.CHOICE, "نوع الخدمة", "Utility",
               choices=[{"value": "water", "ar": "مياه", "en": "Water"},
                        {"value": "sewer", "ar": "صرف صحي", "en": "Sewer"},
                        {"value": "power", "ar": "كهرباء", "en": "Electricity"},
                        {"value": "telecom", "ar": "اتصالات", "en": "Telecoms"},
                        {"value": "gas", "ar": "غاز", "en": "Gas"}], is_detail=True),
        _field("purpose", 1, FieldKind.TEXT, "الغرض من الحفر", "Purpose of the digging",
               max_length=200, is_detail=True),
        _field("route", 1, FieldKind.TEXTAREA, "مسار الحفر (إحداثيات)", "Route (coordinates)",
               max_length=4000, pattern=ROUTE_PATTERN,
               help_ar="نقطة في كل سطر بالصيغة: خط العرض,خط الطول — نقطتان على الأقل، مثل "
                       "26.2901,50.2012",
               help_en="One point per line as latitude,longitude — at least two, e.g. "
                       "26.2901,50.2012"),
        _field("route_length_m", 1, FieldKind.DECIMAL, "طول مسار الحفر", "Length of the route",
               min_value=1, max_value=20000, unit_ar="م", unit_en="m", is_detail=True,
               help_ar="تُحسب عليه رسوم الإصدار", help_en="The issuance fee is charged on it"),
        _field("width_m", 1, FieldKind.DECIMAL, "عرض الحفر", "Trench width", min_value="0.2",
               max_value=5, unit_ar="م", unit_en="m"),
        _field("depth_m", 1, FieldKind.DECIMAL, "عمق الحفر", "Trench depth", min_value="0.2",
               max_value=8, unit_ar="م", unit_en="m"),
        _field("surface", 1, FieldKind.CHOICE, "نوع السطح", "Surface dug",
               choices=[{"value": "asphalt", "ar": "طريق مسفلت", "en": "Asphalt road"},
                        {"value": "pavement", "ar": "رصيف", "en": "Pavement"},
                        {"value": "unpaved", "ar": "أرض غير مسفلتة", "en": "Unpaved ground"}]),
        _field("start_date", 2, FieldKind.DATE, "تاريخ بدء الأعمال", "Start of the works",
               is_detail=True),
        _field("duration_days", 2, FieldKind.INTEGER, "مدة الأعمال", "Duration of the works",
               min_value=1, max_value=90, unit_ar="يوم", unit_en="days", is_detail=True),
    ],
    "documents": [
        _doc("route_drawing", "مخطط مسار الحفر", "Drawing of the route", PDF, 10,
             DocumentSupplier.CONTRACTOR),
        _doc("traffic_plan", "خطة تحويل الحركة المرورية", "Traffic management plan", PDF, 10,
             DocumentSupplier.CONTRACTOR),
        _doc("utility_approval", "موافقة الجهة المالكة للخدمة", "Utility owner's approval",
             PDF, 5, DocumentSupplier.CONTRACTOR),
        _doc("site_photos", "صور موقع الحفر", "Photos of the site", PHOTO, 5,
             DocumentSupplier.CONTRACTOR, required=False),
    ],
    "parties": [(PartyRole.CONTRACTOR, True), (PartyRole.OWNER, True),
                (PartyRole.DELEGATE, False)],
    "fees": {
        FeeStage.APPLICATION: _fixed("300", "250", "200", "150", "100"),
        FeeStage.ISSUANCE: _rate("10.00", "8.00", "6.00", "5.00", "4.00",
                                 minimum=("1000", "800", "600", "500", "400"), unit=METRE,
                                 quantity_field="route_length_m"),
        FeeStage.RENEWAL: _fixed("500", "400", "300", "250", "200"),
        FeeStage.LATE_RENEWAL: _fixed("1000", "800", "600", "500", "400"),
        FeeStage.AMENDMENT: _fixed("300", "250", "200", "150", "100"),
        FeeStage.REPLACEMENT: _fixed("100", "100", "75", "50", "50"),
    },
    # A one-working-day review stands for the 24 hours contractors are promised.
    "procedure": {"name_ar": "تصريح حفريات", "name_en": "Utility excavation permit",
                  "inspection": False, "sla_hours": 21, "review_sla_hours": 7},
}

# In the order they are loaded: a type's base type comes before it.
PERMIT_TYPES = [BUILDING, ADDITION, DEMOLITION, FENCE, OCCUPANCY, EXCAVATION]
PERMIT_TYPE_CODES = tuple(t["code"] for t in PERMIT_TYPES)

# Each type serves the e-service of its own code. Two are in the core catalogue already
# (amanah/demo.py); the others are this catalogue's: code → (Arabic, English, description in
# Arabic, in English, display order among the catalogue's services).
ESERVICES = {
    "building_addition": ("رخصة إضافة أو ترميم", "Addition or renovation permit",
                          "طلب إضافة دور أو ملحق أو ترميم لمبنى قائم برخصة سارية.",
                          "Add a floor or an annex to a permitted building, or renovate it.",
                          51),
    "demolition_permit": ("رخصة هدم", "Demolition permit",
                          "طلب رخصة هدم مبنى قائم بعد إخلائه.",
                          "Apply to pull down an existing building once it is empty.", 52),
    "fence_permit": ("رخصة تسوير", "Fence permit", "طلب رخصة تسوير أرض أو مبنى.",
                     "Apply to put a boundary wall around a plot or a building.", 53),
    "occupancy_certificate": ("شهادة إتمام البناء", "Occupancy certificate",
                              "طلب شهادة إتمام البناء بعد زيارة مطابقة تحجز موعدها.",
                              "Get the occupancy certificate after a compliance visit you "
                              "book.", 54),
}
# Found if the core catalogue has them, created with these words only if it does not.
CORE_ESERVICES = {
    "building_permit": ("رخصة البناء", "Building permit",
                        "طلب رخصة بناء جديدة ومتابعة مراجعتها الهندسية وسداد رسومها.",
                        "Apply for a new building permit, follow its engineering review and "
                        "pay its fees.", 50),
    "excavation_permit": ("تصريح الحفريات", "Excavation permit",
                          "طلب تصريح حفر لتمديد الخدمات في الطرق والأرصفة.",
                          "Apply to dig in roads and pavements to lay utility connections.",
                          70),
}

# Certificates the municipality issues on its own, never applied for: no form, no fees, no
# procedure, and an e-service with no rollout, so no service card offers it and no draft of it
# can be started (part EXCAVATION: permits/services/excavation.py issues the clearance).
EXCAVATION_CLEARANCE = {
    "code": "excavation_clearance", "display_order": 61,
    "name_ar": "شهادة مخالصة حفريات", "name_en": "Excavation clearance certificate",
    "description_ar": "تصدر تلقائيًا لتصريح الحفريات بعد اجتياز كشف إعادة الوضع، وتثبت أن "
                      "الطريق أعيد كما كان.",
    "description_en": "Issued for an excavation permit once the reinstatement inspection "
                      "passes: the road was put back as it was.",
    "validity_months": 0, "number_prefix": "EC", "filed_by": FiledBy.CONTRACTOR,
    "eservice": ("شهادة مخالصة الحفريات", "Excavation clearance certificate",
                 "تصدرها البلدية بعد كشف إعادة الوضع؛ لا تُطلب.",
                 "Issued by the municipality after the reinstatement inspection; not applied "
                 "for.", 71),
}
CERTIFICATE_TYPES = [EXCAVATION_CLEARANCE]

# --- Loading --------------------------------------------------------------------------------


class _Tally(Counter):
    def __str__(self) -> str:
        return ", ".join(f"{n} {outcome}" for outcome, n in sorted(self.items())) or "none"


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@transaction.atomic
def catalogue_load(*, log: Log) -> None:
    """Write the seeded catalogue (checklists, zones, districts of the municipalities that
    exist, e-services, permit types with their parts, fee schedules, procedures); a second
    run writes nothing."""
    checklists = _checklists_load(log)
    _zones_load(log)
    _districts_load(log)
    eservices = _eservices_load(log)
    types = _types_load(eservices, checklists, log)
    _fee_schedules_load(types, log)
    _procedures_load(log)
    _certificate_types_load(log)
    # Commercial licences (issue 10): their types build on the checklists and zones above.
    from .licences.catalogue import licences_catalogue_load

    licences_catalogue_load(log=log)


def _checklists_load(log: Log) -> dict[str, Checklist]:
    lists, items = _Tally(), _Tally()
    found = {}
    for code, (name_ar, name_en, questions) in CHECKLISTS.items():
        found[code], outcome = _upsert(Checklist, {"code": code},
                                       {"name_ar": name_ar, "name_en": name_en})
        lists[outcome] += 1
        for order, (item_code, text_ar, text_en, photo) in enumerate(questions, start=1):
            _, outcome = _upsert(ChecklistItem, {"checklist": found[code], "code": item_code},
                                 {"order": order * 10, "text_ar": text_ar, "text_en": text_en,
                                  "photo_required_on_no": photo})
            items[outcome] += 1
    log(f"checklists: {lists}; items: {items}")
    return found


def _zones_load(log: Log) -> None:
    tally = _Tally()
    for zone, name_ar, name_en, floors, coverage, front, side, rear in ZONES:
        _, outcome = _upsert(ZoneRule, {"municipality": None, "zone": zone}, {
            "name_ar": name_ar, "name_en": name_en, "max_floors": floors,
            "max_coverage_percent": Decimal(coverage), "min_front_setback_m": Decimal(front),
            "min_side_setback_m": Decimal(side), "min_rear_setback_m": Decimal(rear)})
        tally[outcome] += 1
    log(f"zone limits: {tally}")


def _districts_load(log: Log) -> None:
    tally = _Tally()
    municipalities = {m.code: m for m in Municipality.objects.filter(code__in=DISTRICTS)}
    for code, districts in DISTRICTS.items():
        municipality = municipalities.get(code)
        if municipality is None:
            tally["skipped (no such municipality)"] += len(districts)
            continue
        for district_code, name_ar, name_en, south, north, west, east in districts:
            _, outcome = _upsert(District, {"municipality": municipality, "code": district_code},
                                 {"name_ar": name_ar, "name_en": name_en,
                                  "south": Decimal(south), "north": Decimal(north),
                                  "west": Decimal(west), "east": Decimal(east)})
            tally[outcome] += 1
    log(f"districts: {tally}")


def _eservices_load(log: Log) -> dict[str, EService]:
    tally = _Tally()
    found = {}
    for code, (name_ar, name_en, description_ar, description_en, order) in ESERVICES.items():
        # The page a service starts on is set by whoever builds it (the demo, or an admin).
        found[code], outcome = _upsert(EService, {"code": code}, {
            "owning_app": OwningApp.PERMITS, "name_ar": name_ar, "name_en": name_en,
            "description_ar": description_ar, "description_en": description_en,
            "display_order": order}, create_only={"url_name": ""})
        tally[outcome] += 1
    for code, (name_ar, name_en, description_ar, description_en, order) in \
            CORE_ESERVICES.items():
        found[code], created = EService.objects.get_or_create(code=code, defaults={
            "owning_app": OwningApp.PERMITS, "name_ar": name_ar, "name_en": name_en,
            "description_ar": description_ar, "description_en": description_en,
            "display_order": order})
        tally["created" if created else "kept (core catalogue)"] += 1
    log(f"permit e-services: {tally}")
    return found


def type_parts_upsert(permit_type: PermitType, data: dict, *, fields: Counter,
                      documents: Counter, parties: Counter, rules: Counter) -> None:
    """Write a seeded type's form fields, documents, parties and fee rules (the licence
    catalogue's types too), counting each outcome in its tally."""
    for order, field in enumerate(data["fields"], start=1):
        extra = {"help_ar": "", "help_en": "", "unit_ar": "", "unit_en": "",
                 "required": True, "min_value": None, "max_value": None,
                 "max_length": None, "pattern": "", "choices": [], "shown_when": {},
                 "is_detail": False, **field}
        extra["min_value"] = _decimal(extra["min_value"])
        extra["max_value"] = _decimal(extra["max_value"])
        key = extra.pop("key")
        _, outcome = _upsert(PermitTypeField, {"permit_type": permit_type, "key": key},
                             {**extra, "order": order * 10})
        fields[outcome] += 1
    for order, document in enumerate(data["documents"], start=1):
        wanted = dict(document)
        kind = wanted.pop("kind")
        _, outcome = _upsert(PermitTypeDocument, {"permit_type": permit_type, "kind": kind},
                             {**wanted, "order": order * 10, "shown_when": {}})
        documents[outcome] += 1
    for role, required in data["parties"]:
        _, outcome = _upsert(PermitTypeParty, {"permit_type": permit_type, "role": role},
                             {"required": required})
        parties[outcome] += 1
    for stage, fee in data["fees"].items():
        _, outcome = _upsert(PermitFeeRule, {"permit_type": permit_type, "stage": stage},
                             {"quantity_field": fee.get("quantity_field", ""),
                              "per_year": fee.get("per_year", False)})
        rules[outcome] += 1


TYPE_PARTS = ("fields", "documents", "parties", "fees", "procedure", "code")


def _types_load(eservices, checklists, log: Log) -> dict[str, PermitType]:
    types, fields, documents, parties, rules = (_Tally() for _ in range(5))
    found: dict[str, PermitType] = {}
    for data in PERMIT_TYPES:
        code = data["code"]
        values = {key: value for key, value in data.items() if key not in TYPE_PARTS}
        values.update(
            eservice=eservices[code], workflow_code=code, is_active=True,
            base_permit_type=found[data["base_permit_type"]] if data["base_permit_type"]
            else None,
            inspection_checklist=checklists.get(data["inspection_checklist"]),
            clearance_checklist=checklists.get(data["clearance_checklist"]),
            emergency_hours=data.get("emergency_hours", 24))
        permit_type, outcome = _upsert(PermitType, {"code": code}, values)
        types[outcome] += 1
        found[code] = permit_type
        type_parts_upsert(permit_type, data, fields=fields, documents=documents,
                          parties=parties, rules=rules)
    log(f"permit types: {types}; fields: {fields}; documents: {documents}; parties: {parties}; "
        f"fee rules: {rules}")
    return found


# Written into the fee schedules' names (what a bill says it is for), so spelled out here
# rather than taken from translations that may not be compiled where the seed runs.
STAGE_NAMES = {
    FeeStage.APPLICATION: ("رسوم تقديم الطلب", "application fee"),
    FeeStage.ISSUANCE: ("رسوم الإصدار", "issuance fee"),
    FeeStage.RENEWAL: ("رسوم التجديد", "renewal fee"),
    FeeStage.LATE_RENEWAL: ("غرامة التأخر في التجديد", "late renewal fine"),
    FeeStage.AMENDMENT: ("رسوم التعديل", "amendment fee"),
    FeeStage.REPLACEMENT: ("رسوم بدل فاقد", "replacement fee"),
}


def fee_schedule_names(permit_type_data: dict, stage: str) -> tuple[str, str]:
    """What a bill of the stage is called: the type's name and the stage's."""
    stage_ar, stage_en = STAGE_NAMES[stage]
    return (f"{stage_ar} – {permit_type_data['name_ar']}",
            f"{permit_type_data['name_en']}: {stage_en}")


def _fee_schedules_load(types: dict[str, PermitType], log: Log) -> None:
    tally = _Tally()
    for data in PERMIT_TYPES:
        eservice = types[data["code"]].eservice
        for stage, fee in data["fees"].items():
            priced = set(FeeSchedule.objects.filter(eservice=eservice, component=stage)
                         .values_list("municipality_class", flat=True))
            name_ar, name_en = fee_schedule_names(data, stage)
            unit_ar, unit_en = fee.get("unit", ("", ""))
            for klass, amount in enumerate(fee["amounts"], start=1):
                if klass in priced:
                    tally["kept"] += 1
                    continue
                minimum = fee.get("minimum")
                fee_schedule_create(
                    eservice=eservice, municipality_class=klass, kind=fee["kind"],
                    amount=Decimal(amount), effective_from=SCHEDULES_FROM,
                    minimum=Decimal(minimum[klass - 1]) if minimum else None,
                    unit_ar=unit_ar, unit_en=unit_en, name_ar=name_ar, name_en=name_en,
                    component=stage)
                tally["created"] += 1
    log(f"permit fee schedules: {tally}")


def procedure_for(data: dict) -> dict:
    """The type's procedure in the workflow export format."""
    procedure = data["procedure"]
    return permit_procedure(code=data["code"], eservice=data["code"],
                            name_ar=procedure["name_ar"], name_en=procedure["name_en"],
                            inspection=procedure["inspection"],
                            sla_hours=procedure["sla_hours"],
                            review_sla_hours=procedure["review_sla_hours"])


def _procedures_load(log: Log) -> None:
    amanah = Municipality.objects.filter(kind=MunicipalityKind.AMANAH).order_by("id").first()
    if amanah is None:
        log("permit procedures: no Amanah to publish them for; skipped")
        return
    tally = _Tally()
    published = set(DefinitionVersion.objects.filter(
        definition__municipality=amanah, definition__code__in=PERMIT_TYPE_CODES,
        status=VersionStatus.PUBLISHED).values_list("definition__code", flat=True))
    for data in PERMIT_TYPES:
        if data["code"] in published:
            tally["kept"] += 1
            continue
        definition_import(data=procedure_for(data), municipality=amanah, publish=True)
        tally["published"] += 1
    log(f"permit procedures @ {amanah.code}: {tally}")
    # Objections to permit decisions go to the Amanah's legal department, for every branch.
    objection = objection_procedure()
    if DefinitionVersion.objects.filter(definition__municipality=amanah,
                                        definition__code=objection["code"],
                                        status=VersionStatus.PUBLISHED).exists():
        log(f"objection procedure @ {amanah.code}: kept")
    else:
        definition_import(data=objection, municipality=amanah, publish=True)
        log(f"objection procedure @ {amanah.code}: published")


def _certificate_types_load(log: Log) -> None:
    """The certificates issued without an application of their own (CERTIFICATE_TYPES): a
    type and its own e-service each, never rolled out here."""
    tally = _Tally()
    for data in CERTIFICATE_TYPES:
        name_ar, name_en, description_ar, description_en, order = data["eservice"]
        eservice, _ = _upsert(EService, {"code": data["code"]}, {
            "owning_app": OwningApp.PERMITS, "name_ar": name_ar, "name_en": name_en,
            "description_ar": description_ar, "description_en": description_en,
            "display_order": order}, create_only={"url_name": ""})
        values = {key: value for key, value in data.items() if key not in ("code", "eservice")}
        # No procedure: workflow_code names none, so no case of it can ever be opened.
        _, outcome = _upsert(PermitType, {"code": data["code"]}, {
            **values, "eservice": eservice, "workflow_code": data["code"], "is_active": True})
        tally[outcome] += 1
    log(f"certificate types: {tally}")
