import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.enums import RolloutState
from amanah.selectors import eservice_is_available, eservice_list_for_person
from tests.factories import (
    EServiceFactory,
    EServiceRolloutFactory,
    MunicipalityFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("state", "visible", "is_pilot"), [
    (None, False, False),
    (RolloutState.OFF, False, False),
    (RolloutState.PILOT, True, True),
    (RolloutState.LIVE, True, False),
], ids=["no-rollout-row", "off", "pilot", "live"])
def test_a_citizen_sees_a_service_only_when_it_is_pilot_or_live_where_they_live(
        state, visible, is_pilot):
    # given a service whose rollout in the citizen's municipality is `state`
    home = MunicipalityFactory(code="KHB")
    person = PersonFactory(municipality=home)
    service = EServiceFactory(code="BLD-PERMIT")
    if state is not None:
        EServiceRolloutFactory(eservice=service, municipality=home, state=state)
    # when the citizen's services are listed
    offers = eservice_list_for_person(person=person)
    # then
    assert [o.eservice.code for o in offers] == (["BLD-PERMIT"] if visible else [])
    assert [o.is_pilot for o in offers] == ([is_pilot] if visible else [])
    assert eservice_is_available(eservice="BLD-PERMIT", municipality_id=home.pk) is visible


def test_a_rollout_in_another_municipality_is_not_visible_here():
    # given the service is live in Khobar only
    khobar = MunicipalityFactory(code="KHB")
    qatif = MunicipalityFactory(code="QTF")
    service = EServiceFactory(code="SHOP-LICENCE")
    EServiceRolloutFactory(eservice=service, municipality=khobar, state=RolloutState.LIVE)
    EServiceRolloutFactory(eservice=service, municipality=qatif, state=RolloutState.OFF)
    # when a Qatif resident and a Khobar resident look
    qatif_offers = eservice_list_for_person(person=PersonFactory(municipality=qatif))
    khobar_offers = eservice_list_for_person(person=PersonFactory(municipality=khobar))
    # then only the Khobar resident sees it
    assert qatif_offers == []
    assert [o.eservice.code for o in khobar_offers] == ["SHOP-LICENCE"]


def test_services_come_in_display_order_with_one_query():
    # given three services live in one place, created out of order
    home = MunicipalityFactory(code="DMM")
    for code, order in (("C", 30), ("A", 10), ("B", 20)):
        EServiceRolloutFactory(eservice=EServiceFactory(code=code, display_order=order),
                               municipality=home, state=RolloutState.LIVE)
    person = PersonFactory(municipality=home)
    # when listed
    with CaptureQueriesContext(connection) as queries:
        offers = eservice_list_for_person(person=person)
        codes = [o.eservice.code for o in offers]
    # then in order, in one query
    assert codes == ["A", "B", "C"]
    assert len(queries) == 1


def test_a_person_without_a_municipality_sees_nothing():
    person = PersonFactory(municipality=None)
    assert eservice_list_for_person(person=person) == []
