import re
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from amanah.demo import DEMO_PASSWORD
from amanah.enums import MunicipalityKind, RolloutState, StaffRole
from amanah.identity import luhn_is_valid
from amanah.models import (
    Department,
    EService,
    EServiceRollout,
    Establishment,
    Municipality,
    Person,
    StaffMembership,
    User,
)

pytestmark = pytest.mark.django_db

ESERVICE_CODES = {"misc_fee", "bill_inquiry", "general_correspondence", "complaint",
                  "building_permit", "commercial_license", "excavation_permit", "signage_permit",
                  "violation", "violation_objection"}
DEPARTMENT_CODES = {"licensing", "engineering", "inspection", "legal", "finance",
                    "customer_service"}


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _sign_in(username: str):
    return authenticate(RequestFactory().post("/"), username=username, password=DEMO_PASSWORD)


def _every_table() -> dict[str, list[dict]]:
    """Every row of every model (history and other apps' tables included), in key order."""
    return {model._meta.label: list(model._default_manager.order_by("pk").values())
            for model in apps.get_models()}


def test_seed_demo_twice_gives_exactly_the_same_data():
    # given the demo data seeded once
    _seed()
    before = _every_table()
    # when it is seeded again
    output = _seed()
    after = _every_table()
    # then every table has the same number of rows with the same values
    assert {label: len(rows) for label, rows in after.items()} == {
        label: len(rows) for label, rows in before.items()}
    for label, rows in before.items():
        assert after[label] == rows, label
    assert "municipalities: 5 unchanged" in output
    assert "seed_demo: done" in output


def test_seed_demo_creates_the_amanah_its_pilots_and_other_branches():
    # given an empty database
    # when the demo is seeded
    output = _seed()
    # then the Eastern Province Amanah has Khobar and Central Dammam plus Qatif and Jubail
    amanah = Municipality.objects.get(code="EPA")
    assert (amanah.name_ar, amanah.kind, amanah.parent) == (
        "أمانة المنطقة الشرقية", MunicipalityKind.AMANAH, None)
    assert set(amanah.branches.values_list("code", flat=True)) == {"KHB", "DMM", "QTF", "JBL"}
    assert set(Municipality.objects.filter(kind=MunicipalityKind.BRANCH)
               .values_list("code", flat=True)) == {"KHB", "DMM", "QTF", "JBL"}
    for municipality in Municipality.objects.all():
        assert set(municipality.departments.values_list("code", flat=True)) == DEPARTMENT_CODES
    assert "municipalities: 5 created" in output


def test_seed_demo_has_a_staff_member_for_every_role_who_can_sign_in():
    # given the demo data
    _seed()
    # when each role's demo staff member is looked for
    roles = set(StaffMembership.objects.values_list("role", flat=True))
    clerk = User.objects.get(username="khb.licensing.clerk")
    # then every role is held, and the documented password signs them in
    assert roles == set(StaffRole.values)
    assert clerk.memberships.get().department.municipality.code == "KHB"
    assert _sign_in("khb.licensing.clerk") == clerk
    assert _sign_in("dmm.finance.cashier") is not None
    head = User.objects.get(username="khb.licensing.head")
    assert Department.objects.get(municipality__code="KHB", code="licensing").head == head
    admin = User.objects.get(username="epa.admin")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert admin.memberships.get().role == StaffRole.ADMIN
    assert not User.objects.filter(is_staff=True).exclude(username="epa.admin").exists()


def test_seed_demo_citizens_have_valid_ids_confirmed_mobiles_and_accounts():
    # given the demo data
    _seed()
    people = list(Person.objects.select_related("user", "municipality"))
    # then there are citizens and residents in Khobar, Dammam and Qatif, each able to sign in
    assert len(people) >= 4
    assert {p.national_id[0] for p in people} == {"1", "2"}
    assert {"KHB", "DMM", "QTF"} <= {p.municipality.code for p in people}
    for person in people:
        assert luhn_is_valid(person.national_id)
        assert person.mobile_confirmed_at is not None
        assert person.mobile.startswith("+9665") and len(person.mobile) == 13
        assert person.user.username == person.national_id
        assert _sign_in(person.national_id) == person.user
    establishment = Establishment.objects.get(unified_number="7001234567")
    assert establishment.representatives.count() == 1


# The permits demo makes these live in the pilots ("the demo catalogue's building, excavation
# and certificate cards are live in the pilot municipalities"; the certificate is its own).
LIVE_IN_PILOTS = {"building_permit", "excavation_permit"}


def test_seed_demo_pilots_the_catalogue_in_khobar_and_central_dammam_only():
    # given the demo data
    _seed()
    # when the rollouts are read
    states = {(r.eservice.code, r.municipality.code): r.state
              for r in EServiceRollout.objects.select_related("eservice", "municipality")}
    # then every e-service is piloted (or, for the permit cards, live) in the two pilots and
    # off elsewhere
    assert set(EService.objects.values_list("code", flat=True)) >= ESERVICE_CODES
    for code in ESERVICE_CODES:
        in_pilots = RolloutState.LIVE if code in LIVE_IN_PILOTS else RolloutState.PILOT
        assert states[code, "KHB"] == in_pilots
        assert states[code, "DMM"] == in_pilots
        # (complaints are live in Qatif, the branch the scorecards compare the pilots with)
        assert states[code, "QTF"] == (RolloutState.LIVE if code == "complaint"
                                       else RolloutState.OFF)
        assert states[code, "JBL"] == RolloutState.OFF


def test_seed_demo_keeps_what_an_admin_or_a_later_app_changed():
    # given the demo data, then Qatif switched live and a page name set for one service
    _seed()
    EServiceRollout.objects.filter(eservice__code="complaint", municipality__code="QTF").update(
        state=RolloutState.LIVE)
    EService.objects.filter(code="complaint").update(url_name="amanah:home")
    # when the demo is seeded again
    _seed()
    # then both changes stand
    assert EServiceRollout.objects.get(eservice__code="complaint",
                                       municipality__code="QTF").state == RolloutState.LIVE
    assert EService.objects.get(code="complaint").url_name == "amanah:home"


def test_seed_demo_puts_back_a_demo_name_that_was_edited():
    # given the demo data with Khobar's English name edited by hand
    _seed()
    Municipality.objects.filter(code="KHB").update(name_en="Edited")
    # when the demo is seeded again
    output = _seed()
    # then the demo name is back, and only that row was written
    assert Municipality.objects.get(code="KHB").name_en == "Khobar Municipality"
    assert "municipalities: 4 unchanged, 1 updated" in output


def test_seed_demo_staff_have_personal_names_shown_in_the_header(client):
    # given the demo data
    _seed()
    staff = list(User.objects.filter(memberships__isnull=False).distinct())
    # then every staff member has a first and a family name, no two share a full name,
    # and none is named after a role any more
    assert len(staff) == 39
    assert all(user.first_name and user.last_name for user in staff)
    assert len({user.get_full_name() for user in staff}) == 39
    assert not {user.first_name for user in staff} & {"موظف", "مراجع", "مراقب", "رئيس"}
    # when Khobar's licensing head opens the staff home in both languages
    head = User.objects.get(username="khb.licensing.head")
    client.force_login(head)
    arabic = client.get("/ar/staff/").content.decode()
    english = client.get("/en/staff/").content.decode()
    # then the header shows their full name, as written, in both
    name = f"{head.first_name} {head.last_name}"
    assert _header_name(arabic) == name
    assert _header_name(english) == name


def _header_name(html: str) -> str:
    return re.search(r'<span class="user-name"[^>]*>([^<]*)</span>', html).group(1)
