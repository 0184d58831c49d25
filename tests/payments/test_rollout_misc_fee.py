"""A cashier cannot issue a miscellaneous fee for an e-service that is off in the municipality;
a pilot is for the municipality's own staff. Enforced by `misc_fee_issue` and shown on the
bill_new page next to the e-service, which lists only what the rollout offers there."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.enums import OwningApp, RolloutState, StaffRole
from amanah.errors import DomainError
from payments.enums import BillStatus, FeeRuleKind
from payments.models import Bill, BillEvent, SadadOutbox
from payments.services import fee_schedule_create, misc_fee_issue
from tests.factories import EServiceFactory, EServiceRolloutFactory, StaffUserFactory

from .factories import at_riyadh, misc_fee_service
from .pages_helpers import client_for, world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

URL = "/ar/payments/finance/bills/new/"
OFF_AR = "هذه الخدمة غير متاحة في بلدية الخبر بعد."
OFF_EN = "This service is not offered in Khobar Municipality yet."
PILOT_AR = ("هذه الخدمة في مرحلة تجريبية في بلدية الخبر، وهي متاحة حاليًا لسكانها ومنسوبيها "
            "فقط.")
PILOT_EN = ("This service is being piloted in Khobar Municipality and is open only to its "
            "residents and staff for now.")


@pytest.fixture
def services(world, clock):
    """misc_fee and pavement_use, both priced for Khobar (class 2); no rollout yet."""
    clock.set(at_riyadh(2026, 11, 30, 10, 0))
    misc = misc_fee_service()
    pavement = EServiceFactory(code="pavement_use", owning_app=OwningApp.PAYMENTS,
                               name_ar="إشغال رصيف", name_en="Pavement use")
    for service in (misc, pavement):
        fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                            amount=Decimal("120"), effective_from=dt.date(2026, 1, 1))
    return misc, pavement


def _rollout(service, municipality, state):
    if state is not None:
        EServiceRolloutFactory(eservice=service, municipality=municipality, state=state)


def _snapshot() -> tuple[int, int, int]:
    return Bill.objects.count(), BillEvent.objects.count(), SadadOutbox.objects.count()


def _issue(world, actor, service):
    return misc_fee_issue(actor=actor, municipality=world.branch, eservice=service,
                          payer_person=world.citizen, description_ar="رسوم",
                          description_en="A fee")


@pytest.mark.parametrize(("state", "code", "status", "message_ar", "message_en"), [
    (None, "rollout.service_off", 400, OFF_AR, OFF_EN),
    (RolloutState.OFF, "rollout.service_off", 400, OFF_AR, OFF_EN),
], ids=["no-rollout-row", "off"])
def test_a_cashier_cannot_bill_a_service_that_is_off_there(world, services, queued, state,
                                                          code, status, message_ar,
                                                          message_en):
    # given the misc fee not offered in Khobar, and a Khobar cashier
    misc, _ = services
    _rollout(misc, world.branch, state)
    cashier = world.staff("finance", StaffRole.CASHIER)
    # when the cashier issues it
    with queued() as tasks, pytest.raises(DomainError) as refused:
        _issue(world, cashier, misc)
    # then it is refused in both languages on the e-service; no bill, event or upload; no task
    assert (refused.value.code, refused.value.status, refused.value.field) == (
        code, status, "eservice")
    assert (refused.value.message_ar, refused.value.message_en) == (message_ar, message_en)
    assert _snapshot() == (0, 0, 0)
    assert tasks == []


@pytest.mark.parametrize("state", [RolloutState.PILOT, RolloutState.LIVE])
def test_a_cashier_of_the_municipality_bills_a_pilot_or_live_service(world, services, queued,
                                                                    state):
    # given the misc fee piloted, or live, in Khobar
    misc, _ = services
    _rollout(misc, world.branch, state)
    cashier = world.staff("finance", StaffRole.CASHIER)
    # when a Khobar cashier issues it
    with queued() as tasks:
        bill = _issue(world, cashier, misc)
    # then the bill waits for SADAD and its upload is queued
    assert (bill.amount, bill.status) == (Decimal("120.00"), BillStatus.PENDING_REGISTRATION)
    assert [name for name, _ in tasks] == ["payments.outbox_send"]


@pytest.mark.parametrize(("state", "allowed"), [
    (RolloutState.PILOT, False),
    (RolloutState.LIVE, True),
])
def test_a_pilot_is_for_the_municipalitys_staff_even_for_a_superuser(world, services, queued,
                                                                     state, allowed):
    # given a superuser with no membership in Khobar (the cashier rule lets superusers through)
    misc, _ = services
    _rollout(misc, world.branch, state)
    superuser = StaffUserFactory(is_superuser=True)
    # when they issue the misc fee in Khobar
    if allowed:
        assert _issue(world, superuser, misc).status == BillStatus.PENDING_REGISTRATION
        return
    with queued() as tasks, pytest.raises(DomainError) as refused:
        _issue(world, superuser, misc)
    # then a pilot is not theirs to use: it is for Khobar's own staff
    assert (refused.value.code, refused.value.status) == ("rollout.pilot_only", 403)
    assert (refused.value.message_ar, refused.value.message_en) == (PILOT_AR, PILOT_EN)
    assert _snapshot() == (0, 0, 0)
    assert tasks == []


def test_the_page_lists_only_services_offered_there(client, world, services):
    # given the misc fee live in Khobar and pavement use off there
    misc, pavement = services
    _rollout(misc, world.branch, RolloutState.LIVE)
    _rollout(pavement, world.branch, RolloutState.OFF)
    cashier = world.staff("finance", StaffRole.CASHIER)
    # when a Khobar cashier opens the form
    response = client_for(client, cashier).get(URL)
    # then only the misc fee is offered
    widget = response.context["form"].fields["eservice"].widget
    assert [label for value, label in widget.choices if value] == ["رسوم متنوعة"]
    html = response.content.decode()
    assert "رسوم متنوعة" in html and "إشغال رصيف" not in html


@pytest.mark.parametrize(("lang", "message"), [("ar", OFF_AR), ("en", OFF_EN)])
def test_the_page_shows_the_refusal_next_to_the_e_service(client, world, services, queued,
                                                         lang, message):
    # given pavement use off in Khobar, and a Khobar cashier posting it anyway
    misc, pavement = services
    _rollout(misc, world.branch, RolloutState.LIVE)
    _rollout(pavement, world.branch, RolloutState.OFF)
    cashier = world.staff("finance", StaffRole.CASHIER)
    # when the form is posted
    with queued() as tasks:
        response = client_for(client, cashier).post(
            URL.replace("/ar/", f"/{lang}/"),
            {"municipality": world.branch.pk, "eservice": pavement.pk,
             "payer_id": world.citizen.national_id, "description_ar": "إشغال رصيف",
             "description_en": "Pavement use"})
    # then the reason sits next to the e-service, and nothing is issued or queued
    assert response.status_code == 400
    assert response.context["form"].errors == {"eservice": [message]}
    assert message in response.content.decode()
    assert _snapshot() == (0, 0, 0)
    assert tasks == []
