"""Reads the finance pages use, moved out of the views: who a number names, the bill to allocate
to, what a cashier may bill, a run's exception item — each a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.enums import OwningApp, RolloutState
from payments import selectors
from payments.enums import FeeRuleKind
from payments.reconciliation.models import ReconItem
from payments.services import fee_schedule_create
from tests.factories import (
    EServiceFactory,
    EServiceRolloutFactory,
    EstablishmentFactory,
    MunicipalityFactory,
    PersonFactory,
    StaffUserFactory,
    national_id_for,
    unified_number_for,
)

from .factories import misc_fee_service
from .pages_helpers import world_fixture  # noqa: F401 - the fixture
from .test_pages_reconciliation import run  # noqa: F401 - the fixture

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


def test_bill_find_by_number(world, django_assert_num_queries):
    # given a bill
    bill = world.bill()
    # when it is looked up by its number, and an unknown number is / then one query each
    with django_assert_num_queries(1):
        assert selectors.bill_find(billing_account=bill.billing_account) == bill
    with django_assert_num_queries(1):
        assert selectors.bill_find(billing_account="10000000017") is None


@pytest.fixture
def priced_services(world):
    """The misc fee (priced, live in the branch), pavement use (priced, off everywhere) and a
    service without a fee."""
    misc = misc_fee_service()
    pavement = EServiceFactory(code="pavement_use", owning_app=OwningApp.PAYMENTS)
    EServiceFactory(code="unpriced", owning_app=OwningApp.PAYMENTS)
    for service in (misc, pavement):
        fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                            amount=Decimal("100"), effective_from=dt.date(2026, 1, 1))
    EServiceRolloutFactory(eservice=misc, municipality=world.branch, state=RolloutState.LIVE)
    return misc, pavement


@pytest.mark.parametrize("scope", ["branch", "everywhere"])
def test_misc_fee_issuable_offers_the_scopes_active_municipalities_and_priced_services(
        world, priced_services, scope, django_assert_num_queries):
    # given an inactive municipality too, and a cashier scoped to the branch or to all
    MunicipalityFactory(code="OLD", is_active=False)
    misc, pavement = priced_services
    user = StaffUserFactory(is_superuser=True)
    ids = frozenset({world.branch.pk}) if scope == "branch" else None
    # when the form's choices are read / then three queries
    with django_assert_num_queries(3):
        issuable = selectors.misc_fee_issuable(user=user, municipality_ids=ids)
        municipalities = [m.code for m in issuable.municipalities]
        eservices = [e.code for e in issuable.eservices]
        offered = [e.code for e in issuable.offered]
    # then only active municipalities in scope; every priced service, and those live there
    assert municipalities == (["KHB"] if scope == "branch"
                              else sorted(m.code for m in (world.amanah, world.branch,
                                                           world.other_branch)))
    assert sorted(eservices) == sorted([misc.code, pavement.code])
    assert offered == [misc.code]


def test_recon_exception_item_is_one_of_the_runs_exceptions(
        run, django_assert_num_queries):  # noqa: F811 - the imported fixture
    # given a run with a matched item and an amount mismatch
    mismatch = ReconItem.objects.get(run=run, sptn="SP-D")
    matched = ReconItem.objects.get(run=run, sptn="SP-A")
    # when each is asked for as an exception of the run / then one query each
    with django_assert_num_queries(1):
        assert selectors.recon_run_exception_item_get(run=run, item_id=mismatch.pk) == mismatch
    with django_assert_num_queries(1):
        assert selectors.recon_run_exception_item_get(run=run, item_id=matched.pk) is None
    # and the open exceptions are counted in one query
    with django_assert_num_queries(1):
        assert selectors.recon_exception_open_count() == 2
