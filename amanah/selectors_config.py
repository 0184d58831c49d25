"""Reads of the departments and staff pages, each a fixed number of queries."""

from collections import defaultdict

from django.db.models import Count

from .enums import StaffRole
from .models import Department, Municipality, StaffMembership

HISTORY_SHOWN = 50


def departments_by_municipality(*, municipality_ids: set[int] | None) -> list[dict]:
    """[{"municipality", "departments": [{"department", "roles": [(label, count)]}]}]"""
    municipalities = Municipality.objects.select_related("parent").order_by("kind", "code")
    departments = Department.objects.order_by("code")
    counts = StaffMembership.objects.filter(is_active=True)
    if municipality_ids is not None:
        municipalities = municipalities.filter(pk__in=municipality_ids)
        departments = departments.filter(municipality_id__in=municipality_ids)
        counts = counts.filter(department__municipality_id__in=municipality_ids)
    per_department = defaultdict(dict)
    for row in counts.values("department_id", "role").annotate(n=Count("pk")):
        per_department[row["department_id"]][row["role"]] = row["n"]
    by_municipality = defaultdict(list)
    for department in departments:
        roles = per_department.get(department.pk, {})
        by_municipality[department.municipality_id].append({
            "department": department,
            "roles": [(label, roles[value]) for value, label in StaffRole.choices
                      if roles.get(value)],
            "staff": sum(roles.values()),
        })
    return [{"municipality": m, "departments": by_municipality.get(m.pk, [])}
            for m in municipalities]


def department_members(*, department: Department) -> list[StaffMembership]:
    return list(StaffMembership.objects.filter(department=department, is_active=True)
                .select_related("user").order_by("role", "user__username"))


def department_history(*, department: Department) -> list[dict]:
    """Role grants and revocations, and the department opened or closed: newest first."""
    rows = []
    for record in (StaffMembership.history.filter(department_id=department.pk)
                   .select_related("history_user", "user")
                   .order_by("-history_date")[:HISTORY_SHOWN]):
        rows.append({"at": record.history_date, "by": record.history_user, "user": record.user,
                     "role": record.get_role_display(), "is_active": record.is_active,
                     "kind": "role", "history_type": record.history_type})
    for record in (Department.history.filter(id=department.pk).select_related("history_user")
                   .order_by("-history_date")[:HISTORY_SHOWN]):
        rows.append({"at": record.history_date, "by": record.history_user,
                     "is_active": record.is_active, "kind": "department",
                     "history_type": record.history_type})
    rows.sort(key=lambda row: row["at"], reverse=True)
    return rows[:HISTORY_SHOWN]
