"""Payments tells the obligations registry what a payer still owes: bills past their due date
that nothing settled, each with a sentence naming the bill, the amount and the due date."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from amanah.obligations import obligations_for
from payments.enums import BillCategory, BillStatus
from payments.obligations import bill_obligations
from payments.services import bill_cancel, bill_expire_due, bill_issue, outbox_flush, payment_record
from tests.factories import EstablishmentFactory, MunicipalityFactory, PersonFactory

from .factories import at_riyadh, misc_fee_service

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 3, 10)


@pytest.fixture
def issue(clock):
    """Issues a bill on 1 March 2026, due on 10 March, accepted by the simulated SADAD."""
    clock.set(at_riyadh(2026, 3, 1, 10))
    municipality = MunicipalityFactory(municipality_class=2)
    service = misc_fee_service()

    def make(*, person=None, establishment=None, amount="1500.00",
             category=BillCategory.FINE, due_date=DUE, registered=True):
        bill = bill_issue(
            payable_kind="misc_fee", payable_ref=f"V-{uuid.uuid4().hex[:8]}",
            municipality=municipality, eservice=service, category=category,
            payer_person=person, payer_establishment=establishment, amount=amount,
            due_date=due_date, expiry_date=dt.date(2026, 6, 30),
            description_ar="مخالفة بناء بدون ترخيص", description_en="Building without a permit")
        if registered:
            outbox_flush()
        bill.refresh_from_db()
        return bill
    return make


def _pay(bill, clock):
    payment_record(sptn=f"SP{uuid.uuid4().int % 10**16:016d}", amount=bill.amount,
                   billing_account=bill.billing_account, bank_id="RJHISARI", channel="ATM",
                   method="CASH", processed_at=clock.now())


def test_an_overdue_unpaid_fine_is_owed_with_the_bill_amount_and_due_date(issue, clock):
    # given a citizen's fine of 1,500.00 due on 10 March, unpaid on 11 March
    person = PersonFactory()
    bill = issue(person=person)
    assert bill.status == BillStatus.UNPAID
    clock.set(at_riyadh(2026, 3, 11, 9))
    # when the registry is asked what the citizen owes
    owed = obligations_for(person=person)
    # then the fine is there, saying which bill, how much and since when, and where to pay it
    assert len(owed) == 1
    obligation = owed[0]
    assert obligation.code == "payments.bill_overdue"
    assert obligation.category == "fine"
    assert obligation.reference == bill.billing_account
    assert obligation.amount == Decimal("1500.00")
    assert obligation.parcel_ref is None
    assert obligation.reason_ar == (
        f"فاتورة غرامة رقم {bill.billing_account} (مخالفة بناء بدون ترخيص) بمبلغ "
        "1,500.00 ر.س لم تُسدَّد، وكان موعد سدادها 21 رمضان 1447 هـ — 10 مارس 2026 م.")
    assert obligation.reason_en == (
        f"Fine bill {bill.billing_account} (Building without a permit) for SAR 1,500.00 is "
        "unpaid; it was due on 21 Ramadan 1447 AH — 10 March 2026.")
    assert (obligation.pay_url_name, obligation.pay_url_args) == (
        "payments:bill_detail", (bill.billing_account,))


def test_a_bill_is_owed_only_after_its_due_date(issue, clock):
    person = PersonFactory()
    issue(person=person)
    clock.set(at_riyadh(2026, 3, 10, 23, 59))  # the due date itself, Riyadh time
    assert bill_obligations(person=person) == []
    clock.set(at_riyadh(2026, 3, 11, 0, 1))
    assert len(bill_obligations(person=person)) == 1


def test_a_bill_still_awaiting_sadad_is_owed_once_overdue(issue, clock):
    # The debt exists whatever the state of its upload: staff must get it to SADAD.
    person = PersonFactory()
    bill = issue(person=person, registered=False)
    assert bill.status == BillStatus.PENDING_REGISTRATION
    clock.set(at_riyadh(2026, 3, 11, 9))
    assert [o.reference for o in bill_obligations(person=person)] == [bill.billing_account]


def _cancelled(bill, clock):
    bill_cancel(bill_id=bill.pk, reason="issued in error")
    outbox_flush()


def _cancel_requested(bill, clock):
    # SADAD has not yet confirmed the withdrawal: the municipality no longer asks for it.
    bill_cancel(bill_id=bill.pk, reason="issued in error")


def _expired(bill, clock):
    clock.set(at_riyadh(2026, 7, 1, 9))
    assert bill_expire_due() == 1


@pytest.mark.parametrize(("settle", "status"), [
    (_pay, BillStatus.PAID),
    (_cancelled, BillStatus.CANCELLED),
    (_cancel_requested, BillStatus.UNPAID),
    (_expired, BillStatus.EXPIRED),
])
def test_a_settled_or_withdrawn_bill_is_not_owed(issue, clock, settle, status):
    # given an overdue fine that is then paid, cancelled or expired
    person = PersonFactory()
    bill = issue(person=person)
    clock.set(at_riyadh(2026, 3, 11, 9))
    settle(bill, clock)
    bill.refresh_from_db()
    assert bill.status == status
    # then nothing is owed
    assert obligations_for(person=person) == []


def test_another_payers_bill_is_not_owed(issue, clock):
    person, neighbour = PersonFactory(), PersonFactory()
    issue(person=neighbour)
    clock.set(at_riyadh(2026, 3, 11, 9))
    assert obligations_for(person=person) == []
    assert len(obligations_for(person=neighbour)) == 1


def test_an_establishments_bill_is_owed_by_the_establishment(issue, clock):
    # given an establishment's overdue fee, and a citizen who represents it
    representative = PersonFactory()
    establishment = EstablishmentFactory(representatives=[representative])
    bill = issue(establishment=establishment, category=BillCategory.FEE, amount="250.50")
    clock.set(at_riyadh(2026, 3, 11, 9))
    # then the establishment owes it, as a fee, and the representative personally does not
    owed = obligations_for(establishment=establishment)
    assert [(o.reference, o.category, o.amount) for o in owed] == [
        (bill.billing_account, "fee", Decimal("250.50"))]
    assert owed[0].reason_en.startswith(f"Fee bill {bill.billing_account} ")
    assert "SAR 250.50" in owed[0].reason_en
    assert "250.50 ر.س" in owed[0].reason_ar
    assert obligations_for(person=representative) == []
    # and asking about both finds it once
    assert len(obligations_for(person=representative, establishment=establishment)) == 1


def test_categories_select_fines_or_fees(issue, clock, django_assert_num_queries):
    person = PersonFactory()
    fine = issue(person=person, due_date=dt.date(2026, 3, 5))
    fee = issue(person=person, category=BillCategory.FEE)
    clock.set(at_riyadh(2026, 3, 11, 9))
    assert [o.reference for o in obligations_for(person=person)] == [
        fine.billing_account, fee.billing_account]  # the oldest due first
    assert [o.reference for o in obligations_for(person=person, categories={"fine"})] == [
        fine.billing_account]
    assert [o.reference for o in obligations_for(person=person, categories=["fee"])] == [
        fee.billing_account]
    with django_assert_num_queries(0):
        assert bill_obligations(person=person, categories={"parking"}) == []


def test_a_parcel_alone_finds_no_bill(issue, clock):
    # Bills do not know parcels: what is owed on one is for the violations app to say.
    person = PersonFactory()
    bill = issue(person=person)
    clock.set(at_riyadh(2026, 3, 11, 9))
    assert bill_obligations(parcel_ref="PLAN-12/34") == []
    assert [o.reference for o in bill_obligations(person=person, parcel_ref="PLAN-12/34")] == [
        bill.billing_account]


@pytest.mark.parametrize("bills", [1, 20])
def test_one_query_however_many_bills(issue, clock, django_assert_num_queries, bills):
    person = PersonFactory()
    for _ in range(bills):
        issue(person=person, registered=False)
    clock.set(at_riyadh(2026, 3, 11, 9))
    with django_assert_num_queries(1):
        owed = bill_obligations(person=person)
    assert len(owed) == bills
