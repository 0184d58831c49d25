"""Fee components: one service priced per stage (application, issuance, renewal…), each stage
with its own periods, overlaps refused within a stage only, the bill's snapshot naming it."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.errors import DomainError
from payments.enums import FeeComponent, FeeRuleKind
from payments.models import Bill, FeeSchedule
from payments.selectors import misc_fee_eservice_list
from payments.services import bill_issue, fee_calculate, fee_schedule_create, fee_schedule_find
from tests.factories import EServiceFactory, MunicipalityFactory, PersonFactory, UserFactory

from .factories import at_riyadh

pytestmark = pytest.mark.django_db

JAN_1 = dt.date(2026, 1, 1)


@pytest.fixture
def service():
    return EServiceFactory(code="building_permit")


@pytest.fixture
def municipality():
    return MunicipalityFactory(municipality_class=2)


def _fixed(service, component, amount, **kwargs):
    values = {"eservice": service, "municipality_class": 2, "kind": FeeRuleKind.FIXED,
              "amount": amount, "effective_from": JAN_1, "component": component, **kwargs}
    return fee_schedule_create(**values)


def test_components_of_one_service_and_class_coexist_in_the_same_period(service):
    # given the main fee and two stages of one service, class and period
    _fixed(service, FeeComponent.MAIN, "50")
    _fixed(service, FeeComponent.APPLICATION, "100")
    _fixed(service, FeeComponent.ISSUANCE, "500")
    # then all three are kept, each under its component
    assert sorted(FeeSchedule.objects.values_list("component", "amount")) == [
        ("", Decimal("50.00")), ("application", Decimal("100.00")),
        ("issuance", Decimal("500.00"))]


def test_overlap_is_refused_within_a_component_and_nothing_is_written(service):
    # given an open-ended issuance fee and an open-ended main fee
    _fixed(service, FeeComponent.ISSUANCE, "500")
    _fixed(service, FeeComponent.MAIN, "50")
    # when a second issuance fee overlapping the first is added
    with pytest.raises(DomainError) as refused:
        _fixed(service, FeeComponent.ISSUANCE, "600", effective_from=dt.date(2026, 7, 1))
    # then it is refused, naming the component in both languages, and nothing is written
    assert refused.value.code == "fee.overlap"
    assert refused.value.field == "effective_from"
    assert refused.value.message_ar == (
        "توجد جدولة أخرى لـ«رسوم الإصدار» لنفس الخدمة والفئة في هذه الفترة.")
    assert refused.value.message_en == (
        "Another fee schedule covers this service and class in this period (Issuance fee).")
    assert sorted(FeeSchedule.objects.values_list("component", "amount")) == [
        ("", Decimal("50.00")), ("issuance", Decimal("500.00"))]


def test_overlapping_main_fee_is_refused_as_before(service):
    _fixed(service, FeeComponent.RENEWAL, "300")
    _fixed(service, FeeComponent.MAIN, "50")
    with pytest.raises(DomainError) as refused:
        _fixed(service, FeeComponent.MAIN, "60", effective_from=dt.date(2026, 7, 1))
    assert refused.value.code == "fee.overlap"
    assert refused.value.message_en == (
        "Another fee schedule covers this service and class in this period.")
    assert FeeSchedule.objects.count() == 2


def test_calculate_picks_the_component(service, municipality):
    # given a main fee, an application fee and an issuance fee
    _fixed(service, FeeComponent.MAIN, "50")
    application = _fixed(service, FeeComponent.APPLICATION, "100")
    issuance = _fixed(service, FeeComponent.ISSUANCE, "500")
    # when each is calculated
    main_quote = fee_calculate(eservice=service, municipality=municipality, on=JAN_1)
    application_quote = fee_calculate(eservice=service, municipality=municipality, on=JAN_1,
                                      component=FeeComponent.APPLICATION)
    issuance_quote = fee_calculate(eservice=service, municipality=municipality, on=JAN_1,
                                   component="issuance")
    # then each stage has its own amount and schedule, recorded in its snapshot; the main
    # fee's snapshot keeps the shape it always had
    assert main_quote.amount == Decimal("50.00")
    assert "component" not in main_quote.snapshot
    assert (application_quote.amount, application_quote.schedule) == (Decimal("100.00"),
                                                                      application)
    assert application_quote.snapshot["component"] == "application"
    assert (issuance_quote.amount, issuance_quote.schedule) == (Decimal("500.00"), issuance)
    assert issuance_quote.snapshot["component"] == "issuance"
    assert fee_schedule_find(eservice=service, municipality_class=2, on=JAN_1,
                             component=FeeComponent.ISSUANCE) == issuance


@pytest.mark.parametrize(("area", "amount", "minimum_applied"), [
    ("200", Decimal("1000.00"), True),     # 200 × 3.50 = 700, below the minimum
    ("400.25", Decimal("1400.88"), False),  # 1400.875 rounded half up
])
def test_rate_per_square_metre_with_a_minimum_on_a_component(service, municipality, area,
                                                            amount, minimum_applied):
    # given an issuance fee of 3.50 SAR per m² with a minimum of 1000, and a fixed main fee
    _fixed(service, FeeComponent.MAIN, "50")
    fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.RATE,
                        amount="3.50", minimum="1000", unit_ar="م²", unit_en="m²",
                        effective_from=JAN_1, component=FeeComponent.ISSUANCE)
    # when the issuance fee is calculated for an area
    quote = fee_calculate(eservice=service, municipality=municipality, on=JAN_1,
                          quantity=area, component=FeeComponent.ISSUANCE)
    # then the rate and the minimum of that component apply
    assert quote.amount == amount
    assert quote.snapshot["kind"] == "rate"
    assert quote.snapshot["rate_or_amount"] == "3.50"
    assert quote.snapshot["minimum"] == "1000.00"
    assert quote.snapshot["quantity"] == area
    assert quote.snapshot["minimum_applied"] is minimum_applied


def test_a_bill_is_issued_at_its_component_fee(service, municipality, clock):
    # given an application fee and an issuance fee
    clock.set(at_riyadh(2026, 3, 1, 10))
    _fixed(service, FeeComponent.APPLICATION, "100")
    issuance = _fixed(service, FeeComponent.ISSUANCE, "500")
    # when a bill is issued for the issuance stage
    bill = bill_issue(payable_kind="misc_fee", payable_ref="P-1", municipality=municipality,
                      eservice=service, payer_person=PersonFactory(),
                      fee_component=FeeComponent.ISSUANCE)
    # then it asks for the issuance fee and keeps its rule
    bill = Bill.objects.get(pk=bill.pk)
    assert bill.amount == Decimal("500.00")
    assert bill.fee_schedule_id == issuance.pk
    assert bill.fee_snapshot["component"] == "issuance"
    assert bill.fee_snapshot["amount"] == "500.00"


def test_missing_component_is_refused_naming_it_and_no_bill_is_written(service, municipality,
                                                                        clock):
    # given only an issuance fee (and a main fee) for the service
    clock.set(at_riyadh(2026, 3, 1, 10))
    _fixed(service, FeeComponent.ISSUANCE, "500")
    _fixed(service, FeeComponent.MAIN, "50")
    # when a renewal bill is asked for
    with pytest.raises(DomainError) as refused:
        bill_issue(payable_kind="misc_fee", payable_ref="P-1", municipality=municipality,
                   eservice=service, payer_person=PersonFactory(),
                   fee_component=FeeComponent.RENEWAL)
    # then it is refused with the code and the component named in both languages, and
    # nothing is written
    assert refused.value.code == "fee.no_schedule"
    assert refused.value.message_ar == (
        "لم تُعتمد «رسوم التجديد» لهذه الخدمة في هذه البلدية في هذا التاريخ.")
    assert refused.value.message_en == (
        "'Renewal fee' is not configured for this service here on this date.")
    assert Bill.objects.count() == 0
    assert FeeSchedule.objects.count() == 2


def test_main_fee_missing_is_refused_with_the_old_message(service, municipality):
    # given a service priced only by stages
    _fixed(service, FeeComponent.APPLICATION, "100")
    # then its main fee does not exist, as before stages
    with pytest.raises(DomainError) as refused:
        fee_calculate(eservice=service, municipality=municipality, on=JAN_1)
    assert refused.value.code == "fee.no_schedule"
    assert refused.value.message_en == "No fee is configured for this service here on this date."


def test_unknown_component_is_refused_and_nothing_is_written(service, municipality):
    with pytest.raises(DomainError) as refused:
        _fixed(service, "stamp_duty", "10")
    assert (refused.value.code, refused.value.field) == ("fee.bad_component", "component")
    assert FeeSchedule.objects.count() == 0
    with pytest.raises(DomainError) as refused:
        fee_calculate(eservice=service, municipality=municipality, on=JAN_1,
                      component="stamp_duty")
    assert refused.value.code == "fee.bad_component"


def test_a_service_priced_only_by_stages_is_not_offered_as_a_miscellaneous_fee(service):
    # given a service priced only by stages and another with a main fee
    _fixed(service, FeeComponent.APPLICATION, "100")
    challan = EServiceFactory(code="waste_removal")
    _fixed(challan, FeeComponent.MAIN, "75")
    # then only the one with a main fee can be billed as a miscellaneous fee
    assert list(misc_fee_eservice_list()) == [challan]


def test_admin_adds_a_component_beside_the_main_fee_and_filters_by_it(client, service):
    # given an open-ended main fee and a superuser
    _fixed(service, FeeComponent.MAIN, "50")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    # when an issuance fee for the same period is added in the admin
    response = client.post("/ar/admin/payments/feeschedule/add/", {
        "eservice": service.pk, "component": FeeComponent.ISSUANCE, "municipality_class": 2,
        "effective_from": "2026-01-01", "kind": FeeRuleKind.FIXED, "amount": "500",
        "name_ar": "رسوم إصدار", "name_en": "Issuance"})
    # then it is saved, and the list filtered by component shows only it
    assert response.status_code == 302
    issuance = FeeSchedule.objects.get(component=FeeComponent.ISSUANCE)
    listed = client.get("/ar/admin/payments/feeschedule/?component__exact=issuance")
    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == [issuance]
    # and a second issuance fee overlapping it is refused next to the field, nothing saved
    refused = client.post("/ar/admin/payments/feeschedule/add/", {
        "eservice": service.pk, "component": FeeComponent.ISSUANCE, "municipality_class": 2,
        "effective_from": "2026-05-01", "kind": FeeRuleKind.FIXED, "amount": "550",
        "name_ar": "رسوم إصدار", "name_en": "Issuance"})
    assert refused.status_code == 200
    assert "(Issuance fee)" in refused.content.decode()
    assert FeeSchedule.objects.count() == 2
