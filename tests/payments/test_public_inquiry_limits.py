"""The bill inquiry's limits hold against forged X-Forwarded-For headers, count per address and
per looked-up ID (page and API together), and a walk over bill numbers learns at most the
limit's worth."""

import itertools
import random

import pytest

from amanah.identity import luhn_check_digit
from tests.factories import national_id_for

from .pages_helpers import world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

PAGE = "/ar/payments/inquiry/"
PROXY = "10.0.0.2"
_addresses = itertools.count(1)


def _forged() -> str:
    return f"{random.randrange(11, 223)}.{random.randrange(256)}.{random.randrange(256)}.9"


def _through(real: str, proxies: int) -> dict:
    """What a request looks like to the portal: the client forged a new X-Forwarded-For, and
    with a trusted proxy in front the proxy appended the address it really came from."""
    if proxies == 0:
        return {"REMOTE_ADDR": real, "HTTP_X_FORWARDED_FOR": _forged()}
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{_forged()}, {real}"}


def _ask(client, account, official_id, **meta):
    return client.get(f"/api/v1/bills/{account}", {"official_id": official_id}, **meta)


def _some_id() -> str:
    return national_id_for(60_000_000 + next(_addresses))


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_forwarded_for_on_every_request_does_not_escape_the_api_limit(
        client, world, settings, proxies):
    # given the default limit (30 a minute per address) and this many trusted proxies
    settings.TRUSTED_PROXY_COUNT = proxies
    bill = world.bill(amount="150.00")
    # when one client asks 31 times, each time with a new forged X-Forwarded-For (and a new
    # ID, so that only the address limit is in play)
    statuses = [_ask(client, bill.billing_account, _some_id(),
                     **_through("198.51.100.7", proxies)).status_code for _ in range(31)]
    # then the 31st is refused all the same
    assert statuses == [404] * 30 + [429]


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_forwarded_for_on_every_request_does_not_escape_the_page_limit(
        client, world, settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    bill = world.bill(amount="150.00")
    statuses = [client.post(PAGE, {"billing_account": bill.billing_account,
                                   "official_id": _some_id()},
                            **_through("198.51.100.8", proxies)).status_code
                for _ in range(31)]
    assert statuses == [200] * 30 + [429]


def test_behind_the_proxy_two_citizens_have_a_bucket_each(client, world, settings):
    # given one trusted proxy, through which every request arrives
    settings.TRUSTED_PROXY_COUNT = 1
    bill = world.bill(amount="150.00")
    # when one citizen's address uses up its 30 inquiries
    for _ in range(30):
        client.post(PAGE, {"billing_account": bill.billing_account, "official_id": _some_id()},
                    REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")
    refused = client.post(PAGE, {"billing_account": bill.billing_account,
                                 "official_id": world.citizen.national_id},
                          REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")
    # then another citizen, at another address behind the same proxy, is still answered
    other = client.post(PAGE, {"billing_account": bill.billing_account,
                               "official_id": world.citizen.national_id},
                        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert refused.status_code == 429
    assert other.status_code == 200
    assert other.context["bill"].pk == bill.pk


def test_the_page_answers_429_in_the_page_shell_with_retry_after(client, world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "bill_inquiry": "address=1/minute"}
    bill = world.bill(amount="150.00")
    data = {"billing_account": bill.billing_account, "official_id": world.citizen.national_id}
    assert client.post(PAGE, data).status_code == 200
    arabic = client.post(PAGE, data)
    english = client.post("/en/payments/inquiry/", data)
    assert arabic.status_code == english.status_code == 429
    assert 0 < int(arabic["Retry-After"]) <= 60
    assert '<html lang="ar" dir="rtl"' in arabic.content.decode()
    assert "طلبات كثيرة" in arabic.content.decode()
    assert "Too many requests" in english.content.decode()
    assert bill.billing_account not in arabic.content.decode()
    # and a GET of the empty form is no look-up, so it is never counted nor refused
    assert client.get(PAGE).status_code == 200


def test_page_and_api_share_the_limit_on_the_looked_up_id(client, world, settings):
    # given a limit of 3 look-ups an hour of one official ID, wherever they come from
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "bill_inquiry": "address=30/m,id=3/h"}
    bill = world.bill(amount="150.00")
    ident = world.citizen.national_id
    # when the ID is looked up twice on the page and once on the API, from three addresses
    page = [client.post(PAGE, {"billing_account": bill.billing_account, "official_id": ident},
                        REMOTE_ADDR=f"198.51.100.{n}").status_code for n in (1, 2)]
    api = _ask(client, bill.billing_account, ident, REMOTE_ADDR="198.51.100.3")
    # then a fourth look-up of that ID is refused, on either, from any address
    again_api = _ask(client, bill.billing_account, ident, REMOTE_ADDR="198.51.100.4")
    again_page = client.post(PAGE, {"billing_account": bill.billing_account,
                                    "official_id": " " + ident.translate(
                                        str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))},
                             REMOTE_ADDR="198.51.100.5")
    assert page == [200, 200] and api.status_code == 200
    assert again_api.status_code == again_page.status_code == 429
    assert again_api.json()["code"] == "rate_limited"
    # while another person's ID is still answered
    assert _ask(client, bill.billing_account, world.other_citizen.national_id,
                REMOTE_ADDR="198.51.100.6").status_code == 404


def test_walking_bill_numbers_with_a_known_id_learns_at_most_the_limits_worth(
        client, world, settings):
    # given a stranger's ID, and twelve of their bills among others' with sequential numbers
    settings.TRUSTED_PROXY_COUNT = 0
    limit = 10  # the default: 10 look-ups of one ID an hour
    assert "id=10/h" in settings.RATE_LIMITS["bill_inquiry"]
    first = world.bill(amount="10.00")
    for n in range(11):
        world.bill(amount=f"{11 + n}.00")
        world.bill(amount="5.00", person=world.other_citizen)
    # when someone walks 40 Luhn-valid numbers from the first, forging a new
    # X-Forwarded-For on every request
    start = int(first.billing_account[:-1])
    learned, refused = [], 0
    for payload in range(start, start + 40):
        account = f"{payload}" + luhn_check_digit(f"{payload}")
        response = _ask(client, account, world.citizen.national_id,
                        REMOTE_ADDR=f"203.0.113.{payload % 250}",
                        HTTP_X_FORWARDED_FOR=_forged())
        if response.status_code == 200:
            learned.append(response.json()["billing_account"])
        refused += response.status_code == 429
    # then they learned no more than the limit allows, and the rest was refused
    assert 0 < len(learned) <= limit
    assert refused == 40 - limit
