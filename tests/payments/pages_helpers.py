"""Shared by the payments page tests: a small world of places, people and one paid bill."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import translation

from amanah.enums import MunicipalityKind, StaffRole
from amanah.models import Department, Municipality, Person, User
from payments.enums import PaymentStatus
from payments.models import Bill, Payment, Receipt
from payments.sadad.simulator.bank import simulated_bank_pay
from payments.services import payment_record
from tests.factories import (
    CitizenFactory,
    DepartmentFactory,
    MunicipalityFactory,
    StaffMembershipFactory,
    StaffUserFactory,
)

from .factories import bill_make, misc_fee_service

WHO = ["anonymous", "citizen", "other_citizen", "other_department_staff", "finance_staff",
       "admin"]


@dataclass
class World:
    amanah: Municipality
    branch: Municipality
    other_branch: Municipality
    citizen: Person
    other_citizen: Person

    def staff(self, department_code: str, role: str, municipality: Municipality | None = None,
              ) -> User:
        municipality = municipality or self.branch
        user = StaffUserFactory(username=f"{municipality.code}.{department_code}.{role}".lower())
        department = (Department.objects.filter(municipality=municipality, code=department_code)
                      .first() or DepartmentFactory(municipality=municipality,
                                                    code=department_code))
        StaffMembershipFactory(user=user, department=department, role=role)
        return user

    def who(self, who: str) -> User | None:
        if who == "anonymous":
            return None
        if who == "citizen":
            return self.citizen.user
        if who == "other_citizen":
            return self.other_citizen.user
        if who == "other_department_staff":
            return self.staff("licensing", StaffRole.HEAD)
        if who == "finance_staff":
            return self.staff("finance", StaffRole.CASHIER)
        if who == "admin":
            user = StaffUserFactory(username="epa.admin")
            StaffMembershipFactory(user=user, role=StaffRole.ADMIN, department=DepartmentFactory(
                municipality=self.amanah, code="customer_service"))
            return user
        raise AssertionError(who)

    def bill(self, **kwargs) -> Bill:
        kwargs.setdefault("person", self.citizen)
        kwargs.setdefault("municipality", self.branch)
        kwargs.setdefault("eservice", misc_fee_service())
        return bill_make(**kwargs)

    def paid_bill(self, **kwargs) -> tuple[Bill, Receipt]:
        bill = self.bill(**kwargs)
        simulated_bank_pay(billing_account=bill.billing_account, amount=bill.amount)
        bill.refresh_from_db()
        return bill, Receipt.objects.select_related("payment").get(bill=bill)


@pytest.fixture(name="underpaid")
def underpaid_fixture(world, clock):
    """A 100.00 payment for a 150.00 bill of the branch (Khobar): in suspense, underpaid."""
    bill = world.bill(amount="150.00")
    result = payment_record(sptn=f"SP{uuid.uuid4().int % 10**16:016d}", amount=Decimal("100.00"),
                            billing_account=bill.billing_account, bank_id="RJHISARI",
                            channel="ATM", method="CASH", processed_at=clock.now())
    assert result.payment.status == PaymentStatus.SUSPENSE
    return result.payment


@pytest.fixture(name="world")
def world_fixture(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    amanah = MunicipalityFactory(code="EPA", kind=MunicipalityKind.AMANAH, municipality_class=1,
                                 name_ar="أمانة المنطقة الشرقية", name_en="Eastern Province Amanah")
    branch = MunicipalityFactory(code="KHB", municipality_class=2, parent=amanah,
                                 name_ar="بلدية الخبر", name_en="Khobar Municipality")
    other = MunicipalityFactory(code="QTF", municipality_class=3, parent=amanah,
                                name_ar="بلدية القطيف", name_en="Qatif Municipality")
    # reverse() in a test follows the active language, which a request in /en/ leaves behind.
    translation.activate("ar")
    yield World(amanah=amanah, branch=branch, other_branch=other,
                citizen=CitizenFactory(municipality=branch, name_ar="سارة بنت علي القحطاني",
                                       name_en="Sarah Ali Al-Qahtani"),
                other_citizen=CitizenFactory(municipality=branch))
    translation.deactivate()


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


def counts() -> tuple[int, int, int]:
    return Bill.objects.count(), Payment.objects.count(), Receipt.objects.count()
