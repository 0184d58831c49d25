"""The public bill inquiry page: no login, same answer for unknown and wrong, throttled."""

import pytest

from .factories import UNKNOWN_ACCOUNT
from .pages_helpers import world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

URL = "/ar/payments/inquiry/"


def test_anonymous_sees_the_status_of_a_bill(client, world):
    bill = world.bill(amount="150.00")
    response = client.post(URL, {"billing_account": bill.billing_account,
                                 "official_id": world.citizen.national_id})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["bill"].pk == bill.pk
    assert "غير مدفوعة — جاهزة للسداد" in html
    assert "150.00 ر.س" in html


def test_unknown_and_wrong_look_the_same(client, world):
    bill = world.bill(amount="150.00")
    wrong = client.post(URL, {"billing_account": bill.billing_account,
                              "official_id": world.other_citizen.national_id})
    unknown = client.post(URL, {"billing_account": UNKNOWN_ACCOUNT,
                                "official_id": world.citizen.national_id})
    message = "لا توجد فاتورة بهذا الرقم لهذه الهوية."
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["bill"] is None and unknown.context["bill"] is None
    assert message in wrong.content.decode() and message in unknown.content.decode()


def test_bad_input_is_shown_next_to_the_field(client, world):
    response = client.post("/en/payments/inquiry/", {"billing_account": "12ab",
                                                     "official_id": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"billing_account", "official_id"}
    assert "Digits only, at most 15." in response.content.decode()


def test_page_is_throttled_like_the_api(client, world, settings):
    # given the default limits: 30 a minute per address, 10 an hour per official ID
    bill = world.bill(amount="150.00")
    data = {"billing_account": bill.billing_account, "official_id": world.citizen.national_id}
    # when one address asks about one ID eleven times
    statuses = [client.post(URL, data).status_code for _ in range(11)]
    # then the eleventh is refused with the page shell, and nothing about the bill
    assert statuses == [200] * 10 + [429]
    limited = client.post(URL, data)
    assert limited.status_code == 429
    assert "طلبات كثيرة" in limited.content.decode()
    assert bill.billing_account not in limited.content.decode()
