"""Demo data for the workflow: the two Amanah-wide procedures, published, and a handful of
cases in different states for the demo citizens of Khobar and Dammam. A re-run changes nothing.
"""

import datetime as dt
from collections.abc import Callable

from amanah import clock
from amanah.dates import RIYADH
from amanah.demo import eservice_start_page_ensure
from amanah.enums import MunicipalityKind, RolloutState, StaffRole
from amanah.models import (
    Department,
    EService,
    EServiceRollout,
    Municipality,
    Person,
    PilotThreshold,
    StaffMembership,
    User,
)
from amanah.rollout import pilot_threshold_set, rollout_state_set

from .demo_definitions import DEMO_DEFINITIONS
from .enums import VersionStatus
from .models import Case, DefinitionVersion, WorkflowDefinition
from .services import (
    case_claim,
    case_return_to_applicant,
    case_route,
    case_submit,
    case_submit_at_counter,
    case_transfer,
    case_transition,
    definition_import,
    version_draft_create,
)

Log = Callable[[str], None]

# Used only when the core demo has not created them (it runs first and normally has).
_DEPARTMENT_NAMES = {
    "customer_service": ("خدمة العملاء", "Customer Service"),
    "licensing": ("إدارة الرخص التجارية", "Commercial Licensing"),
    "engineering": ("إدارة رخص البناء والشؤون الهندسية", "Building Permits and Engineering"),
    "inspection": ("إدارة الرقابة الميدانية", "Field Inspection"),
    "legal": ("الإدارة القانونية", "Legal Affairs"),
    "finance": ("الإدارة المالية", "Finance"),
}


def _amanah() -> Municipality:
    amanah = Municipality.objects.filter(kind=MunicipalityKind.AMANAH).order_by("id").first()
    if amanah is None:
        amanah, _ = Municipality.objects.get_or_create(
            code="EPA", defaults={"name_ar": "أمانة المنطقة الشرقية",
                                  "name_en": "Eastern Province Amanah",
                                  "kind": MunicipalityKind.AMANAH})
    return amanah


def _departments_ensure(amanah: Municipality) -> None:
    for code, (name_ar, name_en) in _DEPARTMENT_NAMES.items():
        Department.objects.get_or_create(municipality=amanah, code=code,
                                         defaults={"name_ar": name_ar, "name_en": name_en})


def _definitions_seed(amanah: Municipality, log: Log) -> None:
    for data in DEMO_DEFINITIONS:
        eservice = EService.objects.filter(code=data["eservice"]).first()
        if eservice is None:
            # Imported without its e-service it would ignore rollout: better not at all.
            log(f"definition {data['code']}: e-service {data['eservice']} not found "
                "(amanah demo not seeded?); skipped")
            continue
        published = (DefinitionVersion.objects.filter(
            definition__code=data["code"], definition__municipality=amanah,
            status=VersionStatus.PUBLISHED).select_related("definition").first())
        if published is not None:
            definition = published.definition
            if definition.eservice_id is None:
                # Seeded before procedures named their e-service (and the migration found
                # no e-service then): link it, as that migration would have.
                definition.eservice = eservice
                definition.save(update_fields=["eservice"])
                log(f"definition {data['code']} @ {amanah.code}: linked to its e-service")
            log(f"definition {data['code']} @ {amanah.code}: v{published.number} kept")
            continue
        version = definition_import(data=data, municipality=amanah, publish=True)
        log(f"definition {data['code']} @ {amanah.code}: v{version.number} published")


def _staff(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _staff_or_create(municipality: Municipality, department_code: str, role: str) -> User:
    """The demo account `khb.licensing.reviewer` style, created if the core demo lacks it."""
    username = f"{municipality.code.lower()}.{department_code}.{role}"
    user = _staff(username)
    if user is None:
        user = User.objects.create_user(username=username, password=None)
    department, _ = Department.objects.get_or_create(
        municipality=municipality, code=department_code,
        defaults=dict(zip(("name_ar", "name_en"), _DEPARTMENT_NAMES[department_code],
                          strict=True)))
    StaffMembership.objects.get_or_create(user=user, department=department, role=role)
    return user


# (municipality, kind, subject, what happens after routing)
DEMO_CASES = [
    ("KHB", "general_correspondence", "طلب إفادة عن حالة رصف شارع الأمير تركي", "routed"),
    ("KHB", "general_correspondence", "طلب تعديل مسمى نشاط في الرخصة", "transferred"),
    ("KHB", "general_correspondence", "طلب نسخة من مخطط الأرض", "returned"),
    ("KHB", "complaint", "تجمع مياه أمطار أمام المنزل في حي العقربية", "inspection"),
    ("KHB", "complaint", "إنارة معطلة في حديقة الحي", "resolved"),
    ("DMM", "general_correspondence", "طلب إفادة عن مواعيد جمع النفايات", "answered"),
    ("DMM", "complaint", "مخلفات بناء على الرصيف في حي الفيصلية", "routed"),
]


def _demo_case(municipality: Municipality, kind: str, subject: str, plan: str,
               person: Person) -> Case:
    case = case_submit(kind=kind, municipality=municipality, subject=subject,
                       submitted_by=person.user, applicant_person=person,
                       description="حالة تجريبية لأغراض التدريب.")
    # Routed here, not by the queued task, so the demo is complete when seed_demo returns;
    # the task finds the case routed and does nothing.
    case = case_route(case_id=case.pk)
    clerk = _staff_or_create(municipality, "customer_service", StaffRole.CLERK)
    if plan == "transferred":
        case_claim(case_id=case.pk, actor=clerk)
        case_transfer(case_id=case.pk, actor=clerk, department_code="licensing",
                      note="الطلب من اختصاص إدارة الرخص التجارية.")
    elif plan == "returned":
        case_return_to_applicant(case_id=case.pk, actor=clerk,
                                 comment="نأمل إرفاق صورة صك الملكية.")
    elif plan in ("inspection", "resolved"):
        case_transition(case_id=case.pk, action="send_to_inspection", actor=clerk)
        if plan == "resolved":
            inspector = _staff_or_create(municipality, "inspection", StaffRole.INSPECTOR)
            case_claim(case_id=case.pk, actor=inspector)
            case_transition(case_id=case.pk, action="resolve", actor=inspector,
                            comment="تم إصلاح الإنارة والتحقق ميدانيًا.")
    elif plan == "answered":
        reviewer = _staff_or_create(municipality, "licensing", StaffRole.REVIEWER)
        case_transfer(case_id=case.pk, actor=clerk, department_code="licensing",
                      note="للإفادة من الإدارة المختصة.")
        case_transition(case_id=case.pk, action="answer", actor=reviewer,
                        comment="مواعيد الجمع يوميًا من الساعة ٩ مساءً.")
    return case


def _cases_seed(log: Log) -> None:
    created = kept = 0
    for municipality_code, kind, subject, plan in DEMO_CASES:
        municipality = Municipality.objects.filter(code=municipality_code).first()
        person = (Person.objects.filter(municipality=municipality, user__isnull=False,
                                        national_id__startswith="1")
                  .select_related("user").order_by("national_id").first()
                  if municipality else None)
        if person is None:
            log(f"demo cases in {municipality_code}: no demo citizen there, skipped")
            continue
        if Case.objects.filter(applicant_person=person, subject=subject).exists():
            kept += 1
            continue
        _demo_case(municipality, kind, subject, plan, person)
        created += 1
    log(f"demo cases: {created} created, {kept} kept")


def seed(*, log: Log) -> None:
    amanah = _amanah()
    _departments_ensure(amanah)
    _definitions_seed(amanah, log)
    _cases_seed(log)
    backoffice_seed(amanah=amanah, log=log)
    for code in ("general_correspondence", "complaint"):
        eservice_start_page_ensure(code=code, url_name="workflow:case_new", log=log)


# --- The back office's demo: counter filings, a pilot's history, thresholds, a draft ----------

# Filed for walk-in citizens by Khobar's customer-service clerk (search, the case header
# "Filed at the counter" and the scorecards' adoption show them).
COUNTER_CASES = [
    ("KHB", "complaint", "حفرة في شارع الملك فهد أمام مدخل الحي"),
    ("KHB", "general_correspondence", "طلب إفادة عن اعتماد مخطط حي الراكة الجنوبية"),
]

# The last 90 days of the complaint pilot in each pilot municipality, so that the scorecards
# and the rollout matrix have something to judge: (municipality, days ago, outcome, hours the
# inspection took). Khobar closes most complaints within the day; Central Dammam files few,
# closes one late (past its 70 working hours), returns one and leaves one open — it does not
# meet the thresholds below.
PILOT_HISTORY = [
    ("KHB", 80, "resolved", 3), ("KHB", 66, "resolved", 5), ("KHB", 52, "resolved", 2),
    ("KHB", 41, "resolved", 4), ("KHB", 30, "resolved", 6), ("KHB", 21, "returned", 0),
    ("KHB", 12, "resolved", 3), ("KHB", 5, "open", 0),
    ("DMM", 70, "resolved", 400), ("DMM", 45, "returned", 0), ("DMM", 20, "open", 0),
    # Qatif, where complaints are live, for the scorecards' side-by-side comparison.
    ("QTF", 75, "resolved", 8), ("QTF", 50, "resolved", 30), ("QTF", 33, "returned", 0),
    ("QTF", 15, "resolved", 4), ("QTF", 8, "open", 0),
]
# The live branch the pilots are compared with (switched once, as an admin would; if an admin
# has switched it since, a re-seed leaves it as they chose).
LIVE_BRANCH = ("complaint", "QTF")
# One subject per PILOT_HISTORY row, in order (a re-seed finds each case by it).
HISTORY_SUBJECTS = [
    "تسرب مياه من شبكة الري في الجزيرة الوسطى", "أعمدة إنارة مطفأة في ممشى الكورنيش",
    "حاوية نفايات ممتلئة منذ يومين", "رصيف متكسر أمام المدرسة الابتدائية",
    "أشجار تحجب إشارة المرور", "مطب صناعي دون دهان عاكس",
    "كلاب ضالة قرب الحديقة العامة", "روائح من غرفة تفتيش الصرف",
    "مخلفات تشذيب أشجار على الطريق", "لوحة إرشادية ساقطة عند التقاطع",
    "ألعاب أطفال مكسورة في الحديقة", "بسطات عشوائية أمام السوق",
    "انسداد تصريف مياه الأمطار", "سيارة مهملة منذ أشهر في الموقف",
    "أرض فضاء تتجمع فيها النفايات", "ضعف إنارة النفق",
]

# What a complaints pilot must reach before it may go live (entered as an admin would).
PILOT_THRESHOLDS = [("complaint", "cases", "min", 5, 0), ("complaint", "sla_met", "min", 60, 3)]


def _working_morning(days_ago: int) -> dt.datetime:
    """09:00 in Riyadh `days_ago` days before today, moved back to a Sunday–Thursday."""
    day = clock.now().astimezone(RIYADH).date() - dt.timedelta(days=days_ago)
    while day.weekday() in (4, 5):  # Friday, Saturday
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=RIYADH)


def _demo_citizen(municipality_code: str) -> Person | None:
    return (Person.objects.filter(municipality__code=municipality_code, user__isnull=False,
                                  national_id__startswith="1")
            .select_related("user", "municipality").order_by("national_id").first())


def _counter_cases_seed(log: Log) -> None:
    created = kept = 0
    for municipality_code, kind, subject in COUNTER_CASES:
        person = _demo_citizen(municipality_code)
        clerk = _staff(f"{municipality_code.lower()}.customer_service.clerk")
        if person is None or clerk is None:
            log(f"counter cases in {municipality_code}: no demo citizen or clerk; skipped")
            continue
        if Case.objects.filter(applicant_person=person, subject=subject).exists():
            kept += 1
            continue
        case = case_submit_at_counter(clerk=clerk, person=person, kind=kind, subject=subject,
                                      description="قدّمه موظف خدمة العملاء عن المواطن حضوريًا.")
        case_route(case_id=case.pk)
        created += 1
    log(f"cases filed at the counter: {created} created, {kept} kept")


def _history_case(municipality_code: str, n: int, days_ago: int, outcome: str,
                  hours: int) -> bool:
    person = _demo_citizen(municipality_code)
    if person is None:
        return False
    subject = HISTORY_SUBJECTS[n - 1]
    if Case.objects.filter(applicant_person=person, subject=subject).exists():
        return False
    municipality = person.municipality
    clerk = _staff_or_create(municipality, "customer_service", StaffRole.CLERK)
    inspector = _staff_or_create(municipality, "inspection", StaffRole.INSPECTOR)
    submitted_at = _working_morning(days_ago)
    # The services stamp every event with the business clock: moved back to the day the
    # complaint came in, then to when it was handled, so the history reads as it happened.
    try:
        clock.freeze(submitted_at)
        case = case_submit(kind="complaint", municipality=municipality, subject=subject,
                           submitted_by=person.user, applicant_person=person,
                           description="حالة تجريبية لأغراض التدريب.")
        case = case_route(case_id=case.pk)
        clock.freeze(submitted_at + dt.timedelta(minutes=30))
        if outcome == "returned":
            case_return_to_applicant(case_id=case.pk, actor=clerk,
                                     comment="نأمل إرفاق صورة توضح موقع البلاغ.")
        elif outcome == "resolved":
            case_transition(case_id=case.pk, action="send_to_inspection", actor=clerk)
            case_claim(case_id=case.pk, actor=inspector)
            clock.freeze(submitted_at + dt.timedelta(hours=hours))
            case_transition(case_id=case.pk, action="resolve", actor=inspector,
                            comment="تمت المعالجة والتحقق ميدانيًا.")
    finally:
        clock.freeze(None)
    return True


def _live_branch_seed(log: Log) -> None:
    code, municipality_code = LIVE_BRANCH
    admin = _staff("epa.admin")
    rollout = (EServiceRollout.objects.filter(eservice__code=code,
                                              municipality__code=municipality_code)
               .select_related("eservice", "municipality").first())
    if admin is None or rollout is None or rollout.state != RolloutState.OFF \
            or rollout.history.count() > 1 \
            or PilotThreshold.objects.filter(eservice=rollout.eservice).exists():
        return  # switched since, or (an older demo) thresholds now ask for a pilot first
    rollout_state_set(eservice=rollout.eservice, municipality=rollout.municipality,
                      state=RolloutState.LIVE, actor=admin,
                      reason="الإطلاق الأول في فرع غير تجريبي (بيانات العرض)")
    log(f"rollout: {code} live in {municipality_code}")


def _pilot_history_seed(log: Log) -> None:
    created = 0
    for n, (municipality_code, days_ago, outcome, hours) in enumerate(PILOT_HISTORY, start=1):
        created += _history_case(municipality_code, n, days_ago, outcome, hours)
    log(f"complaints of the last 90 days (pilots and the live branch): {created} created, "
        f"{len(PILOT_HISTORY) - created} kept or skipped")


def _thresholds_seed(log: Log) -> None:
    admin = _staff("epa.admin")
    if admin is None:
        return
    created = kept = 0
    for code, metric, bound, value, min_cases in PILOT_THRESHOLDS:
        eservice = EService.objects.filter(code=code).first()
        if eservice is None:
            continue
        if PilotThreshold.objects.filter(eservice=eservice, metric=metric).exists():
            kept += 1  # an admin's own figure is never overwritten by a re-seed
            continue
        pilot_threshold_set(eservice=eservice, metric=metric, bound=bound, value=value,
                            min_cases=min_cases, actor=admin)
        created += 1
    log(f"pilot thresholds: {created} created, {kept} kept")


def _draft_seed(amanah: Municipality, log: Log) -> None:
    definition = WorkflowDefinition.objects.filter(code="complaint", municipality=amanah).first()
    if definition is None:
        return
    if definition.versions.filter(status=VersionStatus.DRAFT).exists():
        log("designer: complaint already has a draft; kept")
        return
    if definition.versions.count() > 1:
        return  # published again since: the admin's history, not the demo's to extend
    draft = version_draft_create(definition_id=definition.pk)
    draft.notes = "مسودة تجريبية: مراجعة مهلة المعالجة الميدانية."
    draft.save(update_fields=["notes"])
    log(f"designer: complaint v{draft.number} drafted")


def backoffice_seed(*, amanah: Municipality, log: Log) -> None:
    _counter_cases_seed(log)
    _live_branch_seed(log)
    _pilot_history_seed(log)
    _thresholds_seed(log)
    _draft_seed(amanah, log)
