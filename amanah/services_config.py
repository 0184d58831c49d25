"""Writes of the configuration pages for departments and staff roles: who may make them, then
the services that own the rows (`staff_membership_grant`, `staff_membership_revoke`)."""

from django.db import transaction

from .enums import StaffRole
from .errors import DomainError, NotFound, PermissionDenied
from .identity import digits_normalise
from .models import Department, Person, StaffMembership, User
from .permissions import admin_may_configure
from .services import staff_membership_grant, staff_membership_revoke, user_staff_flag_sync


def _not_allowed() -> PermissionDenied:
    return PermissionDenied("config.not_allowed", "لا تملك صلاحية إدارة هذه البلدية.",
                            "You may not configure this municipality.")


def _department_for(actor, department_id: int, *, lock: bool = False) -> Department:
    qs = Department.objects.select_related("municipality")
    if lock:
        qs = qs.select_for_update(of=("self",))
    department = qs.filter(pk=department_id).first()
    if department is None:
        raise NotFound("department.not_found", "الإدارة غير موجودة.", "No such department.")
    if not admin_may_configure(actor, department.municipality_id):
        raise _not_allowed()
    return department


def staff_user_find(*, login: str) -> User | None:
    """An account by its username, or by the national ID / iqama of the person behind it."""
    login = digits_normalise(login or "").strip()[:150]
    if not login:
        return None
    user = User.objects.filter(username=login, is_active=True).first()
    if user is None:
        person = (Person.objects.select_related("user")
                  .filter(national_id=login, user__isnull=False, user__is_active=True).first())
        user = person.user if person else None
    return user


@transaction.atomic
def staff_role_grant(*, department_id: int, login: str, role: str, actor) -> StaffMembership:
    """An admin of the department's municipality gives someone a role in it."""
    department = _department_for(actor, department_id)
    if role not in StaffRole.values:
        raise DomainError("staff.bad_role", "الدور غير معروف.", "Unknown role.", field="role")
    user = staff_user_find(login=login)
    if user is None:
        raise DomainError("staff.user_not_found",
                          "لا يوجد حساب بهذا الاسم أو رقم الهوية.",
                          "No account has this username or ID number.", field="login")
    if StaffMembership.objects.filter(user=user, department=department, role=role,
                                      is_active=True).exists():
        raise DomainError("staff.already_holds", "يحمل هذا الدور في هذه الإدارة من قبل.",
                          "They already hold this role in this department.", field="role")
    return staff_membership_grant(user=user, department=department, role=role)


@transaction.atomic
def staff_role_revoke(*, membership_id: int, actor) -> StaffMembership:
    """An admin of the department's municipality takes a role away (never their own admin
    role: another admin does that, so nobody locks themselves out by a slip)."""
    membership = (StaffMembership.objects.select_related("department", "user")
                  .filter(pk=membership_id).first())
    if membership is None:
        raise NotFound("membership.not_found", "الدور غير موجود.", "No such role.")
    _department_for(actor, membership.department_id)
    if membership.user_id == actor.pk and membership.role == StaffRole.ADMIN:
        raise DomainError("staff.own_admin_role",
                          "لا تسحب دور الإدارة من نفسك؛ يسحبه مشرف آخر.",
                          "You cannot take your own administrator role away; another admin "
                          "can.")
    if not membership.is_active:
        raise DomainError("staff.already_revoked", "سُحب هذا الدور من قبل.",
                          "This role was already taken away.")
    return staff_membership_revoke(membership=membership)


@transaction.atomic
def department_active_set(*, department_id: int, is_active: bool, actor) -> Department:
    """An admin of the municipality opens or closes a department; members of a closed
    department lose its roles' access until it opens again (their roles are kept)."""
    department = _department_for(actor, department_id, lock=True)
    if department.is_active == is_active:
        raise DomainError("department.unchanged",
                          "الإدارة على هذه الحال من قبل.", "The department is already so.")
    department.is_active = is_active
    department._history_user = actor
    department.save(update_fields=["is_active"])
    # Admin access to the Django admin follows active ADMIN roles in active departments.
    for user in User.objects.filter(memberships__department=department,
                                    memberships__role=StaffRole.ADMIN,
                                    memberships__is_active=True).distinct():
        user_staff_flag_sync(user=user)
    return department
