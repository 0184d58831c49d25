"""Reads the finance pages use, moved out of the views: who a number names, the bill to allocate
to, what a cashier may bill, a run's exception item — each a fixed number of queries."""

import pytest

from payments import selectors
from tests.factories import (
    EstablishmentFactory,
    PersonFactory,
    national_id_for,
    unified_number_for,
)

pytestmark = pytest.mark.django_db


def test_payer_find_names_a_citizen_or_a_resident_by_id(django_assert_num_queries):
    # given a citizen and a resident
    citizen = PersonFactory(national_id=national_id_for(11))
    resident = PersonFactory(national_id=national_id_for(12, first_digit="2"))
    # when each is looked up by number / then each is found, in one query
    with django_assert_num_queries(1):
        assert selectors.payer_find(official_id=citizen.national_id) == (citizen, None)
    with django_assert_num_queries(1):
        assert selectors.payer_find(official_id=resident.national_id) == (resident, None)


def test_payer_find_names_an_establishment_by_its_unified_number(django_assert_num_queries):
    # given an establishment
    establishment = EstablishmentFactory(unified_number=unified_number_for(21))
    # when it is looked up / then it is the payer, found in one query
    with django_assert_num_queries(1):
        assert selectors.payer_find(official_id=establishment.unified_number) == (
            None, establishment)


@pytest.mark.parametrize("number", [national_id_for(99), unified_number_for(99)],
                         ids=["national-id", "unified-number"])
def test_payer_find_gives_nobody_for_an_unknown_number(number, django_assert_num_queries):
    # given nobody with this number / when it is looked up / then nobody is found
    with django_assert_num_queries(1):
        assert selectors.payer_find(official_id=number) == (None, None)


def test_payer_find_does_not_query_for_a_number_of_no_kind(django_assert_num_queries):
    # given a number starting with neither 1, 2 nor 7 / then nobody, without a query
    with django_assert_num_queries(0):
        assert selectors.payer_find(official_id="3001234567") == (None, None)
