"""Fee schedules: fixed, rate × quantity, minimum, class, period; overlaps refused."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah import clock as amanah_clock
from amanah.errors import DomainError
from payments.enums import FeeRuleKind
from payments.models import Bill, FeeSchedule
from payments.services import bill_issue, fee_calculate, fee_schedule_create
from tests.factories import EServiceFactory, MunicipalityFactory, PersonFactory

from .factories import at_riyadh

pytestmark = pytest.mark.django_db

JAN_1 = dt.date(2026, 1, 1)


@pytest.fixture
def service():
    return EServiceFactory(code="building_permit")


def test_fixed_fee_is_the_amount(service):
    # given a fixed fee of 300 for class-2 municipalities
    fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                        amount="300", effective_from=JAN_1)
    # when it is calculated for a class-2 municipality
    quote = fee_calculate(eservice=service, municipality=MunicipalityFactory(municipality_class=2),
                          on=dt.date(2026, 6, 1))
    # then it is 300.00 and the snapshot says why
    assert quote.amount == Decimal("300.00")
    assert quote.snapshot["kind"] == "fixed"
    assert quote.snapshot["quantity"] is None
    assert quote.snapshot["minimum_applied"] is False


def test_rate_times_quantity(service):
    # given 2.75 SAR per m²
    fee_schedule_create(eservice=service, municipality_class=1, kind=FeeRuleKind.RATE,
                        amount="2.75", unit_en="m²", unit_ar="م²", effective_from=JAN_1,
                        minimum="100")
    # when 400.5 m² are billed
    quote = fee_calculate(eservice=service, municipality=MunicipalityFactory(municipality_class=1),
                          on=JAN_1, quantity="400.5")
    # then the fee is 1101.38 (rounded half up to halalas), above the minimum
    assert quote.amount == Decimal("1101.38")
    assert quote.snapshot["quantity"] == "400.5"
    assert quote.snapshot["rate_or_amount"] == "2.75"
    assert quote.snapshot["minimum_applied"] is False


def test_minimum_applies_when_rate_times_quantity_is_below_it(service):
    fee_schedule_create(eservice=service, municipality_class=1, kind=FeeRuleKind.RATE,
                        amount="2.00", minimum="100", effective_from=JAN_1)
    quote = fee_calculate(eservice=service, municipality=MunicipalityFactory(municipality_class=1),
                          on=JAN_1, quantity="10")
    assert quote.amount == Decimal("100.00")
    assert quote.snapshot["minimum_applied"] is True


def test_class_selects_the_schedule(service):
    # given different fees per class
    for klass, amount in [(1, "500"), (3, "200")]:
        fee_schedule_create(eservice=service, municipality_class=klass, kind=FeeRuleKind.FIXED,
                            amount=amount, effective_from=JAN_1)
    # then each class pays its own, and a class without a schedule is refused
    assert fee_calculate(eservice=service, municipality=MunicipalityFactory(municipality_class=1),
                         on=JAN_1).amount == Decimal("500.00")
    assert fee_calculate(eservice=service, municipality=MunicipalityFactory(municipality_class=3),
                         on=JAN_1).amount == Decimal("200.00")
    with pytest.raises(DomainError) as refused:
        fee_calculate(eservice=service, municipality=MunicipalityFactory(municipality_class=5),
                      on=JAN_1)
    assert refused.value.code == "fee.no_schedule"


def test_period_selects_the_schedule_including_its_last_day(service):
    # given 100 until 30 June and 150 from 1 July
    fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                        amount="100", effective_from=JAN_1, effective_to=dt.date(2026, 6, 30))
    fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                        amount="150", effective_from=dt.date(2026, 7, 1))
    municipality = MunicipalityFactory(municipality_class=2)
    assert fee_calculate(eservice=service, municipality=municipality,
                         on=dt.date(2026, 6, 30)).amount == Decimal("100.00")
    assert fee_calculate(eservice=service, municipality=municipality,
                         on=dt.date(2026, 7, 1)).amount == Decimal("150.00")
    with pytest.raises(DomainError) as refused:
        fee_calculate(eservice=service, municipality=municipality, on=dt.date(2025, 12, 31))
    assert refused.value.code == "fee.no_schedule"


@pytest.mark.parametrize(("start", "end"), [
    (dt.date(2026, 6, 30), None),              # starts on the other's last day
    (dt.date(2025, 1, 1), dt.date(2026, 1, 1)),  # ends on the other's first day
    (dt.date(2026, 3, 1), dt.date(2026, 3, 2)),  # inside
    (dt.date(2025, 1, 1), None),               # covers it
])
def test_overlapping_period_is_refused_and_nothing_is_written(service, start, end):
    # given a schedule for the first half of 2026
    fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                        amount="100", effective_from=JAN_1, effective_to=dt.date(2026, 6, 30))
    # when another overlapping one is added for the same service and class
    with pytest.raises(DomainError) as refused:
        fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                            amount="120", effective_from=start, effective_to=end)
    # then it is refused and only the first exists
    assert refused.value.code == "fee.overlap"
    assert FeeSchedule.objects.count() == 1


def test_open_ended_schedule_blocks_any_later_one(service):
    fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                        amount="100", effective_from=JAN_1)
    with pytest.raises(DomainError) as refused:
        fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                            amount="120", effective_from=dt.date(2030, 1, 1))
    assert refused.value.code == "fee.overlap"


def test_same_period_for_another_class_or_service_is_fine(service):
    fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                        amount="100", effective_from=JAN_1)
    fee_schedule_create(eservice=service, municipality_class=3, kind=FeeRuleKind.FIXED,
                        amount="100", effective_from=JAN_1)
    fee_schedule_create(eservice=EServiceFactory(), municipality_class=2,
                        kind=FeeRuleKind.FIXED, amount="100", effective_from=JAN_1)
    assert FeeSchedule.objects.count() == 3


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"amount": "0"}, "fee.bad_amount"),
    ({"amount": "-1"}, "fee.bad_amount"),
    ({"minimum": "-1"}, "fee.bad_minimum"),
    ({"municipality_class": 6}, "fee.bad_class"),
    ({"effective_to": dt.date(2025, 12, 31)}, "fee.bad_period"),
])
def test_malformed_schedule_is_refused(service, kwargs, code):
    values = {"eservice": service, "municipality_class": 2, "kind": FeeRuleKind.FIXED,
              "amount": "100", "effective_from": JAN_1, **kwargs}
    with pytest.raises(DomainError) as refused:
        fee_schedule_create(**values)
    assert refused.value.code == code
    assert FeeSchedule.objects.count() == 0


@pytest.mark.parametrize("quantity", [None, "0", "-3", "abc", "NaN", "Infinity"])
def test_rate_needs_a_positive_quantity(service, quantity):
    fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.RATE,
                        amount="2", effective_from=JAN_1)
    with pytest.raises(DomainError) as refused:
        fee_calculate(eservice=service, municipality=MunicipalityFactory(municipality_class=2),
                      on=JAN_1, quantity=quantity)
    assert refused.value.code == "fee.bad_quantity"


def test_a_bill_keeps_its_fee_when_the_schedule_changes_later(service, clock):
    # given a bill issued under a rate of 2.00 per m² for 150 m²
    clock.set(at_riyadh(2026, 3, 1, 10))
    schedule = fee_schedule_create(eservice=service, municipality_class=2,
                                   kind=FeeRuleKind.RATE, amount="2.00", unit_en="m²",
                                   effective_from=JAN_1)
    bill = bill_issue(payable_kind="misc_fee", payable_ref="P-1",
                      municipality=MunicipalityFactory(municipality_class=2), eservice=service,
                      payer_person=PersonFactory(), fee_quantity="150")
    # when the schedule is edited afterwards
    FeeSchedule.objects.filter(pk=schedule.pk).update(amount=Decimal("9.00"))
    # then the bill keeps its amount and the rule and inputs it was issued under
    bill = Bill.objects.get(pk=bill.pk)
    assert bill.amount == Decimal("300.00")
    assert bill.fee_schedule_id == schedule.pk
    assert bill.fee_snapshot == {
        "schedule_id": schedule.pk, "eservice": "building_permit",
        "municipality": bill.municipality.code, "municipality_class": 2, "on": "2026-03-01",
        "kind": "rate", "rate_or_amount": "2.00", "unit_en": "m²", "minimum": None,
        "quantity": "150", "minimum_applied": False, "amount": "300.00"}
    assert amanah_clock.now() == at_riyadh(2026, 3, 1, 10)
