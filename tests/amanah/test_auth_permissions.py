import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from amanah.auth.providers import user_for_verified_national_id
from amanah.enums import StaffRole
from amanah.permissions import (
    is_admin,
    is_citizen,
    person_for_user,
    staff_memberships,
    user_departments,
    user_has_role,
)
from amanah.views import url_or_none
from tests.conftest import device_known
from tests.factories import (
    DEFAULT_PASSWORD,
    CitizenFactory,
    DepartmentFactory,
    PersonFactory,
    StaffMembershipFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_roles_follow_department_and_role_together():
    # given a reviewer in licensing and a clerk in engineering; an inactive inspector role
    user = StaffUserFactory()
    licensing, engineering, legal = DepartmentFactory(), DepartmentFactory(), DepartmentFactory()
    StaffMembershipFactory(user=user, department=licensing, role=StaffRole.REVIEWER)
    StaffMembershipFactory(user=user, department=engineering, role=StaffRole.CLERK)
    StaffMembershipFactory(user=user, department=legal, role=StaffRole.INSPECTOR, is_active=False)
    # then each question is answered by role AND department
    assert user_has_role(user, department=licensing, roles=[StaffRole.REVIEWER]) is True
    assert user_has_role(user, department=licensing.pk, roles=[StaffRole.CLERK]) is False
    assert user_has_role(user, department=engineering, roles=[StaffRole.CLERK,
                                                              StaffRole.HEAD]) is True
    assert user_has_role(user, department=legal, roles=[StaffRole.INSPECTOR]) is False
    assert set(user_departments(user)) == {licensing, engineering}
    assert list(user_departments(user, roles=[StaffRole.REVIEWER])) == [licensing]
    assert sorted((m.department_id, m.role) for m in staff_memberships(user)) == sorted(
        [(licensing.pk, StaffRole.REVIEWER), (engineering.pk, StaffRole.CLERK)])
    assert is_citizen(user) is False
    assert is_admin(user) is False


def test_memberships_are_read_once_per_user_object():
    user = StaffUserFactory()
    department = DepartmentFactory()
    StaffMembershipFactory(user=user, department=department, role=StaffRole.HEAD)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            user_has_role(user, department=department, roles=[StaffRole.HEAD])
    assert len(queries) == 1


def test_a_superuser_holds_every_role_and_may_administer():
    root = UserFactory(is_superuser=True)
    assert user_has_role(root, department=DepartmentFactory(), roles=[StaffRole.CASHIER]) is True
    assert is_admin(root) is True


def test_the_admin_role_grants_model_permissions_in_the_admin():
    admin = StaffMembershipFactory(role=StaffRole.ADMIN).user
    clerk = StaffMembershipFactory(role=StaffRole.CLERK).user
    assert admin.has_perm("amanah.change_municipality") is True
    assert admin.has_module_perms("amanah") is True
    assert clerk.has_perm("amanah.change_municipality") is False


def test_anonymous_and_citizens():
    from django.contrib.auth.models import AnonymousUser

    citizen = CitizenFactory()
    anonymous = AnonymousUser()
    assert person_for_user(citizen.user) == citizen
    assert is_citizen(citizen.user) is True
    assert person_for_user(anonymous) is None
    assert is_citizen(anonymous) is False
    assert staff_memberships(anonymous) == []
    assert list(user_departments(anonymous)) == []
    assert user_has_role(anonymous, department=DepartmentFactory(), roles=StaffRole.values) is False


def test_a_single_sign_on_provider_finds_the_account_of_a_verified_id():
    citizen = CitizenFactory()
    without_account = PersonFactory()
    arabic = citizen.national_id.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert user_for_verified_national_id(arabic) == citizen.user
    assert user_for_verified_national_id(without_account.national_id) is None


def test_an_unknown_url_name_gives_no_link_instead_of_an_error():
    assert url_or_none("nowhere:at_all") is None
    assert url_or_none("") is None
    with translation.override("en"):
        assert url_or_none("amanah:home") == "/en/"


def test_a_citizen_whose_mobile_is_unconfirmed_is_sent_to_confirm_it(client):
    citizen = CitizenFactory(mobile_confirmed_at=None)
    with translation.override("ar"):
        url = reverse("amanah:sign_in")
    response = client.post(url, {"username": citizen.national_id, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/ar/account/confirm-mobile/"


def test_sign_in_goes_back_to_a_safe_next_page_only(client):
    citizen = CitizenFactory()
    device_known(client, citizen)
    with translation.override("en"):
        url = reverse("amanah:sign_in")
    inside = client.post(url, {"username": citizen.national_id, "password": DEFAULT_PASSWORD,
                               "next": "/en/account/"})
    client.logout()
    device_known(client, citizen)
    outside = client.post(url, {"username": citizen.national_id, "password": DEFAULT_PASSWORD,
                                "next": "https://evil.example/"})
    assert inside["Location"] == "/en/account/"
    assert outside["Location"] == "/en/"
