"""A fee changes by a new period from a date: earlier bills keep their rule, later bills use
the new one, and every refusal leaves the periods as they were."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.errors import DomainError, PermissionDenied
from payments.enums import FeeRuleKind
from payments.models import Bill, FeeSchedule
from payments.services import fee_schedule_create
from payments.services.fee_periods import fee_period_add
from tests.payments.factories import at_riyadh, bill_make

pytestmark = pytest.mark.django_db

MAR_1 = dt.date(2026, 3, 1)


@pytest.fixture
def period_1(service):
    return fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                               amount="1000", effective_from=dt.date(2026, 1, 1))


def periods(service):
    return list(FeeSchedule.objects.filter(eservice=service)
                .values_list("effective_from", "effective_to", "amount").order_by("pk"))


def test_a_new_period_leaves_earlier_bills_on_their_rule(clock, service, branch, period_1,
                                                         amanah_admin, client):
    # given a bill issued under period 1 on 1 March
    clock.set(at_riyadh(2026, 3, 1, 10))
    old_bill = bill_make(amount=None, eservice=service, municipality=branch, registered=False)
    # when an Amanah admin adds period 2 (1,200.00) from tomorrow
    new, closed = fee_period_add(fee_id=period_1.pk, effective_from=dt.date(2026, 3, 2),
                                 kind=FeeRuleKind.FIXED, amount=Decimal("1200"), minimum=None,
                                 unit_ar="", unit_en="", actor=amanah_admin)
    # then period 1 ends today, and the old bill keeps its rule and amount
    assert closed.pk == period_1.pk
    assert periods(service) == [(dt.date(2026, 1, 1), MAR_1, Decimal("1000.00")),
                                (dt.date(2026, 3, 2), None, Decimal("1200.00"))]
    old_bill.refresh_from_db()
    assert old_bill.fee_schedule_id == period_1.pk
    assert old_bill.amount == Decimal("1000.00")
    # and a bill issued on the new date uses period 2
    clock.set(at_riyadh(2026, 3, 2, 9))
    new_bill = bill_make(amount=None, eservice=service, municipality=branch, registered=False)
    assert new_bill.fee_schedule_id == new.pk
    assert new_bill.amount == Decimal("1200.00")
    # and the fee's history counts each period's bills and says who added period 2
    client.force_login(amanah_admin)
    response = client.get(f"/en/payments/finance/fees/{period_1.pk}/")
    assert response.status_code == 200
    rows = {u.period.pk: (u.bills, u.total, u.added_by) for u in response.context["periods"]}
    assert rows == {period_1.pk: (1, Decimal("1000.00"), None),
                    new.pk: (1, Decimal("1200.00"), amanah_admin)}
    assert f"?fee_schedule={new.pk}" in response.content.decode()


def test_a_past_date_is_refused_and_changes_nothing(clock, service, period_1, amanah_admin):
    clock.set(at_riyadh(2026, 3, 1, 10))
    before = periods(service)
    with pytest.raises(DomainError) as refused:
        fee_period_add(fee_id=period_1.pk, effective_from=dt.date(2026, 2, 28),
                       kind=FeeRuleKind.FIXED, amount=Decimal("1200"), minimum=None,
                       unit_ar="", unit_en="", actor=amanah_admin)
    assert refused.value.code == "fee.period_in_past"
    assert refused.value.field == "effective_from"
    assert periods(service) == before


def test_a_period_overlapping_a_later_one_is_refused(clock, service, period_1, amanah_admin):
    clock.set(at_riyadh(2026, 3, 1, 10))
    fee_period_add(fee_id=period_1.pk, effective_from=dt.date(2026, 4, 1),
                   kind=FeeRuleKind.FIXED, amount=Decimal("1200"), minimum=None,
                   unit_ar="", unit_en="", actor=amanah_admin)
    before = periods(service)
    for start in (dt.date(2026, 3, 15), dt.date(2026, 4, 1)):
        with pytest.raises(DomainError) as refused:
            fee_period_add(fee_id=period_1.pk, effective_from=start, kind=FeeRuleKind.FIXED,
                           amount=Decimal("1300"), minimum=None, unit_ar="", unit_en="",
                           actor=amanah_admin)
        assert refused.value.code == "fee.period_overlap"
        assert refused.value.field == "effective_from"
    assert periods(service) == before


@pytest.mark.parametrize("who", ["branch_admin", "clerk"])
def test_only_the_amanah_admins_change_a_class_fee(request, who, clock, service, period_1):
    clock.set(at_riyadh(2026, 3, 1, 10))
    before = periods(service)
    with pytest.raises(PermissionDenied):
        fee_period_add(fee_id=period_1.pk, effective_from=dt.date(2026, 3, 2),
                       kind=FeeRuleKind.FIXED, amount=Decimal("1200"), minimum=None,
                       unit_ar="", unit_en="", actor=request.getfixturevalue(who))
    assert periods(service) == before
    assert not Bill.objects.exists()
