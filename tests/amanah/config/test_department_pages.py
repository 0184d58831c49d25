"""Departments and staff roles: grant and revoke through the services, confirmed in words;
other municipalities' admins and non-admins are refused and change nothing."""

from unittest import mock

import pytest

from amanah import services
from amanah.enums import MunicipalityKind, StaffRole
from amanah.models import Department, StaffMembership
from tests.factories import (
    DepartmentFactory,
    MunicipalityFactory,
    PersonFactory,
    StaffMembershipFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/en/staff/config/"


@pytest.fixture
def amanah():
    return MunicipalityFactory(code="AMN", kind=MunicipalityKind.AMANAH, parent=None,
                               municipality_class=1)


@pytest.fixture
def branch(amanah):
    return MunicipalityFactory(code="BR2", parent=amanah, municipality_class=2)


@pytest.fixture
def other_branch(amanah):
    return MunicipalityFactory(code="BR3", parent=amanah, municipality_class=4)


@pytest.fixture
def department(branch):
    return DepartmentFactory(municipality=branch, code="licensing", name_en="Licensing")


def admin_of(municipality):
    return StaffMembershipFactory(department=DepartmentFactory(municipality=municipality),
                                  role=StaffRole.ADMIN).user


@pytest.fixture
def branch_admin(branch):
    return admin_of(branch)


def roles(department):
    return sorted(StaffMembership.objects.filter(department=department)
                  .values_list("user__username", "role", "is_active"))


def test_the_list_shows_the_admins_municipalities_with_classes_and_counts(
        client, branch_admin, department, branch, other_branch):
    StaffMembershipFactory(department=department, role=StaffRole.CLERK)
    StaffMembershipFactory(department=department, role=StaffRole.CLERK)
    StaffMembershipFactory(department=department, role=StaffRole.HEAD)
    client.force_login(branch_admin)
    response = client.get(f"{BASE}departments/")
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [g["municipality"] for g in groups] == [branch]
    licensing = next(r for r in groups[0]["departments"] if r["department"] == department)
    assert [(str(label), n) for label, n in licensing["roles"]] == [
        ("Clerk", 2), ("Head of department", 1)]
    assert "class 2" in response.content.decode()


def test_granting_a_role_by_national_id_calls_the_service(client, branch_admin, department):
    person = PersonFactory(user=UserFactory(username="newclerk"))
    client.force_login(branch_admin)
    with mock.patch("amanah.services_config.staff_membership_grant",
                    wraps=services.staff_membership_grant) as grant:
        response = client.post(f"{BASE}departments/{department.pk}/",
                               {"login": person.national_id, "role": StaffRole.REVIEWER},
                               follow=True)
    assert grant.call_count == 1
    assert response.status_code == 200
    assert roles(department) == [("newclerk", StaffRole.REVIEWER, True)]
    assert [str(m) for m in response.context["messages"]] == [
        "newclerk can now work as Reviewer in Licensing."]
    history = response.context["history"][0]
    assert (history["by"], history["is_active"]) == (branch_admin, True)


def test_an_unknown_account_is_said_next_to_its_field(client, branch_admin, department):
    client.force_login(branch_admin)
    response = client.post(f"{BASE}departments/{department.pk}/",
                           {"login": "nobody", "role": StaffRole.CLERK})
    assert response.status_code == 400
    assert response.context["form"].errors["login"] == [
        "No account has this username or ID number."]
    assert roles(department) == []


def test_revoking_is_confirmed_in_words_then_calls_the_service(client, branch_admin,
                                                               department):
    member = StaffMembershipFactory(department=department, role=StaffRole.HEAD,
                                    user=StaffUserFactory(username="head1", first_name="Sara",
                                                          last_name="Ali"))
    client.force_login(branch_admin)
    url = f"{BASE}roles/{member.pk}/revoke/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["sentence"] == ("Sara Ali will no longer be able to work as Head of "
                                        "department in Licensing.")
    assert roles(department) == [("head1", StaffRole.HEAD, True)]
    with mock.patch("amanah.services_config.staff_membership_revoke",
                    wraps=services.staff_membership_revoke) as revoke:
        response = client.post(url)
    assert revoke.call_count == 1
    assert response.status_code == 302
    assert roles(department) == [("head1", StaffRole.HEAD, False)]


def test_an_admin_cannot_take_their_own_admin_role_away(client, branch_admin):
    own = StaffMembership.objects.get(user=branch_admin)
    client.force_login(branch_admin)
    response = client.post(f"{BASE}roles/{own.pk}/revoke/")
    assert response.status_code == 400
    own.refresh_from_db()
    assert own.is_active is True


def test_closing_a_department_is_confirmed_and_recorded(client, branch_admin, department):
    client.force_login(branch_admin)
    url = f"{BASE}departments/{department.pk}/active/"
    page = client.get(url)
    assert "Licensing will be closed" in page.context["sentence"]
    department.refresh_from_db()
    assert department.is_active is True
    assert client.post(url).status_code == 302
    department.refresh_from_db()
    assert department.is_active is False
    assert Department.history.filter(id=department.pk).latest("history_date").history_user \
        == branch_admin


@pytest.mark.parametrize("who", ["other_branch_admin", "clerk"])
def test_others_are_refused_and_nothing_changes(client, who, department, other_branch):
    member = StaffMembershipFactory(department=department, role=StaffRole.CLERK)
    user = (admin_of(other_branch) if who == "other_branch_admin"
            else StaffMembershipFactory(department=department, role=StaffRole.HEAD).user)
    target = StaffUserFactory(username="target")
    client.force_login(user)
    before = roles(department)
    assert client.get(f"{BASE}departments/{department.pk}/").status_code == 403
    assert client.post(f"{BASE}departments/{department.pk}/",
                       {"login": "target", "role": StaffRole.ADMIN}).status_code == 403
    assert client.post(f"{BASE}roles/{member.pk}/revoke/").status_code == 403
    assert client.post(f"{BASE}departments/{department.pk}/active/").status_code == 403
    assert roles(department) == before
    department.refresh_from_db()
    assert department.is_active is True
    target.refresh_from_db()
    assert target.is_staff is False
