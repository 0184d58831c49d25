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


def test_docker_compose_trusts_no_proxy_unless_told(settings):
    # docker-compose.yml runs no proxy in front of gunicorn: by default the header is ignored,
    # and an operator who puts one in front says so in .env
    from pathlib import Path

    import yaml

    compose = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml")
                             .read_text())
    assert compose["services"]["web"]["environment"]["TRUSTED_PROXY_COUNT"] == \
        "${TRUSTED_PROXY_COUNT:-0}"


def test_a_mistyped_limit_or_proxy_count_stops_the_start_up(settings):
    from amanah.ratelimits import rate_limits_check

    assert rate_limits_check() == []
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_up": "adress=5/h"}
    settings.RATE_LIMITED_PAGES = {**settings.RATE_LIMITED_PAGES, "amanah:x": "nope"}
    settings.TRUSTED_PROXY_COUNT = -1
    assert [e.id for e in rate_limits_check()] == ["amanah.E101", "amanah.E102", "amanah.E103"]


@pytest.mark.parametrize(("text", "rules"), [
    ("address=30/m,id=10/h", [("address", 30, 60), ("id", 10, 3600)]),
    ("address=60/10m", [("address", 60, 600)]),
    (" address = 3/day , account=5/hour ", [("address", 3, 86400), ("account", 5, 3600)]),
])
def test_rules_are_read_from_their_settings_text(text, rules):
    from amanah.ratelimits import rules_parse

    assert [(r.kind, r.count, r.seconds) for r in rules_parse(text)] == rules


@pytest.mark.parametrize("name", ["amanah:password_reset", "amanah:password_reset_confirm",
                                  "amanah:password_reset_code"])
def test_every_password_reset_page_is_limited_by_its_url_name(name):
    from amanah.ratelimits import scope_for_url_name

    assert scope_for_url_name(name) == "password_reset"
    assert scope_for_url_name("amanah:sign_in") == "sign_in"
    assert scope_for_url_name("amanah:home") is None


def test_every_api_throttle_counts_by_the_one_client_address():
    # given every view the URL configuration serves
    from django.urls import get_resolver
    from rest_framework.views import APIView

    from amanah.throttles import PortalThrottle

    def views(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from views(pattern.url_patterns)
            else:
                yield getattr(pattern.callback, "cls", None)

    api_views = {v for v in views(get_resolver().url_patterns)
                 if isinstance(v, type) and issubclass(v, APIView)}
    # then each throttle any of them uses derives from the portal's base throttle
    throttles = {t for view in api_views for t in view().get_throttles()}
    assert {"BillInquiryThrottle", "StatusCheckThrottle"} <= {type(t).__name__
                                                              for t in throttles}
    assert all(isinstance(t, PortalThrottle) for t in throttles)
