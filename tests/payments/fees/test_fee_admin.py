"""The Django admin's fee schedules: money as every page shows it, a saved period's rule read
only, and a change message that says what happened to the period."""

import datetime as dt

import pytest

from payments.enums import FeeRuleKind
from payments.models import FeeSchedule
from payments.services import fee_schedule_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def fee(service):
    return fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                               amount="1000", effective_from=dt.date(2026, 1, 1))


@pytest.mark.parametrize(("language", "amount"), [("ar", "1,000.00 ر.س"), ("en", "SAR 1,000.00")])
def test_the_admin_list_shows_amounts_as_every_page_does(client, superuser, fee, language,
                                                         amount):
    client.force_login(superuser)
    body = client.get(f"/{language}/admin/payments/feeschedule/").content.decode()
    assert amount in body
    assert "1000,00" not in body


def test_closing_a_period_in_the_admin_says_so_and_keeps_the_rule(client, superuser, fee):
    client.force_login(superuser)
    response = client.post(f"/en/admin/payments/feeschedule/{fee.pk}/change/", {
        "effective_to": "2026-06-30", "name_ar": fee.name_ar, "name_en": fee.name_en,
        "amount": "5", "kind": "rate"}, follow=True)
    assert response.status_code == 200
    fee.refresh_from_db()
    assert (fee.effective_to, fee.amount, fee.kind) == (dt.date(2026, 6, 30), 1000, "fixed")
    assert [str(m) for m in response.context["messages"]] == [
        "The period from 12 Rajab 1447 AH — 1 January 2026 now ends on 15 Muharram 1448 AH — "
        "30 June 2026."]
    assert FeeSchedule.history.filter(id=fee.pk, history_type="~").get().history_user == superuser
