"""Who may do what, from a user's staff memberships (role × department) or their Person.

Other apps call these helpers instead of reading memberships themselves.

Django admin access: a user may open the admin when `is_staff` is set, and the portal keeps
that flag equal to "is a superuser, or holds an active staff membership with the ADMIN role"
(see `amanah.services.user_staff_flag_sync`, called by `staff_membership_grant` and
`staff_membership_revoke`). An ADMIN-role member is granted every model permission by
`amanah.auth.backends.NationalIdBackend.has_perm`; other roles get none in the admin — they
work in the portal's own pages.
"""

from collections.abc import Iterable

from django.db.models import QuerySet

from .enums import MunicipalityKind, StaffRole
from .models import Department, Municipality, Person, StaffMembership


def staff_memberships(user) -> list[StaffMembership]:
    """The user's active memberships in active departments, with department and municipality."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_amanah_memberships", None)
    if cached is None:
        cached = list(
            StaffMembership.objects.filter(user=user, is_active=True, department__is_active=True)
            .select_related("department__municipality")
            .order_by("department__municipality__code", "department__code", "role")
        )
        # One query per request however many times templates and views ask.
        user._amanah_memberships = cached
    return cached


def is_staff_member(user) -> bool:
    return bool(staff_memberships(user))


def user_has_role(user, *, department: Department | int, roles: Iterable[str]) -> bool:
    """True when the user holds one of `roles` in `department` (superusers hold all)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    department_id = department if isinstance(department, int) else department.pk
    wanted = set(roles)
    return any(m.department_id == department_id and m.role in wanted
               for m in staff_memberships(user))


def user_departments(user, *, roles: Iterable[str] | None = None) -> QuerySet[Department]:
    """Departments where the user holds any of `roles` (any role when None)."""
    if not getattr(user, "is_authenticated", False):
        return Department.objects.none()
    memberships = StaffMembership.objects.filter(user=user, is_active=True)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return (Department.objects.filter(is_active=True,
                                      pk__in=memberships.values("department_id"))
            .select_related("municipality"))


def is_admin(user) -> bool:
    """May manage configuration in the Django admin: superuser or ADMIN role anywhere."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or any(m.role == StaffRole.ADMIN for m in staff_memberships(user))


def admin_municipality_ids(user) -> set[int] | None:
    """The municipalities whose configuration the user may manage in the portal's staff area:
    None means all of them (a superuser); an ADMIN of an Amanah's department manages the Amanah
    and every branch under it; an ADMIN of a branch's department manages that branch only; any
    other user gets an empty set. One query at most (memberships are remembered per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    ids: set[int] = set()
    amanah_ids: set[int] = set()
    for membership in staff_memberships(user):
        if membership.role != StaffRole.ADMIN:
            continue
        municipality = membership.department.municipality
        ids.add(municipality.pk)
        if municipality.kind == MunicipalityKind.AMANAH:
            amanah_ids.add(municipality.pk)
    if amanah_ids:
        ids |= set(Municipality.objects.filter(parent_id__in=amanah_ids)
                   .values_list("pk", flat=True))
    return ids


def admin_municipalities(user) -> QuerySet[Municipality]:
    """The municipalities the user may configure (see `admin_municipality_ids`), in order."""
    ids = admin_municipality_ids(user)
    queryset = Municipality.objects.all()
    return queryset if ids is None else queryset.filter(pk__in=ids)


def admin_may_configure(user, municipality: Municipality | int) -> bool:
    ids = admin_municipality_ids(user)
    municipality_id = municipality if isinstance(municipality, int) else municipality.pk
    return ids is None or municipality_id in ids


def is_amanah_admin(user) -> bool:
    """May change configuration shared by every municipality (fee schedules per class, the
    holiday calendar): a superuser, or an ADMIN of a department of the Amanah itself."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or any(
        m.role == StaffRole.ADMIN and m.department.municipality.kind == MunicipalityKind.AMANAH
        for m in staff_memberships(user))


def is_portal_admin(user) -> bool:
    """May open the portal's configuration pages (superuser, or ADMIN role anywhere)."""
    ids = admin_municipality_ids(user)
    return ids is None or bool(ids)


_NO_PERSON = object()


def person_for_user(user) -> Person | None:
    """The citizen/resident record behind a sign-in account (with its municipality), or None.

    One query, remembered on the user object for the rest of the request.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_amanah_person", None)
    if cached is None:
        cached = (Person.objects.select_related("municipality").filter(user=user).first()
                  or _NO_PERSON)
        user._amanah_person = cached
    return None if cached is _NO_PERSON else cached


def is_citizen(user) -> bool:
    """A signed-in person (citizen or resident) acting for themselves."""
    return person_for_user(user) is not None
