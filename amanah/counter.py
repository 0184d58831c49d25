"""Counter service: staff serve a walk-in citizen, found by ID, at a municipality's counter.

Who serves where is decided here, once, for the apps that file or bill at the counter: a member
of staff serves the counter of a municipality where they hold one of the roles asked for in an
active department of that municipality, or of its Amanah (whose central departments serve the
branches, as in `amanah.rollout`). Staff of a sibling branch do not.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from .enums import MunicipalityKind, StaffRole
from .errors import Conflict, DomainError, PermissionDenied
from .identity import mobile_normalise, national_id_normalise
from .models import Department, Municipality, Person
from .permissions import staff_memberships

# Filing a transaction for a citizen is a clerk's (or their head's) work; issuing a fee at the
# counter is a cashier's or a clerk's.
COUNTER_FILE_ROLES = frozenset({StaffRole.CLERK, StaffRole.HEAD})
COUNTER_FEE_ROLES = frozenset({StaffRole.CASHIER, StaffRole.CLERK})
COUNTER_ROLES = COUNTER_FILE_ROLES | COUNTER_FEE_ROLES


def counter_department(user, *, municipality: Municipality, roles=COUNTER_ROLES,
                       ) -> tuple[Department, str] | None:
    """The department (and role) in which `user` serves `municipality`'s counter: one of the
    municipality's own first, else one of its Amanah's. None when they do not serve it."""
    own, central = [], []
    for membership in staff_memberships(user):
        if membership.role not in roles:
            continue
        department = membership.department
        if department.municipality_id == municipality.pk:
            own.append(membership)
        elif (department.municipality_id == municipality.parent_id
              and department.municipality.kind == MunicipalityKind.AMANAH):
            central.append(membership)
    for membership in own or central:
        return membership.department, membership.role
    return None


def counter_municipalities(user, *, roles=COUNTER_ROLES) -> QuerySet[Municipality]:
    """The active municipalities whose counter `user` serves, in order. One query at most."""
    own, amanahs = set(), set()
    for membership in staff_memberships(user):
        if membership.role in roles:
            own.add(membership.department.municipality_id)
            if membership.department.municipality.kind == MunicipalityKind.AMANAH:
                amanahs.add(membership.department.municipality_id)
    if not own:
        return Municipality.objects.none()
    return (Municipality.objects.filter(Q(pk__in=own) | Q(parent_id__in=amanahs), is_active=True)
            .order_by("kind", "code"))


def is_counter_staff(user) -> bool:
    return any(m.role in COUNTER_ROLES for m in staff_memberships(user))


def counter_refused() -> PermissionDenied:
    return PermissionDenied(
        "counter.not_counter_staff",
        "لا تخدم كاونتر هذه البلدية: يلزم دور موظف أو رئيس قسم (أو أمين صندوق للرسوم) "
        "في إدارة نشطة فيها أو في أمانتها.",
        "You do not serve this municipality's counter: it takes a clerk's or head's role (or a "
        "cashier's, for fees) in an active department there or at its Amanah.",
        field="municipality")


def person_find(*, national_id: str) -> Person | None:
    """The person holding this (valid) national ID or iqama, with their municipality, or None.
    A malformed number is refused with the identity rule's own message. One query."""
    number = national_id_normalise(national_id)
    return Person.objects.select_related("municipality").filter(national_id=number).first()


def person_get(*, person_id: int) -> Person | None:
    return Person.objects.select_related("municipality").filter(pk=person_id).first()


def mobile_masked(mobile: str) -> str:
    """+966551234567 → +9665•••••567: enough for the citizen to recognise, not to copy."""
    if not mobile:
        return ""
    return mobile[:5] + "•" * max(len(mobile) - 8, 0) + mobile[-3:]


@transaction.atomic
def person_register_at_counter(*, national_id: str, name_ar: str, name_en: str = "",
                               mobile: str = "", clerk, municipality: Municipality) -> Person:
    """A walk-in citizen the portal does not know yet is recorded by the clerk serving them, as
    living in a municipality whose counter the clerk serves; the person's history says who."""
    number = national_id_normalise(national_id)
    name_ar, name_en = (name_ar or "").strip(), (name_en or "").strip()
    if not name_ar:
        raise DomainError("counter.name_ar_required", "اكتب الاسم بالعربية.",
                          "Enter the name in Arabic.", field="name_ar")
    mobile_e164 = mobile_normalise(mobile) if (mobile or "").strip() else ""
    if (not municipality.is_active
            or counter_department(clerk, municipality=municipality) is None):
        raise counter_refused()
    person = Person(national_id=number, name_ar=name_ar[:200], name_en=name_en[:200],
                    mobile=mobile_e164, municipality=municipality)
    # simple_history records these with the row it writes: who, and why.
    person._history_user = clerk
    person._change_reason = "registered at the counter"
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise Conflict("counter.person_exists", "يوجد شخص مسجل بهذا الرقم.",
                       "A person with this number is already recorded.",
                       field="national_id") from None
    return person
