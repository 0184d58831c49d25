"""Cashiers issue miscellaneous fees at the scheduled amount."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from amanah.enums import RolloutState, StaffRole
from amanah.errors import DomainError
from payments.enums import BillStatus, FeeRuleKind
from payments.models import Bill, SadadOutbox
from payments.services import fee_schedule_create, misc_fee_issue
from tests.factories import (
    CitizenFactory,
    DepartmentFactory,
    EServiceRolloutFactory,
    MunicipalityFactory,
    PersonFactory,
    StaffMembershipFactory,
)

from .factories import misc_fee_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def municipality():
    municipality = MunicipalityFactory(municipality_class=3)
    # Live there: rollout's refusals are tests/payments/test_rollout_misc_fee.py's to test.
    EServiceRolloutFactory(eservice=misc_fee_service(), municipality=municipality,
                           state=RolloutState.LIVE)
    return municipality


@pytest.fixture
def service():
    service = misc_fee_service()
    fee_schedule_create(eservice=service, municipality_class=3, kind=FeeRuleKind.FIXED,
                        amount="100", effective_from=dt.date(2020, 1, 1))
    return service


def member(municipality, role, code="finance"):
    return StaffMembershipFactory(department=DepartmentFactory(municipality=municipality,
                                                               code=code), role=role).user


def test_cashier_issues_a_misc_fee_at_the_scheduled_amount(municipality, service, queued):
    cashier = member(municipality, StaffRole.CASHIER)
    with queued() as tasks:
        bill = misc_fee_issue(actor=cashier, municipality=municipality, eservice=service,
                              payer_person=PersonFactory(), description_ar="نسخة مخطط",
                              description_en="Copy of a plan")
    assert (bill.amount, bill.status, bill.issued_by, bill.payable_kind) == (
        Decimal("100.00"), BillStatus.PENDING_REGISTRATION, cashier, "misc_fee")
    assert bill.payable_ref.startswith("MF-")
    assert [name for name, _ in tasks] == ["payments.outbox_send"]


@pytest.mark.parametrize("who", ["anonymous", "citizen", "clerk", "cashier_of_another_place",
                                 "cashier_outside_finance"])
def test_only_cashiers_of_the_municipality_issue_misc_fees(municipality, service, who, queued):
    actor = {
        "anonymous": lambda: AnonymousUser(),
        "citizen": lambda: CitizenFactory().user,
        "clerk": lambda: member(municipality, StaffRole.CLERK),
        "cashier_of_another_place": lambda: member(MunicipalityFactory(), StaffRole.CASHIER),
        "cashier_outside_finance": lambda: member(municipality, StaffRole.CASHIER, "licensing"),
    }[who]()
    with queued() as tasks, pytest.raises(DomainError) as refused:
        misc_fee_issue(actor=actor, municipality=municipality, eservice=service,
                       payer_person=PersonFactory(), description_en="Copy of a plan")
    assert refused.value.code == "payments.not_cashier"
    assert (Bill.objects.count(), SadadOutbox.objects.count()) == (0, 0)
    assert tasks == []


def test_service_without_a_fee_schedule_cannot_be_billed(municipality):
    cashier = member(municipality, StaffRole.CASHIER)
    with pytest.raises(DomainError) as refused:
        misc_fee_issue(actor=cashier, municipality=municipality, eservice=misc_fee_service(),
                       payer_person=PersonFactory(), description_en="Copy of a plan")
    assert refused.value.code == "fee.no_schedule"
    assert Bill.objects.count() == 0
