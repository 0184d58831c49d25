"""Demo data for the workflow: the two Amanah-wide procedures, published, and a handful of
cases in different states for the demo citizens of Khobar and Dammam. A re-run changes nothing.
"""

from collections.abc import Callable

from amanah.demo import eservice_start_page_ensure
from amanah.enums import MunicipalityKind, StaffRole
from amanah.models import Department, EService, Municipality, Person, StaffMembership, User

from .demo_definitions import DEMO_DEFINITIONS
from .enums import VersionStatus
from .models import Case, DefinitionVersion
from .services import (
    case_claim,
    case_return_to_applicant,
    case_route,
    case_submit,
    case_transfer,
    case_transition,
    definition_import,
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
    for code in ("general_correspondence", "complaint"):
        eservice_start_page_ensure(code=code, url_name="workflow:case_new", log=log)
