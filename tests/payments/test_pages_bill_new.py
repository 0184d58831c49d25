"""A cashier issues a miscellaneous fee bill from the back office, priced by the fee schedule."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from amanah.enums import OwningApp, RolloutState, StaffRole
from payments.enums import BillStatus, FeeRuleKind
from payments.models import Bill, SadadOutbox
from payments.services import fee_schedule_create
from tests.factories import EServiceFactory, EServiceRolloutFactory, EstablishmentFactory

from .factories import at_riyadh, misc_fee_service
from .pages_helpers import client_for, world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

URL = "/ar/payments/finance/bills/new/"


@pytest.fixture
def priced(world, clock):
    """The misc fee costs 120 in class-2 municipalities; pavement use 15 SAR/m², minimum 100."""
    clock.set(at_riyadh(2026, 11, 30, 10, 0))
    misc = misc_fee_service()
    fee_schedule_create(eservice=misc, municipality_class=2, kind=FeeRuleKind.FIXED,
                        amount=Decimal("120"), effective_from=dt.date(2026, 1, 1))
    pavement = EServiceFactory(code="pavement_use", owning_app=OwningApp.PAYMENTS)
    fee_schedule_create(eservice=pavement, municipality_class=2, kind=FeeRuleKind.RATE,
                        amount=Decimal("15"), minimum=Decimal("100"),
                        effective_from=dt.date(2026, 1, 1), unit_ar="م²", unit_en="m²")
    # Both live in the branch: rollout's refusals are tests/payments/test_rollout_misc_fee.py's.
    for service in (misc, pavement):
        EServiceRolloutFactory(eservice=service, municipality=world.branch,
                               state=RolloutState.LIVE)
    return misc, pavement


def _form(world, service, payer_id, **extra):
    return {"municipality": world.branch.pk, "eservice": service.pk, "payer_id": payer_id,
            "description_ar": "نسخة مخطط", "description_en": "Copy of a plan", **extra}


def test_cashier_issues_a_fixed_fee_bill(client, world, priced, queued):
    # given a cashier of the branch
    misc, _ = priced
    cashier = world.staff("finance", StaffRole.CASHIER)
    # when they issue a miscellaneous fee for a citizen
    with queued() as tasks:
        response = client_for(client, cashier).post(URL, _form(world, misc,
                                                               world.citizen.national_id))
    # then a bill priced by the schedule waits for SADAD, and its upload is queued
    bill = Bill.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:bill_detail", args=[bill.billing_account])
    assert (bill.amount, bill.status, bill.payable_kind, bill.payer_person_id, bill.issued_by_id) \
        == (Decimal("120.00"), BillStatus.PENDING_REGISTRATION, "misc_fee", world.citizen.pk,
            cashier.pk)
    assert bill.payable_ref.startswith("MF-")
    assert bill.fee_snapshot["kind"] == FeeRuleKind.FIXED
    upload = SadadOutbox.objects.get(bill=bill)
    assert tasks == [("payments.outbox_send", {"outbox_id": upload.pk})]


def test_rate_fee_uses_the_quantity_and_minimum(client, world, priced):
    _, pavement = priced
    cashier = world.staff("finance", StaffRole.CASHIER)
    client = client_for(client, cashier)
    client.post(URL, _form(world, pavement, world.citizen.national_id, quantity="12.5",
                           reference="CH-2026-0001"))
    client.post(URL, _form(world, pavement, world.citizen.national_id, quantity="2",
                           reference="CH-2026-0002"))
    amounts = dict(Bill.objects.values_list("payable_ref", "amount"))
    assert amounts == {"CH-2026-0001": Decimal("187.50"), "CH-2026-0002": Decimal("100.00")}


def test_establishment_payer_by_unified_number(client, world, priced):
    misc, _ = priced
    establishment = EstablishmentFactory(municipality=world.branch)
    cashier = world.staff("finance", StaffRole.CASHIER)
    client_for(client, cashier).post(URL, _form(world, misc, establishment.unified_number))
    bill = Bill.objects.get()
    assert (bill.payer_establishment_id, bill.payer_person_id) == (establishment.pk, None)


@pytest.mark.parametrize(("payer", "quantity", "field"), [
    ("1999999999", "", "payer_id"),          # nobody has this number
    ("12ab", "", "payer_id"),                # not digits
    ("citizen", "", "quantity"),             # a rate needs a quantity
])
def test_refusals_are_shown_next_to_the_field_and_create_nothing(client, world, priced, queued,
                                                                 payer, quantity, field):
    _, pavement = priced
    cashier = world.staff("finance", StaffRole.CASHIER)
    payer_id = world.citizen.national_id if payer == "citizen" else payer
    with queued() as tasks:
        response = client_for(client, cashier).post(URL, _form(world, pavement, payer_id,
                                                               quantity=quantity))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Bill.objects.count() == SadadOutbox.objects.count() == 0
    assert tasks == []


def test_a_branch_cashier_cannot_issue_for_another_municipality(client, world, priced):
    misc, _ = priced
    cashier = world.staff("finance", StaffRole.CASHIER)
    response = client_for(client, cashier).post(URL, {
        "municipality": world.other_branch.pk, "eservice": misc.pk,
        "payer_id": world.citizen.national_id})
    assert response.status_code == 400
    assert "municipality" in response.context["form"].errors
    assert Bill.objects.count() == 0


def test_only_configured_services_are_offered(client, world, priced):
    EServiceFactory(code="no_fee_here")
    cashier = world.staff("finance", StaffRole.CASHIER)
    form = client_for(client, cashier).get(URL).context["form"]
    assert sorted(form.fields["eservice"].queryset.values_list("code", flat=True)) == [
        "misc_fee", "pavement_use"]


def test_the_bill_carries_the_cashiers_description(client, world, priced):
    # given a cashier
    misc, _ = priced
    cashier = world.staff("finance", StaffRole.CASHIER)
    # when they describe the fee in Arabic only
    client_for(client, cashier).post(URL, _form(world, misc, world.citizen.national_id,
                                                description_en=""))
    # then both languages show the Arabic description rather than nothing
    bill = Bill.objects.get()
    assert (bill.description_ar, bill.description_en) == ("نسخة مخطط", "نسخة مخطط")


def test_a_fee_without_a_description_is_refused_next_to_the_field(client, world, priced,
                                                                  queued):
    # given a cashier
    misc, _ = priced
    cashier = world.staff("finance", StaffRole.CASHIER)
    # when they leave both descriptions empty
    with queued() as tasks:
        response = client_for(client, cashier).post(URL, _form(
            world, misc, world.citizen.national_id, description_ar="", description_en=" "))
    # then the service's refusal is shown next to the description; nothing is issued
    assert response.status_code == 400
    assert response.context["form"].errors["description_ar"] == ["اكتب وصفاً للرسوم."]
    assert Bill.objects.count() == SadadOutbox.objects.count() == 0
    assert tasks == []


def test_the_page_enforces_the_services_cashier_rule(client, world, priced, queued):
    # given a cashier of the Amanah's finance department, who may open the page, but the
    # service lets only the branch's own finance cashiers bill the branch
    misc, _ = priced
    cashier = world.staff("finance", StaffRole.CASHIER, municipality=world.amanah)
    # when they issue a fee for the branch
    with queued() as tasks:
        response = client_for(client, cashier).post(URL, _form(world, misc,
                                                               world.citizen.national_id))
    # then the refusal sits next to the municipality and nothing is issued or queued
    assert response.status_code == 400
    assert response.context["form"].errors["municipality"] == [
        "إصدار الرسوم المتنوعة لأمناء الصندوق في مالية البلدية فقط."]
    assert Bill.objects.count() == SadadOutbox.objects.count() == 0
    assert tasks == []
