"""Demo data for permits: the seeded catalogue, where it is offered, deeds in the local
registry for the demo citizens, registered engineering offices and contractors with a person
each who signs in with the demo password, inspector slots, and demo applications.

Idempotent like the core demo: rows are found by their natural key and written only when they
differ. Rollout states and start pages are set when a row is first created and never undone:
an admin's switch stands on every re-run.
"""

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F

from amanah import clock
from amanah.dates import RIYADH, business_date
from amanah.demo import (
    DEMO_CONFIRMED_AT,
    DEMO_PASSWORD,
    PILOTS,
    _upsert,
    eservice_start_page_ensure,
)
from amanah.enums import MunicipalityKind, RolloutState, StaffRole
from amanah.errors import DomainError
from amanah.identity import luhn_check_digit
from amanah.models import (
    EService,
    EServiceRollout,
    Establishment,
    Municipality,
    Person,
    StaffMembership,
    User,
)
from payments.services import outbox_flush
from workflow.models import Case, CaseEvent, CaseMove, Transition
from workflow.services import MoveOutcome, case_move_apply, case_route, case_transition
from workflow.working_time import holidays_all, is_working_day

from .catalogue import PERMIT_TYPE_CODES, _Tally, catalogue_load
from .enums import ApplicationEventKind, ApplicationStatus, FeeStage, FiledBy, OfficeKind, PartyRole
from .models import (
    Application,
    ApplicationFee,
    ApplicationParty,
    InspectionSlot,
    LocalDeed,
    Permit,
    PermitType,
    RegisteredOffice,
)
from .services.applications import application_event_append
from .services.drafts import application_document_upload, application_withdraw
from .services.parcels import application_parcel_set
from .services.parties import (
    application_consent_decline,
    application_consent_give,
    application_party_add,
)
from .services.submission import application_submit

Log = Callable[[str], None]

# "The demo catalogue's building, excavation and certificate cards are live in the pilot
# municipalities"; the other permit services are piloted there, and off elsewhere.
LIVE_IN_PILOTS = frozenset({"building_permit", "excavation_permit", "occupancy_certificate"})
START_PAGE = "permits:apply_start"


def _national_id(payload: str) -> str:
    return payload + luhn_check_digit(payload)


# --- Registered offices and contractors -----------------------------------------------------

# unified number, Arabic, English, municipality, kind, licence number, classification,
# licence expiry, and the person working for it: (ID payload, Arabic, English, mobile).
OFFICES = [
    ("7010100013", "مكتب الخبر للاستشارات الهندسية", "Khobar Engineering Consultants", "KHB",
     OfficeKind.ENGINEERING_OFFICE, "EO-KHB-1041", "استشاري – الفئة (أ)",
     dt.date(2028, 6, 30),
     ("105678901", "م. سامي بن خالد العمري", "Eng. Sami Khalid Alomari", "+966550000301")),
    ("7010100021", "دار المعمار للاستشارات الهندسية", "Dar Al Mimar Engineering Consultants",
     "KHB", OfficeKind.ENGINEERING_OFFICE, "EO-KHB-1187", "استشاري – الفئة (ب)",
     dt.date(2027, 9, 30),
     ("106789012", "م. ريم بنت عبدالله الشهري", "Eng. Reem Abdullah Alshehri",
      "+966550000302")),
    ("7010100039", "مكتب الدمام للتصميم المعماري", "Dammam Architectural Design Office", "DMM",
     OfficeKind.ENGINEERING_OFFICE, "EO-DMM-2210", "استشاري – الفئة (أ)",
     dt.date(2028, 3, 31),
     ("107890123", "م. فيصل بن ناصر الهاجري", "Eng. Faisal Nasser Alhajri", "+966550000303")),
    ("7010200014", "شركة الساحل للمقاولات", "Al Sahel Contracting Co.", "KHB",
     OfficeKind.CONTRACTOR, "CT-KHB-3302", "مقاولات عامة – الدرجة الثالثة",
     dt.date(2027, 12, 31),
     ("108901234", "خالد بن سعد البوعينين", "Khalid Saad Albuainain", "+966550000304")),
    ("7010200022", "مؤسسة الشرقية لمقاولات البنية التحتية",
     "Eastern Infrastructure Contracting Est.", "DMM", OfficeKind.CONTRACTOR, "CT-DMM-3417",
     "طرق وشبكات – الدرجة الثانية", dt.date(2028, 1, 31),
     ("109012345", "عبدالعزيز بن فهد الملحم", "Abdulaziz Fahad Almulhim", "+966550000305")),
]

# A utility company that owns the lines its contractors dig for (not a registered office).
UTILITY = ("7010300015", "شركة المياه الوطنية – قطاع الشرقية",
           "National Water Company – Eastern sector", "DMM")

# --- Deeds ----------------------------------------------------------------------------------

# deed number, date, owner's ID payload (a demo citizen), municipality, district, plan,
# parcel, area m², zone, and where the plot is (latitude, longitude) for its parcel.
DEEDS = [
    ("410105001101", dt.date(2014, 5, 11), "101234567", "KHB", "aqrabiyah", "1143", "27",
     "625.00", "res-a", ("26.295000", "50.205000")),
    ("410105001102", dt.date(2017, 10, 2), "101234567", "KHB", "olaya", "1207", "112",
     "900.00", "res-b", ("26.265000", "50.182000")),
    ("410105001103", dt.date(2020, 1, 26), "101234567", "KHB", "rakah", "1301", "9",
     "1200.00", "commercial", ("26.330000", "50.170000")),
    ("410105001104", dt.date(2019, 3, 14), "201234567", "KHB", "thuqbah", "1188", "45",
     "500.00", "res-a", ("26.270000", "50.208000")),
    ("420105002201", dt.date(2012, 8, 20), "102345678", "DMM", "faisaliyah", "2051", "63",
     "600.00", "res-a", ("26.402000", "50.075000")),
    ("420105002202", dt.date(2021, 6, 7), "102345678", "DMM", "shati", "2210", "14",
     "750.00", "res-a", ("26.455000", "50.120000")),
    ("420105002203", dt.date(2016, 2, 29), "202345678", "DMM", "adamah", "2099", "88",
     "800.00", "res-b", ("26.429000", "50.108000")),
    ("430105003301", dt.date(2018, 11, 5), "103456789", "QTF", "qalaa", "3021", "5",
     "450.00", "res-a", ("26.562000", "50.002000")),
]

# --- Inspector slots ------------------------------------------------------------------------

SLOT_DAYS = 30  # working days ahead
SLOT_TIMES = [(dt.time(9, 0), dt.time(10, 30)), (dt.time(10, 30), dt.time(12, 0)),
              (dt.time(12, 30), dt.time(14, 0))]
SLOT_CAPACITY = 2

# --- Demo applications ----------------------------------------------------------------------

# Stored as the apply part stores answers: whole numbers as ints, numbers as strings with two
# decimals, dates as ISO strings, booleans as true/false, a blank optional answer left out.
BUILDING_ANSWERS = {
    "use": "residential", "floors": 2, "built_area_m2": "700.00", "footprint_m2": "360.00",
    "basement": False, "front_setback_m": "4.00", "side_setback_m": "2.00",
    "rear_setback_m": "2.00"}
ROUTE = "26.295100,50.204200\n26.295400,50.205300\n26.295900,50.206100"

# (type, deed, filed by (office licence number or "owner"), owner (ID payload), answers, the
# state demo_applications_seed moves it to). An excavation digs on its owner's parcel.
DEMO_APPLICATIONS = [
    ("building_permit", "410105001101", "EO-KHB-1041", "101234567", BUILDING_ANSWERS, "draft"),
    ("building_permit", "420105002201", "EO-DMM-2210", "102345678", BUILDING_ANSWERS,
     "awaiting_consent"),
    ("building_permit", "410105001102", "EO-KHB-1187", "101234567",
     {**BUILDING_ANSWERS, "floors": 4, "built_area_m2": "2100.00", "footprint_m2": "540.00",
      "use": "mixed", "shop_count": 4, "front_setback_m": "5.00", "rear_setback_m": "3.00"},
     "in_review"),
    ("building_permit", "420105002202", "EO-DMM-2210", "102345678",
     {**BUILDING_ANSWERS, "built_area_m2": "820.00", "footprint_m2": "430.00"},
     "awaiting_correction"),
    ("building_permit", "410105001104", "EO-KHB-1041", "201234567",
     {**BUILDING_ANSWERS, "built_area_m2": "560.00", "footprint_m2": "290.00"},
     "awaiting_fee"),
    ("building_permit", "420105002203", "EO-DMM-2210", "202345678",
     {**BUILDING_ANSWERS, "floors": 3, "built_area_m2": "1350.00", "footprint_m2": "480.00",
      "front_setback_m": "5.00", "rear_setback_m": "3.00"}, "issued"),
    ("fence_permit", "410105001103", "owner", "101234567",
     {"length_m": "140.00", "height_m": "2.50", "material": "block"}, "issued"),
    ("fence_permit", "420105002201", "owner", "102345678",
     {"length_m": "98.00", "height_m": "2.00", "material": "precast"},
     "withdrawn"),
    ("demolition_permit", "410105001104", "EO-KHB-1187", "201234567",
     {"building_is_empty": True, "floors": 1, "built_area_m2": "240.00",
      "structure": "masonry", "method": "mechanical", "duration_days": 10},
     "consent_declined"),
    ("excavation_permit", "410105001101", "CT-KHB-3302", "101234567",
     {"utility": "water", "purpose": "توصيل خدمة مياه لمنزل في حي العقربية", "route": ROUTE,
      "route_length_m": "120.00", "width_m": "0.60", "depth_m": "1.50", "surface": "asphalt",
      "start_date": "2026-12-13", "duration_days": 7}, "in_review"),
    ("excavation_permit", "420105002201", "CT-DMM-3417", "102345678",
     {"utility": "sewer", "purpose": "إصلاح خط صرف في حي الفيصلية",
      "route": "26.401000,50.071000\n26.401800,50.072500", "route_length_m": "180.00",
      "width_m": "0.80", "depth_m": "2.50", "surface": "asphalt", "start_date": "2026-12-06",
      "duration_days": 5}, "rejected"),
]


def seed(*, log: Log) -> None:
    catalogue_load(log=log)
    _rollouts_seed(log)
    for code in PERMIT_TYPE_CODES:
        eservice_start_page_ensure(code=code, url_name=START_PAGE, log=log)
    password = _PasswordHash()
    _deeds_seed(log)
    _offices_seed(password, log)
    _slots_seed(log)
    demo_applications_seed(log=log)
    # Commercial licences (issue 10): registries' rows, establishments, licences in each state.
    from .licences.demo import licences_demo_seed

    licences_demo_seed(log=log)


class _PasswordHash:
    """The demo password's hash, made once and only if a new account needs it (it is slow)."""

    def __init__(self):
        self._hash = None

    def __call__(self) -> str:
        if self._hash is None:
            self._hash = make_password(DEMO_PASSWORD)
        return self._hash


def _rollouts_seed(log: Log) -> None:
    """Each permit e-service's rollout in each branch, set when the row is first made. The core
    demo makes the rows of the two e-services it knows (pilot in the pilots); a row it made and
    nobody changed since — one history record — is moved to what this catalogue wants."""
    tally = _Tally()
    branches = list(Municipality.objects.filter(kind=MunicipalityKind.BRANCH).order_by("code"))
    for eservice in EService.objects.filter(code__in=PERMIT_TYPE_CODES).order_by("code"):
        for municipality in branches:
            if municipality.code not in PILOTS:
                wanted = RolloutState.OFF
            elif eservice.code in LIVE_IN_PILOTS:
                wanted = RolloutState.LIVE
            else:
                wanted = RolloutState.PILOT
            rollout, created = EServiceRollout.objects.get_or_create(
                eservice=eservice, municipality=municipality, defaults={"state": wanted})
            if created:
                tally["created"] += 1
            elif (rollout.state == RolloutState.PILOT and wanted == RolloutState.LIVE
                  and rollout.history.count() == 1):
                _upsert(EServiceRollout, {"pk": rollout.pk}, {"state": wanted})
                tally["made live"] += 1
            else:
                tally["kept"] += 1
    log(f"permit rollouts: {tally} (live in {' and '.join(PILOTS)}: "
        f"{', '.join(sorted(LIVE_IN_PILOTS))}; the others pilot there, off elsewhere)")


def _deeds_seed(log: Log) -> None:
    tally = _Tally()
    owners = {p.national_id: p for p in Person.objects.filter(
        national_id__in=[_national_id(d[2]) for d in DEEDS])}
    for number, date, payload, municipality, district, plan, parcel, area, zone, _ in DEEDS:
        owner = owners.get(_national_id(payload))
        if owner is None:
            tally["skipped (owner not seeded)"] += 1
            continue
        _, outcome = _upsert(LocalDeed, {"deed_number": number}, {
            "deed_date": date, "owner_id": owner.national_id, "owner_name_ar": owner.name_ar,
            "municipality_code": municipality, "district_code": district,
            "plan_number": plan, "parcel_number": parcel, "area_m2": Decimal(area),
            "zone": zone, "is_active": True})
        tally[outcome] += 1
    log(f"deeds in the local registry: {tally}")


def _person_ensure(payload: str, name_ar: str, name_en: str, mobile: str,
                   municipality: Municipality, password) -> tuple[Person, str]:
    """A demo person with an account, as the core demo makes its citizens."""
    national_id = _national_id(payload)
    names = name_en.removeprefix("Eng. ").split(" ")
    is_new = not User.objects.filter(username=national_id).exists()
    user, _ = _upsert(User, {"username": national_id}, {
        "first_name": names[0], "last_name": names[-1], "is_staff": False,
        "is_superuser": False, "is_active": True},
        create_only={"password": password()} if is_new else None)
    person, outcome = _upsert(Person, {"national_id": national_id}, {
        "name_ar": name_ar, "name_en": name_en, "mobile": mobile,
        "email": f"{national_id}@demo.amanah.sa", "municipality": municipality, "user": user,
    }, create_only={"mobile_confirmed_at": DEMO_CONFIRMED_AT})
    if person.mobile_confirmed_at is None:
        _upsert(Person, {"pk": person.pk}, {"mobile_confirmed_at": DEMO_CONFIRMED_AT})
    return person, outcome


def _offices_seed(password, log: Log) -> None:
    offices, people = _Tally(), _Tally()
    municipalities = {m.code: m for m in Municipality.objects.all()}
    for (unified, name_ar, name_en, code, kind, licence, classification, expires,
         (payload, person_ar, person_en, mobile)) in OFFICES:
        municipality = municipalities.get(code)
        if municipality is None:
            offices["skipped (no municipality)"] += 1
            continue
        person, outcome = _person_ensure(payload, person_ar, person_en, mobile, municipality,
                                         password)
        people[outcome] += 1
        establishment, _ = _upsert(Establishment, {"unified_number": unified}, {
            "name_ar": name_ar, "name_en": name_en, "municipality": municipality})
        if not establishment.representatives.filter(pk=person.pk).exists():
            establishment.representatives.add(person)
        _, outcome = _upsert(RegisteredOffice, {"establishment": establishment}, {
            "kind": kind, "licence_number": licence, "classification": classification,
            "licence_expires_on": expires, "is_active": True})
        offices[outcome] += 1
    unified, name_ar, name_en, code = UTILITY
    if code in municipalities:
        _upsert(Establishment, {"unified_number": unified}, {
            "name_ar": name_ar, "name_en": name_en, "municipality": municipalities[code]})
    log(f"registered offices and contractors: {offices}; their people: {people} "
        f"(password {DEMO_PASSWORD})")


def _slots_seed(log: Log) -> None:
    """Visits each pilot's inspectors offer on the next working days (three a day, two visits
    each); a re-run on the same day finds them all."""
    tally = _Tally()
    holidays = holidays_all()
    days, day = [], business_date(clock.now())
    while len(days) < SLOT_DAYS:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays):
            days.append(day)
    memberships = (StaffMembership.objects
                   .filter(role=StaffRole.INSPECTOR, is_active=True,
                           department__code="inspection",
                           department__municipality__code__in=PILOTS)
                   .select_related("department", "user").order_by("department_id", "user_id"))
    for membership in memberships:
        for day in days:
            for starts, ends in SLOT_TIMES:
                _, created = InspectionSlot.objects.get_or_create(
                    department=membership.department, inspector=membership.user,
                    starts_at=dt.datetime.combine(day, starts, tzinfo=RIYADH),
                    defaults={"ends_at": dt.datetime.combine(day, ends, tzinfo=RIYADH),
                              "capacity": SLOT_CAPACITY})
                tally["created" if created else "kept"] += 1
    log(f"inspection slots for the next {SLOT_DAYS} working days: {tally}")


# --- Demo applications ----------------------------------------------------------------------


def demo_applications_seed(*, log: Log) -> None:
    """The demo applications, each moved to the state it shows through the services a filer,
    an owner and staff use: the draft and its filing office (rows, as APPLY's draft start
    writes them), the owner named and the parcel set through PARTIES' services, documents
    uploaded, submitted, consented to or declined by the owner, the application fee paid at
    the simulated bank, corrections asked for, plan checked, the site visit booked and
    recorded, approved, rejected or withdrawn on the case, the issuance fee paid and the
    permit issued. Tasks the case's moves schedule are run here, in-process (the seed is one
    transaction: its after-commit tasks would come too late for the next step); when they
    run after the commit they find their work done.

    An application is found again by its type, office, owner and deed (or route), so a second
    seed makes nothing. One that cannot get to its state (e.g. no simulated bank to pay
    with) is left where it got to, whole, and the log says so."""
    made, kept, skipped = _Tally(), 0, _Tally()
    types = {t.code: t for t in PermitType.objects.filter(code__in=PERMIT_TYPE_CODES)}
    offices = {o.licence_number: o for o in RegisteredOffice.objects.select_related(
        "establishment__municipality")}
    deeds = {d[0]: d for d in DEEDS}
    for code, deed_number, filer, owner_key, answers, target in DEMO_APPLICATIONS:
        permit_type, office = types.get(code), offices.get(filer)
        is_establishment = owner_key.startswith("7")
        owner = (Establishment.objects.filter(unified_number=owner_key).first()
                 if is_establishment else
                 Person.objects.filter(national_id=_national_id(owner_key)).first())
        deed = LocalDeed.objects.filter(deed_number=deed_number).first() if deed_number \
            else None
        if permit_type is None or owner is None or (filer != "owner" and office is None) or (
                deed_number and deed is None):
            skipped["(not seeded)"] += 1
            continue
        found = Application.objects.filter(
            permit_type=permit_type, filing_office=office,
            **{"owner_establishment" if is_establishment else "owner_person": owner})
        found = (found.filter(parcel__deed_number=deed_number) if deed_number
                 else found.filter(parcel=None, answers__route=answers["route"]))
        if found.exists():
            kept += 1
            continue
        try:
            with transaction.atomic():
                application = _demo_draft_make(
                    permit_type=permit_type, office=office, owner=owner, deed=deed,
                    coordinates=deeds[deed_number][9] if deed else None, answers=answers)
                reached = _demo_application_advance(application, target)
        except DomainError as refused:
            # A refused submission says each of its reasons.
            reasons = [r.code for r in getattr(refused, "refusals", ())]
            skipped[f"{refused.code} ({', '.join(reasons)})" if reasons else refused.code] += 1
            continue
        made[reached if reached == target else f"{reached} (meant {target})"] += 1
    log(f"demo applications: made {made}, {kept} kept, skipped: {skipped}")
    if settings.PAYMENTS_GATEWAY == "simulator":
        # The bills still open (an application or issuance fee to pay) go to the simulated
        # SADAD now, as the payments demo sends its own: a citizen can pay them at once.
        log(f"demo application bills sent to the simulated SADAD: {outbox_flush()['accepted']}")
    _demo_paper_permits_seed(log)


# --- Moving a demo application on -------------------------------------------------------------

CORRECTION_NOTE = "نأمل تصحيح عدد الأدوار ليطابق المخططات المعمارية المرفقة."
REJECTION_REASON = "المسار يمر أسفل خط صرف رئيسي؛ يلزم مسار بديل بالتنسيق مع شركة المياه."
DECLINE_REASON = "لم أتفق مع المكتب على مدة الهدم؛ أرجو مراجعتها معي."
WITHDRAW_REASON = "تقرر تأجيل التسوير إلى العام القادم."
APPROVAL_NOTE = "مطابق لاشتراطات البناء في المنطقة."


def _demo_pdf() -> bytes:
    """A one-page blank PDF: the demo's plans and deeds (the upload service checks content)."""
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


def _demo_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(out, format="PNG")
    return out.getvalue()


def _demo_documents_upload(application: Application, user) -> None:
    for document in application.permit_type.documents.filter(required=True).order_by("pk"):
        if "application/pdf" in (document.content_types or []):
            name, data, content_type = f"{document.kind}.pdf", _demo_pdf(), "application/pdf"
        else:
            name, data, content_type = f"{document.kind}.png", _demo_png(), "image/png"
        application_document_upload(application_id=application.pk, user=user,
                                    kind=document.kind,
                                    file=SimpleUploadedFile(name, data, content_type))


def _staff(department_id: int | None, role: str):
    membership = (StaffMembership.objects.filter(department_id=department_id, role=role,
                                                 is_active=True)
                  .select_related("user").order_by("user_id").first())
    if membership is None:
        raise DomainError("permits.demo_no_staff", "لا يوجد موظف تجريبي بهذا الدور.",
                          f"No demo staff member with the role {role} there.")
    return membership.user


def _case(application: Application) -> Case:
    return Case.objects.select_related("state").get(pk=application.case_id)


def _latest_event_id(case_id: int, action: str) -> int | None:
    return (CaseEvent.objects.filter(case_id=case_id, action=action).order_by("-seq")
            .values_list("pk", flat=True).first())


def _demo_fee_pay(application: Application, stage: str) -> None:
    """Pay a stage's bill as the demo bill page's "pay" button does: the simulated bank pays,
    SADAD notifies the portal through its real handler, the payable marks the fee paid."""
    if settings.PAYMENTS_GATEWAY != "simulator":
        raise DomainError("permits.demo_no_simulated_bank", "لا يوجد بنك محاكى للسداد.",
                          "There is no simulated bank to pay with.")
    # Only where demo mode installs the simulator (it is not even importable elsewhere).
    from payments.sadad.simulator.bank import simulated_bank_pay

    fee = ApplicationFee.objects.select_related("bill").get(application=application,
                                                            stage=stage)
    outbox_flush()  # SADAD takes money only for bills uploaded to it
    simulated_bank_pay(billing_account=fee.bill.billing_account, amount=fee.bill.amount)
    # SADAD is answered even when the portal could not record the payment (it retries later):
    # the demo goes no further on a fee that is not paid.
    if not ApplicationFee.objects.filter(pk=fee.pk, paid_at__isnull=False).exists():
        raise DomainError("permits.demo_payment_not_recorded",
                          "لم يُسجل السداد التجريبي.", "The demo payment was not recorded.")


def _demo_site_visit(application: Application, case: Case) -> None:
    """The owner books the first open visit; on its day the inspector finds everything in
    order. The clock is moved to the visit (and back) as a real visit would wait for it."""
    from .services.inspections import inspection_book, inspection_record

    slot = (InspectionSlot.objects.filter(department=case.department,
                                          starts_at__gt=clock.now(),
                                          booked__lt=F("capacity"))
            .order_by("starts_at", "pk").first())
    if slot is None:
        raise DomainError("permits.demo_no_slot", "لا توجد مواعيد كشف متاحة.",
                          "No open inspection slot.")
    visit = inspection_book(application_id=application.pk, user=application.owner_person.user,
                            slot_id=slot.pk, purpose=application.permit_type.inspection_purpose)
    items = application.permit_type.inspection_checklist.items.values_list("code", flat=True)
    clock.freeze(slot.starts_at + dt.timedelta(minutes=20))
    try:
        inspection_record(inspection_id=visit.pk, inspector=slot.inspector,
                          findings={code: {"answer": "yes"} for code in items}, photos={})
        case_transition(case_id=case.pk, action="inspection_passed", actor=slot.inspector)
    finally:
        clock.freeze(None)


def _demo_application_advance(application: Application, target: str) -> str:
    """Take a fresh draft as far as `target` through the services; returns where it is."""
    from .services.corrections import application_correction_request
    from .services.plan_check import plan_check_run
    from .services.review import (
        application_approved_handle,
        application_issue_handle,
        application_rejected_handle,
    )

    S = ApplicationStatus
    # Reloaded: the owner and parcel were written by the services, on their own instances.
    application = Application.objects.select_related(
        "permit_type", "owner_person__user", "created_by").get(pk=application.pk)
    filer = application.created_by
    owner_user = application.owner_person.user if application.owner_person_id else None
    if target == S.DRAFT:
        return S.DRAFT
    if target == S.WITHDRAWN:
        application_withdraw(application_id=application.pk, user=filer, reason=WITHDRAW_REASON)
        return S.WITHDRAWN
    _demo_documents_upload(application, filer)
    application = application_submit(application_id=application.pk, user=filer)
    if application.status == S.AWAITING_CONSENT:
        if target == S.AWAITING_CONSENT:
            return target
        if target == S.CONSENT_DECLINED:
            application_consent_decline(application_id=application.pk, user=owner_user,
                                        reason=DECLINE_REASON)
            return target
        application_consent_give(application_id=application.pk, user=owner_user)
    application = Application.objects.select_related("permit_type").get(pk=application.pk)
    # The routing task's work, done here so the next step finds the case in review.
    case_route(case_id=application.case_id)
    case = _case(application)
    if target == S.REJECTED:
        case_transition(case_id=case.pk, action="reject",
                        actor=_staff(case.department_id, StaffRole.REVIEWER),
                        comment=REJECTION_REASON)
        # As the task does, for the latest "reject" of the case.
        application_rejected_handle(case_id=case.pk, event_id=None)
        return target
    clerk = _staff(case.department_id, StaffRole.CLERK)
    if application.fees.filter(stage=FeeStage.APPLICATION).exists():
        _demo_fee_pay(application, FeeStage.APPLICATION)
    if target == S.IN_REVIEW:
        return target
    if target == S.AWAITING_CORRECTION:
        application_correction_request(application_id=application.pk, actor=clerk,
                                       fields=["floors"], documents=[], note=CORRECTION_NOTE)
        return target
    reviewer = _staff(case.department_id, StaffRole.REVIEWER)
    if application.permit_type.plan_check:
        plan_check_run(application_id=application.pk, actor=reviewer)
    if Transition.objects.filter(from_state_id=case.state_id,
                                 action="send_to_inspection").exists():
        case_transition(case_id=case.pk, action="send_to_inspection", actor=clerk)
        _demo_site_visit(application, _case(application))
    else:
        case_transition(case_id=case.pk, action="send_to_decision", actor=clerk)
    case_transition(case_id=case.pk, action="approve", actor=reviewer, comment=APPROVAL_NOTE)
    application_approved_handle(case_id=case.pk, event_id=_latest_event_id(case.pk, "approve"))
    if Application.objects.get(pk=application.pk).status == S.AWAITING_FEE:
        if target == S.AWAITING_FEE:
            return target
        _demo_fee_pay(application, FeeStage.ISSUANCE)
    # The payment (or, with nothing to pay, the approval) asked for the case's "fee paid"
    # move: make it, then issue the permit, as their tasks do.
    move = CaseMove.objects.filter(case_id=case.pk, action="fee_paid",
                                   moved_at__isnull=True).order_by("pk").first()
    if move is None or case_move_apply(move_id=move.pk) != MoveOutcome.MOVED:
        raise DomainError("permits.demo_case_not_moved", "لم تنتقل المعاملة بعد السداد.",
                          "The case did not move on after the payment.")
    move.refresh_from_db()
    application_issue_handle(case_id=case.pk, event_id=move.event_id)
    return Application.objects.get(pk=application.pk).status


# --- Paper-era permits: expired, suspended, cancelled -----------------------------------------

PAPER_HEADER = ("paper_number,type_code,municipality_code,holder_id,holder_name,deed_number,"
                "plan_number,parcel_number,district_code,issued_on,valid_until,details,"
                "latitude,longitude")
# (paper number, deed, issued on, valid until, details, what the building department's reviewer
# then decides: None (it stays as imported: expired when its date has passed), "suspend" or
# "cancel", and why)
PAPER_PERMITS = [
    ("1438/4471", "410105001103", "2017-03-12", "2020-03-11",
     "floors=2;built_area_m2=780.00;use=commercial", None, ""),
    ("1445/2093", "420105002202", "2024-05-05", "2027-05-04",
     "floors=2;built_area_m2=610.00;use=residential", "suspend",
     "أعمال بناء تتجاوز الارتداد الأمامي المعتمد؛ توقف الرخصة حتى تصحيح المخالفة."),
    ("1446/0815", "410105001102", "2025-03-02", "2028-03-01",
     "floors=3;built_area_m2=1500.00;use=residential", "cancel",
     "ألغيت بطلب المالك بعد بيع الأرض."),
]


def _demo_paper_permits_seed(log: Log) -> None:
    """Paper-era building permits brought in through the import (one long expired), then one
    suspended and one cancelled by a reviewer of its municipality, with the reason."""
    from .imports import permits_import
    from .services.lifecycle import permit_cancel, permit_suspend

    tally = _Tally()
    permit_type = PermitType.objects.filter(code="building_permit").first()
    deeds = {d[0]: d for d in DEEDS}
    for paper, deed_number, issued, until, details, decision, reason in PAPER_PERMITS:
        deed = LocalDeed.objects.filter(deed_number=deed_number).first()
        if permit_type is None or deed is None:
            tally["skipped (not seeded)"] += 1
            continue
        if Permit.objects.filter(permit_type=permit_type, paper_reference=paper,
                                 municipality__code=deed.municipality_code).exists():
            tally["kept"] += 1
            continue
        latitude, longitude = deeds[deed_number][9]
        line = ",".join([paper, permit_type.code, deed.municipality_code, deed.owner_id,
                         deed.owner_name_ar, deed.deed_number, deed.plan_number,
                         deed.parcel_number, deed.district_code, issued, until, details,
                         latitude, longitude])
        try:
            with transaction.atomic():
                report = permits_import(data=f"{PAPER_HEADER}\n{line}\n")
                if report.problems:
                    tally[f"refused ({report.problems[0].message_en})"] += 1
                    continue
                (permit,) = report.imported
                if decision is not None:
                    reviewer = (User.objects.filter(
                        memberships__department__municipality=permit.municipality,
                        memberships__department__code="engineering",
                        memberships__role=StaffRole.REVIEWER,
                        memberships__is_active=True).order_by("pk").first())
                    decide = permit_suspend if decision == "suspend" else permit_cancel
                    decide(permit_id=permit.pk, actor=reviewer, reason=reason)
        except DomainError as refused:
            tally[refused.code] += 1
            continue
        tally[Permit.objects.get(pk=permit.pk).status] += 1
    log(f"paper-era permits imported: {tally}")


def _demo_draft_make(*, permit_type: PermitType, office: RegisteredOffice | None, owner,
                     deed: LocalDeed | None, coordinates, answers: dict) -> Application:
    # A type that needs a contractor beside its design office (demolition) names the one of
    # the parcel's municipality.
    contractor = None
    if (office is None or office.kind != OfficeKind.CONTRACTOR) and deed is not None and \
            permit_type.parties.filter(role=PartyRole.CONTRACTOR, required=True).exists():
        contractor = (RegisteredOffice.objects.filter(
            kind=OfficeKind.CONTRACTOR, is_active=True,
            establishment__municipality__code=deed.municipality_code).order_by("pk").first())
    if permit_type.filed_by == FiledBy.OWNER:
        filer = owner.user
        municipality = Municipality.objects.get(code=deed.municipality_code)
    else:
        filer = office.establishment.representatives.order_by("national_id").first().user
        municipality = (Municipality.objects.get(code=deed.municipality_code) if deed
                        else office.establishment.municipality)
    application = Application(permit_type=permit_type, municipality=municipality,
                              answers=dict(answers), filing_office=office, created_by=filer,
                              last_step=1)
    created = application_event_append(application, kind=ApplicationEventKind.CREATED,
                                       actor=filer, payload={"source": "demo"})
    application.save()
    created.application = application
    created.save()
    if office is not None:
        role = (PartyRole.CONTRACTOR if office.kind == OfficeKind.CONTRACTOR
                else PartyRole.DESIGN_OFFICE)
        ApplicationParty.objects.create(application=application, role=role, office=office,
                                        establishment=office.establishment)
    if isinstance(owner, Establishment):
        application_party_add(application_id=application.pk, user=filer, role=PartyRole.OWNER,
                              unified_number=owner.unified_number)
    else:
        application_party_add(application_id=application.pk, user=filer, role=PartyRole.OWNER,
                              national_id=owner.national_id)
    if contractor is not None:
        application_party_add(application_id=application.pk, user=filer,
                              role=PartyRole.CONTRACTOR,
                              office_licence_number=contractor.licence_number)
    if deed is not None:
        latitude, longitude = coordinates
        application_parcel_set(application_id=application.pk, user=filer,
                               deed_number=deed.deed_number, deed_date=deed.deed_date,
                               district_code=deed.district_code, latitude=latitude,
                               longitude=longitude)
    return application
