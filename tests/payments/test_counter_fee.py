"""Counter service: a cashier or clerk issues a fee for a walk-in citizen, recorded as issued at
the counter by them. Refusals write no bill and queue nothing."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.enums import MunicipalityKind, RolloutState, StaffRole
from amanah.errors import DomainError
from payments.enums import BillEventKind, BillStatus, FeeRuleKind
from payments.models import Bill, BillEvent, SadadOutbox
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

FEE = "/{lang}/payments/counter/person/{person}/fee/"
NOT_COUNTER_EN = ("You do not serve this municipality's counter: it takes a clerk's or head's "
                  "role (or a cashier's, for fees) in an active department there or at its "
                  "Amanah.")


@pytest.fixture
def amanah():
    return MunicipalityFactory(code="EPA", kind=MunicipalityKind.AMANAH, parent=None,
                               name_ar="أمانة الشرقية", name_en="Eastern Amanah")


@pytest.fixture
def branch(amanah):
    branch = MunicipalityFactory(code="KHB", parent=amanah, municipality_class=3,
                                 name_ar="بلدية الخبر", name_en="Khobar")
    EServiceRolloutFactory(eservice=misc_fee_service(), municipality=branch,
                           state=RolloutState.LIVE)
    return branch


@pytest.fixture
def service():
    service = misc_fee_service()
    fee_schedule_create(eservice=service, municipality_class=3, kind=FeeRuleKind.FIXED,
                        amount="100", effective_from=dt.date(2020, 1, 1))
    return service


@pytest.fixture
def walk_in(branch):
    return PersonFactory(municipality=branch, name_ar="سعاد الغامدي", name_en="Suad Alghamdi")


def member(municipality, role, code="customer_service"):
    return StaffMembershipFactory(department=DepartmentFactory(municipality=municipality,
                                                               code=code), role=role).user


@pytest.mark.parametrize("role", [StaffRole.CLERK, StaffRole.CASHIER])
def test_a_counter_fee_names_the_person_the_clerk_and_the_counter(
        branch, service, walk_in, role, queued):
    clerk = member(branch, role)
    with queued() as tasks:
        bill = misc_fee_issue(actor=clerk, municipality=branch, eservice=service,
                              payer_person=walk_in, description_ar="نسخة مخطط",
                              at_counter=True)
    assert (bill.payer_person, bill.payer_establishment, bill.issued_by, bill.amount,
            bill.status) == (walk_in, None, clerk, Decimal("100.00"),
                             BillStatus.PENDING_REGISTRATION)
    first = bill.events.order_by("seq").first()
    assert (first.kind, first.actor, first.payload["channel"]) == (
        BillEventKind.ISSUED, clerk, "counter")
    assert [name for name, _ in tasks] == ["payments.outbox_send"]


def test_a_fee_issued_by_finance_says_no_counter(branch, service, walk_in):
    cashier = member(branch, StaffRole.CASHIER, code="finance")
    bill = misc_fee_issue(actor=cashier, municipality=branch, eservice=service,
                          payer_person=walk_in, description_ar="نسخة مخطط")
    assert "channel" not in bill.events.get().payload


def test_a_central_clerk_of_the_amanah_issues_at_a_branch_counter(amanah, branch, service,
                                                                   walk_in):
    bill = misc_fee_issue(actor=member(amanah, StaffRole.CLERK), municipality=branch,
                          eservice=service, payer_person=walk_in, description_ar="نسخة",
                          at_counter=True)
    assert bill.municipality == branch


@pytest.mark.parametrize("who", ["citizen", "reviewer", "head", "clerk_of_another_branch"])
def test_only_a_cashier_or_clerk_serving_that_counter_issues_and_nothing_is_written(
        amanah, branch, service, walk_in, who, queued):
    actor = {
        "citizen": lambda: CitizenFactory(municipality=branch).user,
        "reviewer": lambda: member(branch, StaffRole.REVIEWER),
        "head": lambda: member(branch, StaffRole.HEAD),
        "clerk_of_another_branch": lambda: member(
            MunicipalityFactory(parent=amanah), StaffRole.CLERK),
    }[who]()
    with queued() as tasks:
        with pytest.raises(DomainError) as refused:
            misc_fee_issue(actor=actor, municipality=branch, eservice=service,
                           payer_person=walk_in, description_ar="نسخة", at_counter=True)
    assert (refused.value.code, refused.value.message_en) == (
        "counter.not_counter_staff", NOT_COUNTER_EN)
    assert (Bill.objects.count(), BillEvent.objects.count(), SadadOutbox.objects.count(),
            tasks) == (0, 0, 0, [])


def test_the_clerk_issues_a_fee_on_the_page_and_reads_out_the_sadad_number(
        client, branch, service, walk_in, settings):
    clerk = member(branch, StaffRole.CLERK)
    client.force_login(clerk)
    # the form proposes the citizen's municipality and the services the counter may bill
    page = client.get(FEE.format(lang="en", person=walk_in.pk))
    assert page.status_code == 200
    form = page.context["form"]
    assert list(form.fields) == ["municipality", "eservice", "quantity", "description_ar",
                                 "description_en"]
    assert form["municipality"].value() == branch.pk
    # when the clerk issues it
    response = client.post(FEE.format(lang="en", person=walk_in.pk), {
        "municipality": branch.pk, "eservice": service.pk,
        "description_ar": "نسخة مخطط", "description_en": "Copy of a plan"})
    bill = Bill.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/payments/counter/fee/{bill.billing_account}/"
    assert (bill.payer_person, bill.issued_by) == (walk_in, clerk)
    # then the SADAD biller code and bill number are shown to read out, with the amount
    done = client.get(response["Location"])
    html = done.content.decode()
    assert done.status_code == 200
    assert f'id="acct-{bill.pk}">{bill.billing_account}</span>' in html
    assert f">{settings.SADAD_BILLER_ID}</span>" in html
    assert "100.00" in html


def test_the_issued_page_is_only_for_the_clerk_who_issued_it(client, branch, service,
                                                              walk_in):
    clerk = member(branch, StaffRole.CLERK)
    bill = misc_fee_issue(actor=clerk, municipality=branch, eservice=service,
                          payer_person=walk_in, description_ar="نسخة", at_counter=True)
    client.force_login(member(branch, StaffRole.CLERK, code="licensing"))
    assert client.get(f"/en/payments/counter/fee/{bill.billing_account}/").status_code == 404


def test_a_citizen_gets_the_forbidden_page_and_no_bill(client, branch, service, walk_in):
    client.force_login(CitizenFactory(municipality=branch).user)
    response = client.post(FEE.format(lang="ar", person=walk_in.pk), {
        "municipality": branch.pk, "eservice": service.pk, "description_ar": "نسخة"})
    assert response.status_code == 403
    assert Bill.objects.count() == 0


def test_a_service_off_in_the_municipality_is_refused_next_to_the_service(
        client, branch, service, walk_in):
    from amanah.models import EServiceRollout

    EServiceRollout.objects.filter(municipality=branch).update(state=RolloutState.OFF)
    client.force_login(member(branch, StaffRole.CASHIER))
    response = client.post(FEE.format(lang="en", person=walk_in.pk), {
        "municipality": branch.pk, "eservice": service.pk, "description_ar": "نسخة"})
    assert response.status_code == 400
    assert response.context["form"].errors["eservice"] == [
        "This service is not offered in Khobar yet."]
    assert Bill.objects.count() == 0
