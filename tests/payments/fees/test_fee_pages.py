"""The fee schedule pages: amounts as every page shows them, a new period confirmed in words,
refusals next to their field that change nothing, and a preview equal to a real bill."""

import datetime as dt
from decimal import Decimal

import pytest

from payments.enums import FeeRuleKind
from payments.models import FeeSchedule
from payments.services import fee_schedule_create
from tests.payments.factories import at_riyadh, bill_make

pytestmark = pytest.mark.django_db

BASE = "/payments/finance/fees/"


@pytest.fixture
def fee(service):
    return fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                               amount="1000", effective_from=dt.date(2026, 1, 1))


@pytest.fixture
def rate_fee(service):
    return fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.RATE,
                               amount="2.75", minimum="100", unit_ar="م²", unit_en="m²",
                               component="issuance", effective_from=dt.date(2026, 1, 1))


def periods():
    return list(FeeSchedule.objects.values_list("pk", "effective_from", "effective_to", "amount")
                .order_by("pk"))


@pytest.mark.parametrize(("language", "amount"), [("ar", "1,000.00 ر.س"),
                                                   ("en", "SAR 1,000.00")])
def test_the_fee_list_shows_amounts_as_every_page_does(clock, client, amanah_admin, fee, branch,
                                                       language, amount):
    clock.set(at_riyadh(2026, 3, 1, 10))
    client.force_login(amanah_admin)
    response = client.get(f"/{language}{BASE}")
    body = response.content.decode()
    assert response.status_code == 200
    assert amount in body
    assert "1000,00" not in body
    # the classes are explained, with the municipalities of each
    assert response.context["classes"][2] == [branch]
    assert branch.name(language) in body


def test_a_new_period_is_confirmed_in_words_then_added(clock, client, amanah_admin, fee):
    clock.set(at_riyadh(2026, 3, 1, 10))
    client.force_login(amanah_admin)
    form = {"effective_from": "2026-03-02", "kind": "fixed", "amount": "1200",
            "minimum": "", "unit_ar": "", "unit_en": ""}
    # when the admin asks for a new period: a confirmation, nothing written yet
    response = client.post(f"/en{BASE}{fee.pk}/new-period/", form)
    assert response.status_code == 200
    assert response.context["sentence"] == (
        "From 13 Ramadan 1447 AH — 2 March 2026 the fee will be SAR 1,200.00 instead of "
        "SAR 1,000.00. Bills already issued keep their amount.")
    assert len(periods()) == 1
    # when they confirm: the new period, and a message saying what happened
    response = client.post(f"/en{BASE}{fee.pk}/new-period/", {**form, "confirmed": "yes"},
                           follow=True)
    assert response.status_code == 200
    new = FeeSchedule.objects.latest("pk")
    assert periods() == [(fee.pk, dt.date(2026, 1, 1), dt.date(2026, 3, 1), Decimal("1000.00")),
                         (new.pk, dt.date(2026, 3, 2), None, Decimal("1200.00"))]
    said = [str(m) for m in response.context["messages"]]
    assert said == ["A new period from 13 Ramadan 1447 AH — 2 March 2026 was added; the current "
                    "one now ends on 12 Ramadan 1447 AH — 1 March 2026."]


@pytest.mark.parametrize(("start", "message"), [
    ("2026-02-01", "A new period cannot start on a past date: bills were already issued on the "
                   "old rule. Choose today or a later date."),
    ("2026-01-01", "A new period cannot start on a past date"),
])
def test_a_refused_period_is_said_next_to_the_date_and_changes_nothing(
        clock, client, amanah_admin, fee, start, message):
    clock.set(at_riyadh(2026, 3, 1, 10))
    client.force_login(amanah_admin)
    before = periods()
    response = client.post(f"/en{BASE}{fee.pk}/new-period/",
                           {"effective_from": start, "kind": "fixed", "amount": "1200",
                            "confirmed": "yes"})
    assert response.status_code == 400
    assert message in response.context["form"].errors["effective_from"][0]
    assert periods() == before


def test_an_overlap_is_said_next_to_the_date_in_arabic(clock, client, amanah_admin, fee):
    clock.set(at_riyadh(2026, 3, 1, 10))
    # given a period already planned from 1 June (the current one ends the day before)
    FeeSchedule.objects.filter(pk=fee.pk).update(effective_to=dt.date(2026, 5, 31))
    fee_schedule_create(eservice=fee.eservice, municipality_class=2, kind=FeeRuleKind.FIXED,
                        amount="900", effective_from=dt.date(2026, 6, 1))
    client.force_login(amanah_admin)
    before = periods()
    response = client.post(f"/ar{BASE}{fee.pk}/new-period/",
                           {"effective_from": "2026-04-01", "kind": "fixed", "amount": "1200"})
    assert response.status_code == 400
    assert response.context["form"].errors["effective_from"][0].startswith(
        "توجد فترة لهذه الرسوم تبدأ في")
    assert periods() == before


@pytest.mark.parametrize("who", ["branch_admin", "clerk"])
def test_those_who_may_not_change_a_class_fee_are_refused(request, clock, client, fee, who):
    clock.set(at_riyadh(2026, 3, 1, 10))
    client.force_login(request.getfixturevalue(who))
    before = periods()
    response = client.post(f"/en{BASE}{fee.pk}/new-period/",
                           {"effective_from": "2026-03-02", "kind": "fixed", "amount": "1200",
                            "confirmed": "yes"})
    assert response.status_code == 403
    assert periods() == before


def test_a_branch_admin_views_but_a_clerk_does_not(client, fee, branch_admin, clerk):
    client.force_login(branch_admin)
    assert client.get(f"/en{BASE}").status_code == 200
    page = client.get(f"/en{BASE}{fee.pk}/")
    assert page.status_code == 200
    assert f"{BASE}{fee.pk}/new-period/" not in page.content.decode()
    client.force_login(clerk)
    assert client.get(f"/en{BASE}").status_code == 403
    assert client.get(f"/en{BASE}{fee.pk}/").status_code == 403


@pytest.mark.parametrize("quantity", ["400.5", "10"])
def test_the_preview_equals_what_a_real_bill_gets(clock, client, amanah_admin, rate_fee, branch,
                                                  service, quantity):
    clock.set(at_riyadh(2026, 3, 1, 10))
    client.force_login(amanah_admin)
    response = client.get(f"/en{BASE}preview/", {
        "eservice": service.pk, "municipality": branch.pk, "on": "2026-03-01",
        "component": "issuance", "quantity": quantity})
    assert response.status_code == 200
    bill = bill_make(amount=None, eservice=service, municipality=branch, registered=False,
                     fee_quantity=quantity, fee_component="issuance")
    assert response.context["quote"].amount == bill.amount
    assert response.context["quote"].schedule.pk == bill.fee_schedule_id


def test_the_preview_says_the_computation_in_words(clock, client, amanah_admin, rate_fee,
                                                   branch, service):
    client.force_login(amanah_admin)
    response = client.get(f"/en{BASE}preview/", {
        "eservice": service.pk, "municipality": branch.pk, "on": "2026-03-01",
        "component": "issuance", "quantity": "10"})
    assert response.context["words"] == ("SAR 2.75 × 10 m² = SAR 27.50. That is below the "
                                         "minimum of SAR 100.00, so the minimum is charged.")


def test_a_preview_without_a_needed_quantity_says_so_next_to_it(client, amanah_admin, rate_fee,
                                                                 branch, service):
    client.force_login(amanah_admin)
    response = client.get(f"/en{BASE}preview/", {
        "eservice": service.pk, "municipality": branch.pk, "on": "2026-03-01",
        "component": "issuance"})
    assert response.status_code == 400
    assert response.context["form"].errors["quantity"] == [
        "The quantity must be a number greater than zero."]


def test_the_finance_bill_list_filters_by_fee_period(clock, client, amanah_admin, fee, branch,
                                                     service):
    clock.set(at_riyadh(2026, 3, 1, 10))
    under_fee = bill_make(amount=None, eservice=service, municipality=branch, registered=False)
    bill_make(amount="50.00", eservice=service, municipality=branch, registered=False)
    client.force_login(amanah_admin)
    response = client.get(f"/en/payments/finance/bills/?fee_schedule={fee.pk}")
    assert [b.pk for b in response.context["page"].object_list] == [under_fee.pk]


def test_the_new_period_form_starts_from_the_current_rule(clock, client, amanah_admin, fee):
    clock.set(at_riyadh(2026, 3, 1, 10))
    client.force_login(amanah_admin)
    response = client.get(f"/ar{BASE}{fee.pk}/new-period/")
    assert response.status_code == 200
    assert 'id="id_effective_from"' in response.content.decode()
    assert response.context["form"].initial["amount"] == Decimal("1000.00")
