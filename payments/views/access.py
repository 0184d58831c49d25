"""Who may see which payments pages. Business rules stay in the services; this is page access."""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from amanah.enums import MunicipalityKind, StaffRole
from amanah.permissions import is_admin, staff_memberships

FINANCE_DEPARTMENT_CODE = "finance"
FINANCE_PAGE_ROLES = (StaffRole.CASHIER, StaffRole.HEAD, StaffRole.ADMIN)


@dataclass(frozen=True)
class FinanceScope:
    """`municipality_ids` None: every municipality (Amanah-level finance and admins)."""

    municipality_ids: frozenset[int] | None
    roles: frozenset[str]
    is_admin: bool

    @property
    def may_issue_bills(self) -> bool:
        return self.is_admin or StaffRole.CASHIER in self.roles

    def covers(self, municipality_id: int | None) -> bool:
        if self.municipality_ids is None or municipality_id is None:
            return True
        return municipality_id in self.municipality_ids


def finance_scope(user) -> FinanceScope | None:
    """Finance staff (cashier, head or admin of a finance department) or an admin; else None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser or is_admin(user):
        return FinanceScope(municipality_ids=None, is_admin=True,
                            roles=frozenset(m.role for m in staff_memberships(user)))
    finance = [m for m in staff_memberships(user)
               if m.department.code == FINANCE_DEPARTMENT_CODE and m.role in FINANCE_PAGE_ROLES]
    if not finance:
        return None
    roles = frozenset(m.role for m in finance)
    if any(m.department.municipality.kind == MunicipalityKind.AMANAH for m in finance):
        return FinanceScope(municipality_ids=None, roles=roles, is_admin=False)
    return FinanceScope(municipality_ids=frozenset(m.department.municipality_id for m in finance),
                        roles=roles, is_admin=False)


def forbidden(request):
    return render(request, "amanah/forbidden.html", status=403)


def finance_required(view):
    """Anonymous → sign in; signed in without a finance role → 403; else `request.finance`."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        scope = finance_scope(request.user)
        if scope is None:
            return forbidden(request)
        request.finance = scope
        return view(request, *args, **kwargs)

    return wrapped
