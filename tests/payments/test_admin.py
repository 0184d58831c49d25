import datetime as dt

import pytest

from payments.enums import FeeRuleKind
from payments.models import FeeSchedule
from payments.services import fee_schedule_create
from tests.factories import EServiceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_admin_refuses_an_overlapping_fee_schedule_next_to_the_field(client):
    # given an open-ended schedule and a superuser
    service = EServiceFactory(code="building_permit")
    fee_schedule_create(eservice=service, municipality_class=2, kind=FeeRuleKind.FIXED,
                        amount="100", effective_from=dt.date(2026, 1, 1))
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    # when another one overlapping it is added in the admin
    response = client.post("/ar/admin/payments/feeschedule/add/", {
        "eservice": service.pk, "municipality_class": 2, "effective_from": "2026-05-01",
        "kind": FeeRuleKind.FIXED, "amount": "150", "name_ar": "رسوم", "name_en": "Fee"})
    # then the form is shown again with the bilingual message and nothing is saved
    assert response.status_code == 200
    assert "Another fee schedule covers this service and class" in response.content.decode()
    assert FeeSchedule.objects.count() == 1


def test_admin_adds_a_schedule_that_does_not_overlap(client):
    service = EServiceFactory(code="building_permit")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post("/ar/admin/payments/feeschedule/add/", {
        "eservice": service.pk, "municipality_class": 2, "effective_from": "2026-05-01",
        "kind": FeeRuleKind.RATE, "amount": "2.50", "minimum": "100", "unit_en": "m²",
        "name_ar": "رسوم", "name_en": "Fee"})
    assert response.status_code == 302
    assert FeeSchedule.objects.get().amount == 2.5
