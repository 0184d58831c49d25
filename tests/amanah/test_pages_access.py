import pytest
from django.urls import reverse
from django.utils import translation

from amanah.enums import StaffRole
from amanah.services import staff_membership_grant
from tests.factories import CitizenFactory, DepartmentFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF_ROLES = [role.value for role in StaffRole]
WHO = ["anonymous", "citizen", *[f"staff:{role}" for role in STAFF_ROLES], "superuser"]
PAGES = ["home", "staff_home", "account", "admin"]


def _user_for(who: str):
    if who == "anonymous":
        return None
    if who == "citizen":
        return CitizenFactory().user
    if who == "superuser":
        return UserFactory(username="root", is_superuser=True, is_staff=True)
    role = who.split(":")[1]
    user = StaffUserFactory()
    staff_membership_grant(user=user, department=DepartmentFactory(), role=role)
    return user


def _url(page: str) -> str:
    with translation.override("ar"):
        return reverse("admin:index") if page == "admin" else reverse(f"amanah:{page}")


def _expected(who: str, page: str) -> int:
    signed_in = who != "anonymous"
    staff = who.startswith("staff:") or who == "superuser"
    if page == "home":
        return 302 if staff else 200            # staff go on to their staff home
    if page == "staff_home":
        if not signed_in:
            return 302
        return 200 if staff else 403
    if page == "account":
        return 200 if signed_in else 302
    if page == "admin":
        return 200 if who in ("staff:admin", "superuser") else 302
    raise AssertionError(page)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", WHO)
def test_who_may_open_which_page(client, who, page):
    # given someone signed in as `who` (or nobody)
    user = _user_for(who)
    if user is not None:
        client.force_login(user)
    # when they open the page
    response = client.get(_url(page))
    # then they get it, are redirected (to sign in, or to their own home), or are refused
    assert response.status_code == _expected(who, page)
    if response.status_code == 302 and who == "anonymous" and page != "admin":
        assert response["Location"].startswith("/ar/account/sign-in/?next=")
    if response.status_code == 302 and page == "home":
        assert response["Location"] == "/ar/staff/"


def test_the_admin_role_is_what_sets_is_staff_and_revoking_clears_it():
    from amanah.services import staff_membership_revoke

    # given a clerk
    user = StaffUserFactory()
    clerk = staff_membership_grant(user=user, department=DepartmentFactory(), role="clerk")
    user.refresh_from_db()
    assert user.is_staff is False
    # when they are also made admin, then revoked
    admin = staff_membership_grant(user=user, department=clerk.department, role="admin")
    user.refresh_from_db()
    granted = user.is_staff
    staff_membership_revoke(membership=admin)
    user.refresh_from_db()
    # then is_staff followed the admin role; the revoked row stays, inactive
    assert granted is True
    assert user.is_staff is False
    assert list(user.memberships.order_by("role").values_list("role", "is_active")) == [
        ("admin", False), ("clerk", True)]
