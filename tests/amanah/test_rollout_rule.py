"""The rollout rule (amanah/rollout.py), table-driven: who may start an e-service in a
municipality, for each rollout state × who is asking × whether the municipality is active.

Live: anyone. Pilot: people who live there, staff of that municipality or of its Amanah.
Off, no rollout row, or an inactive municipality: nobody."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.enums import MunicipalityKind, OwningApp, RolloutState, StaffRole
from amanah.errors import DomainError
from amanah.models import EServiceRollout, Municipality
from amanah.rollout import eservice_start_check
from amanah.selectors import eservice_list_startable
from tests.factories import (
    CitizenFactory,
    DepartmentFactory,
    EServiceFactory,
    EServiceRolloutFactory,
    MunicipalityFactory,
    PersonFactory,
    StaffMembershipFactory,
)

pytestmark = pytest.mark.django_db

OFF_AR = "هذه الخدمة غير متاحة في بلدية الخبر بعد."
OFF_EN = "This service is not offered in Khobar Municipality yet."
PILOT_AR = ("هذه الخدمة في مرحلة تجريبية في بلدية الخبر، وهي متاحة حاليًا لسكانها ومنسوبيها "
            "فقط.")
PILOT_EN = ("This service is being piloted in Khobar Municipality and is open only to its "
            "residents and staff for now.")

NO_ROW = "no_row"
STATES = [NO_ROW, RolloutState.OFF, RolloutState.PILOT, RolloutState.LIVE]
CALLERS = [
    "nobody",                       # a call from code with no user and no person
    "anonymous",                    # a signed-out visitor
    "resident_here_by_person",      # the person record is passed
    "resident_here_by_account",     # only the account is passed; its person lives here
    "resident_elsewhere",
    "staff_here",
    "staff_here_inactive_membership",
    "staff_here_inactive_department",
    "staff_elsewhere",              # a sibling branch's staff
    "staff_amanah",                 # the Amanah's own (central) staff
]

# The table: who may start the service, by rollout state, in an active municipality.
ALLOWED = {
    NO_ROW: set(),
    RolloutState.OFF: set(),
    RolloutState.PILOT: {"resident_here_by_person", "resident_here_by_account", "staff_here",
                         "staff_amanah"},
    RolloutState.LIVE: set(CALLERS),
}
# The refusal everybody else gets: (code, HTTP status, Arabic, English).
REFUSAL = {
    NO_ROW: ("rollout.service_off", 400, OFF_AR, OFF_EN),
    RolloutState.OFF: ("rollout.service_off", 400, OFF_AR, OFF_EN),
    RolloutState.PILOT: ("rollout.pilot_only", 403, PILOT_AR, PILOT_EN),
    RolloutState.LIVE: None,
}


@pytest.fixture
def places():
    amanah = MunicipalityFactory(code="EPA", kind=MunicipalityKind.AMANAH, parent=None,
                                 name_ar="أمانة المنطقة الشرقية",
                                 name_en="Eastern Province Amanah")
    here = MunicipalityFactory(code="KHB", parent=amanah, name_ar="بلدية الخبر",
                               name_en="Khobar Municipality")
    elsewhere = MunicipalityFactory(code="QTF", parent=amanah, name_ar="بلدية محافظة القطيف",
                                    name_en="Qatif Municipality")
    return {"amanah": amanah, "here": here, "elsewhere": elsewhere}


def _staff(municipality, *, membership_active=True, department_active=True):
    department = DepartmentFactory(municipality=municipality, is_active=department_active)
    return StaffMembershipFactory(department=department, role=StaffRole.CLERK,
                                  is_active=membership_active).user


def caller(name: str, places) -> tuple:
    """(user, person) for the caller `name`."""
    here, elsewhere, amanah = places["here"], places["elsewhere"], places["amanah"]
    if name == "nobody":
        return None, None
    if name == "anonymous":
        return AnonymousUser(), None
    if name == "resident_here_by_person":
        return None, PersonFactory(municipality=here)
    if name == "resident_here_by_account":
        return CitizenFactory(municipality=here).user, None
    if name == "resident_elsewhere":
        citizen = CitizenFactory(municipality=elsewhere)
        return citizen.user, citizen
    if name == "staff_here":
        return _staff(here), None
    if name == "staff_here_inactive_membership":
        return _staff(here, membership_active=False), None
    if name == "staff_here_inactive_department":
        return _staff(here, department_active=False), None
    if name == "staff_elsewhere":
        return _staff(elsewhere), None
    if name == "staff_amanah":
        return _staff(amanah), None
    raise AssertionError(name)


def _service_in(state, municipality):
    service = EServiceFactory(code="complaint", owning_app=OwningApp.WORKFLOW, display_order=50)
    if state != NO_ROW:
        EServiceRolloutFactory(eservice=service, municipality=municipality, state=state)
    return service


def _check(service, municipality, user, person):
    eservice_start_check(eservice=service, municipality=municipality, user=user, person=person)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("who", CALLERS)
def test_the_rule_in_an_active_municipality(places, state, who):
    # given the service in `state` in Khobar, and the caller `who`
    here = places["here"]
    service = _service_in(state, here)
    user, person = caller(who, places)
    # when they ask to start it in Khobar
    if who in ALLOWED[state]:
        # then it is allowed, and the selector offers it to them
        _check(service, here, user, person)
        offered = eservice_list_startable(municipality=here, user=user, person=person)
        assert [o.eservice.code for o in offered] == ["complaint"]
        return
    code, status, message_ar, message_en = REFUSAL[state]
    with pytest.raises(DomainError) as refused:
        _check(service, here, user, person)
    # then it is refused in both languages, naming the municipality; the selector agrees
    assert (refused.value.code, refused.value.status) == (code, status)
    assert (refused.value.message_ar, refused.value.message_en) == (message_ar, message_en)
    assert refused.value.field == "eservice"
    assert eservice_list_startable(municipality=here, user=user, person=person) == []


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("who", CALLERS)
def test_an_inactive_municipality_offers_nothing_to_anyone(places, state, who):
    # given the service in `state` in Khobar, which is then deactivated
    here = places["here"]
    service = _service_in(state, here)
    user, person = caller(who, places)
    Municipality.objects.filter(pk=here.pk).update(is_active=False)
    # when anyone asks to start it there
    with pytest.raises(DomainError) as refused:
        _check(service, here, user, person)
    # then it is off for everybody, and nothing is offered
    assert refused.value.code == "rollout.service_off"
    assert (refused.value.message_ar, refused.value.message_en) == (OFF_AR, OFF_EN)
    assert eservice_list_startable(municipality=here, user=user, person=person) == []


def test_a_rollout_elsewhere_does_not_open_it_here(places):
    # given the service live in Qatif and off in Khobar
    service = _service_in(RolloutState.LIVE, places["elsewhere"])
    EServiceRolloutFactory(eservice=service, municipality=places["here"],
                           state=RolloutState.OFF)
    user, person = caller("resident_here_by_account", places)
    # when a Khobar resident asks to start it in Khobar
    with pytest.raises(DomainError) as refused:
        _check(service, places["here"], user, person)
    # then it is off here
    assert refused.value.code == "rollout.service_off"


def test_branch_staff_do_not_count_for_the_amanahs_own_pilot(places):
    # given the service piloted in the Amanah itself
    amanah = places["amanah"]
    service = _service_in(RolloutState.PILOT, amanah)
    branch_staff, _ = caller("staff_here", places)
    amanah_staff, _ = caller("staff_amanah", places)
    # when staff of a branch ask, then they are refused (the Amanah is not their municipality)
    with pytest.raises(DomainError) as refused:
        _check(service, amanah, branch_staff, None)
    assert refused.value.code == "rollout.pilot_only"
    assert refused.value.message_en == (
        "This service is being piloted in Eastern Province Amanah and is open only to its "
        "residents and staff for now.")
    # and the Amanah's own staff may
    _check(service, amanah, amanah_staff, None)


def test_the_service_may_be_named_by_its_code_and_the_field_chosen(places):
    # given the service off in Khobar
    _service_in(RolloutState.OFF, places["here"])
    # when a caller names it by code and says which form field it belongs to
    with pytest.raises(DomainError) as refused:
        eservice_start_check(eservice="complaint", municipality=places["here"], field="kind")
    # then the refusal is the same, placed on that field
    assert (refused.value.code, refused.value.field) == ("rollout.service_off", "kind")
    # and an unknown code is simply not offered anywhere
    with pytest.raises(DomainError) as unknown:
        eservice_start_check(eservice="no_such_service", municipality=places["here"])
    assert unknown.value.code == "rollout.service_off"


def test_the_check_and_the_selector_each_take_one_query(places):
    # given a pilot in Khobar, other services in several states, and a Khobar staff member
    here = places["here"]
    service = _service_in(RolloutState.PILOT, here)
    for code, state in (("a_live", RolloutState.LIVE), ("b_off", RolloutState.OFF),
                        ("c_pilot", RolloutState.PILOT)):
        EServiceRolloutFactory(eservice=EServiceFactory(code=code, display_order=1),
                               municipality=here, state=state)
    user, _ = caller("staff_here", places)
    person = PersonFactory(municipality=places["elsewhere"])
    # when the check runs and the page's list is read
    with CaptureQueriesContext(connection) as check_queries:
        _check(service, here, user, person)
    with CaptureQueriesContext(connection) as list_queries:
        codes = [o.eservice.code for o in eservice_list_startable(
            municipality=here, user=user, person=person)]
    # then each is one query, and the list is in display order without the service that is off
    assert (len(check_queries), len(list_queries)) == (1, 1)
    assert codes == ["a_live", "c_pilot", "complaint"]
    assert EServiceRollout.objects.count() == 4
