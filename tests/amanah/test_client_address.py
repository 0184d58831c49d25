"""One answer to "which address is this client?", whatever the client writes in its headers."""

import pytest
from django.test import RequestFactory

from amanah.client_address import client_address, client_bucket

pytestmark = pytest.mark.django_db


def _request(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_with_no_trusted_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request("198.51.100.7", "1.2.3.4")) == "198.51.100.7"


@pytest.mark.parametrize(("forwarded", "expected"), [
    # our proxy appended the address it saw; anything the client wrote to its left is ignored
    ("198.51.100.7", "198.51.100.7"),
    ("1.2.3.4, 198.51.100.7", "198.51.100.7"),
    ("1.2.3.4,5.6.7.8 ,  198.51.100.7", "198.51.100.7"),
    ("not-an-address, 198.51.100.7", "198.51.100.7"),
    # IPv4 written as IPv6 by a dual-stack proxy is the same client
    ("::ffff:198.51.100.7", "198.51.100.7"),
])
def test_behind_one_proxy_the_rightmost_address_is_the_client(settings, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request("10.0.0.2", forwarded)) == expected


def test_behind_two_proxies_the_second_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = _request("10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2")
    assert client_address(request) == "198.51.100.7"


@pytest.mark.parametrize("forwarded", [None, "", "garbage", "1.2.3.4\x00", "198.51.100.7, x"])
def test_a_missing_short_or_invalid_header_falls_back_to_the_peer(settings, forwarded):
    # given two trusted proxies but a header that does not hold their two entries, or whose
    # entry is not an address: the request did not come through them as configured
    settings.TRUSTED_PROXY_COUNT = 2 if forwarded != "198.51.100.7, x" else 1
    assert client_address(_request("10.0.0.2", forwarded)) == "10.0.0.2"


def test_ipv6_clients_are_counted_by_their_64_network(settings):
    # one IPv6 subscriber holds a whole /64: counting single addresses would let them rotate
    settings.TRUSTED_PROXY_COUNT = 0
    first = client_bucket(_request("2001:db8:1:2::1"))
    second = client_bucket(_request("2001:db8:1:2:ffff:ffff:ffff:ffff"))
    other = client_bucket(_request("2001:db8:1:3::1"))
    assert first == second == "2001:db8:1:2::"
    assert other != first
    assert client_bucket(_request("198.51.100.7")) == "198.51.100.7"
