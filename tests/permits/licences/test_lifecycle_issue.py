"""A licence's issue and holder: its validity is the years chosen, its details name its
activities, and any representative of the holding establishment acts as its holder."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.errors import PermissionDenied
from permits.enums import ApplicationKind
from permits.models import Application, PermitVersion
from permits.services.lifecycle import (
    permit_is_held_by,
    permit_renewal_start,
    permit_replacement_request,
)
from tests.factories import CitizenFactory
from tests.permits.lifecycle_helpers import day

from .factories import BARBER, GOOD_LICENCE_ANSWERS, GROCERY, licence_issue_make, licence_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clock):
    clock.set(day(2026, 12, 1))
    return licence_world()


@pytest.mark.parametrize("years, valid_until", [
    ("1", dt.date(2027, 11, 30)), ("2", dt.date(2028, 11, 30)), ("3", dt.date(2029, 11, 30))])
def test_a_licence_runs_for_the_years_chosen(world, years, valid_until):
    # given a licence applied for on 1 December 2026 for 1, 2 or 3 years
    licence = licence_issue_make(world, answers={**GOOD_LICENCE_ANSWERS,
                                                 "validity_years": years})
    # then it is valid that many times 12 months, and so is its first version
    assert (licence.valid_from, licence.valid_until) == (dt.date(2026, 12, 1), valid_until)
    assert PermitVersion.objects.get(permit=licence).valid_until == valid_until


def test_a_licences_details_carry_its_activities_in_order(world):
    licence = licence_issue_make(world, activities=(BARBER, GROCERY))
    assert licence.details == {
        "trade_name": "بقالة النخيل", "cr_number": "1010123456",
        "lease_contract_number": "LS-2026-0001", "shop_area_m2": "60.00",
        "signage_area_m2": "3.00", "validity_years": "1", "activities": [BARBER, GROCERY]}
    assert PermitVersion.objects.get(permit=licence).details["activities"] == [BARBER, GROCERY]


def test_a_representative_of_the_establishment_is_the_licences_holder(world):
    licence = licence_issue_make(world)
    # a second representative added later is a holder too
    second = CitizenFactory(municipality=world.municipality)
    world.establishment.representatives.add(second)
    assert [permit_is_held_by(licence, p) for p in (
        world.delegate, second, world.other_delegate, world.citizen, None)] == [
        True, True, False, False, False]


@pytest.mark.parametrize("who", ["other_delegate", "citizen"])
def test_another_establishments_delegate_or_a_citizen_cannot_act_on_the_licence(
        world, clock, who):
    licence = licence_issue_make(world)
    clock.set(day(2027, 10, 1))
    user = getattr(world, who).user
    for act in (lambda: permit_renewal_start(permit_id=licence.pk, user=user, years=1),
                lambda: permit_replacement_request(permit_id=licence.pk, user=user,
                                                   reason="فقدت")):
        with pytest.raises(PermissionDenied) as refused:
            act()
        assert refused.value.code == "permits.not_holder"
    assert not Application.objects.exclude(kind=ApplicationKind.NEW).exists()


def test_the_delegate_asks_for_a_replacement_certificate(world):
    licence = licence_issue_make(world)
    application = permit_replacement_request(permit_id=licence.pk, user=world.delegate.user,
                                             reason="تلفت الشهادة")
    assert (application.kind, application.owner_establishment, application.owner_person) == (
        ApplicationKind.REPLACEMENT, world.establishment, None)
    assert list(application.fees.values_list("stage", "amount")) == [
        ("replacement", Decimal("100.00"))]


def test_the_delegate_objects_to_a_decision_on_the_licence(world):
    from permits.services.lifecycle import permit_objection_file, permit_suspend
    from tests.permits.lifecycle_helpers import objection_procedure_publish

    objection_procedure_publish(world)
    licence = licence_issue_make(world)
    permit_suspend(permit_id=licence.pk, actor=world.head, reason="مخالفة")
    objection = permit_objection_file(permit_id=licence.pk, user=world.delegate.user,
                                      grounds="أزيلت المخالفة قبل القرار")
    assert (objection.permit, objection.case.applicant_person,
            objection.case.applicant_establishment) == (licence, None, world.establishment)
    with pytest.raises(PermissionDenied):
        permit_objection_file(permit_id=licence.pk, user=world.other_delegate.user,
                              grounds="اعتراض")
