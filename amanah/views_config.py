"""Departments and staff roles for admins: the municipalities they may configure, each
department's members, granting and taking roles away, and opening or closing a department
(both confirmed in words)."""


from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .enums import StaffRole
from .errors import DomainError, PermissionDenied
from .models import Department, StaffMembership
from .page_access import forbidden, portal_admin_required
from .permissions import admin_may_configure, admin_municipality_ids
from .selectors_config import department_history, department_members, departments_by_municipality
from .services_config import department_active_set, staff_role_grant, staff_role_revoke


class RoleGrantForm(forms.Form):
    login = forms.CharField(label=gettext_lazy("Username, national ID or iqama"), max_length=150,
                            widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=StaffRole.choices)


def _department(request, department_id: int) -> Department:
    department = (Department.objects.select_related("municipality")
                  .filter(pk=department_id).first())
    if department is None:
        raise Http404
    return department


def _name(user) -> str:
    return user.get_full_name() or user.username


@portal_admin_required
def department_list(request):
    return render(request, "amanah/config/department_list.html", {
        "groups": departments_by_municipality(
            municipality_ids=admin_municipality_ids(request.user)),
    })


@portal_admin_required
def department_detail(request, department_id: int):
    department = _department(request, department_id)
    if not admin_may_configure(request.user, department.municipality_id):
        return forbidden(request)
    form = RoleGrantForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                membership = staff_role_grant(department_id=department.pk,
                                              login=form.cleaned_data["login"],
                                              role=form.cleaned_data["role"], actor=request.user)
            except PermissionDenied:
                return forbidden(request)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None,
                               error.message)
            else:
                messages.success(request, _("%(name)s can now work as %(role)s in %(department)s.")
                                 % {"name": _name(membership.user),
                                    "role": membership.get_role_display(),
                                    "department": department.name(_lang())})
                return redirect("amanah:department_detail", department_id=department.pk)
        status = 400
    return render(request, "amanah/config/department_detail.html", {
        "department": department, "members": department_members(department=department),
        "history": department_history(department=department), "form": form,
    }, status=status)


def _lang() -> str:
    from django.utils.translation import get_language

    return (get_language() or "ar")[:2]


@portal_admin_required
def membership_revoke(request, membership_id: int):
    membership = (StaffMembership.objects.select_related("user", "department__municipality")
                  .filter(pk=membership_id, is_active=True).first())
    if membership is None:
        raise Http404
    department = membership.department
    if not admin_may_configure(request.user, department.municipality_id):
        return forbidden(request)
    sentence = _("%(name)s will no longer be able to work as %(role)s in %(department)s.") % {
        "name": _name(membership.user), "role": membership.get_role_display(),
        "department": department.name(_lang())}
    error = None
    if request.method == "POST":
        try:
            staff_role_revoke(membership_id=membership.pk, actor=request.user)
        except PermissionDenied:
            return forbidden(request)
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(request, _("%(name)s no longer works as %(role)s in "
                                        "%(department)s.") % {
                "name": _name(membership.user), "role": membership.get_role_display(),
                "department": department.name(_lang())})
            return redirect("amanah:department_detail", department_id=department.pk)
    return render(request, "amanah/config/confirm.html", {
        "title": _("Take a role away"), "sentence": sentence, "error": error,
        "button": _("Take the role away"), "department": department,
    }, status=400 if error else 200)


@portal_admin_required
def department_active(request, department_id: int):
    department = _department(request, department_id)
    if not admin_may_configure(request.user, department.municipality_id):
        return forbidden(request)
    closing = department.is_active
    values = {"department": department.name(_lang())}
    if closing:
        sentence = _("%(department)s will be closed: its staff will no longer see its queue "
                     "or act in it. Their roles are kept for when it opens again.") % values
    else:
        sentence = _("%(department)s will be opened again: its staff will work in it with the "
                     "roles they hold.") % values
    error = None
    if request.method == "POST":
        try:
            department_active_set(department_id=department.pk, is_active=not closing,
                                  actor=request.user)
        except PermissionDenied:
            return forbidden(request)
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(request, (_("%(department)s is closed.") if closing
                                       else _("%(department)s is open again.")) % values)
            return redirect("amanah:department_detail", department_id=department.pk)
    return render(request, "amanah/config/confirm.html", {
        "title": _("Close the department") if closing else _("Open the department"),
        "button": _("Close the department") if closing else _("Open the department"),
        "sentence": sentence, "error": error, "department": department,
    }, status=400 if error else 200)
