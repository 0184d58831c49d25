"""No 500 from input (issue 8, point 7): every URL pattern and every API operation, attacked.

Every route of the resolver and every operation of the OpenAPI schema is requested with
hostile values — NUL and other control characters, numbers too big for any column, impossible
dates, overlong text, a right-to-left override, SQL-ish text, percent-encoded garbage and bad
UTF-8 — in each path parameter, in every query parameter the view reads (recorded while the
page is first asked for), in every field of every form the page shows, and in every property
of an operation's JSON body, as an anonymous visitor, a citizen (mobile confirmed), a clerk and
a finance head (the finance pages). Any 5xx fails the test, with the request that caused it.

The routes are read from the resolver and the schema, never listed here, so a new page is
attacked the day it is added; only a sample value per path parameter *name* lives here, so
that the page is reached before its query string and forms are attacked (a new name fails
loudly until it is given one).
"""

import datetime as dt
import itertools
import json
import re
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import quote, quote_from_bytes, urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.handlers.wsgi import WSGIRequest, get_bytes_from_wsgi
from django.core.management import call_command
from django.db import transaction
from django.http import QueryDict
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.functional import cached_property
from django.utils.translation import override

from amanah.models import Department, Person, User
from payments.models import Bill, Receipt
from payments.services import payment_record
from permits.models import Application
from tests.conftest import otp_session_verify
from workflow.models import Case

# --- What a hostile client sends -------------------------------------------------------------

NUL = "12\x003"  # PostgreSQL refuses a NUL in any string, even to compare it
SQL_ISH = "1' OR '1'='1'; DROP TABLE amanah_user; --"
RTL_OVERRIDE = "\u202egnp.exe"
HOSTILE_TEXT = [
    NUL,
    "\x1b[2J\x07\x08",       # other C0 controls
    "9" * 40,                # wider than any integer column
    "-1",
    "9999-12-31",            # a day with no day after it
    "2026-02-30",            # a day that does not exist
    "0000-01-01",            # year 0
    "x" * 3000,              # overlong
    RTL_OVERRIDE,
    SQL_ISH,
    "%00%ff%c0%af",          # percent-encoded garbage, itself percent-encoded once more
]
# Raw bytes that are not UTF-8, percent-encoded into the URL or body as they are (the second
# is a surrogate, UTF-8 encoded).
HOSTILE_BYTES = [b"\xff\xfe(", b"\xed\xa0\x80"]
HOSTILE_VALUES = [*HOSTILE_TEXT, *HOSTILE_BYTES]
# Numbers that still match an `<int:…>` converter but fit no column.
HOSTILE_INTS = ["0", "2147483648", "9223372036854775808", "9" * 40]
# In a path (str converters): no dates or signs, which mean nothing there.
PATH_VALUES = [NUL, "\x1b[2J", "9" * 40, "x" * 3000, RTL_OVERRIDE, "%00%ff%c0%af", SQL_ISH,
               *HOSTILE_BYTES]
PATH_VALUES_SHORT = [NUL, "x" * 3000, SQL_ISH]
# Forms are the slowest pages to answer: one value of each kind.
FORM_VALUES = [NUL, "\x1b[2J", "9" * 40, "9999-12-31", "x" * 3000, RTL_OVERRIDE, SQL_ISH,
               b"\xff\xfe("]
# What only a JSON body can carry: wrong types, huge numbers, a lone surrogate.
HOSTILE_JSON = [NUL, "\ud800", "9" * 40, "9999-12-31", "x" * 3000, RTL_OVERRIDE, SQL_ISH,
                10**30, -(2**63) - 1, 1.5e308, None, True, [], {"a": 1}]
# Bodies that are not the JSON object an operation expects.
HOSTILE_RAW_JSON = [b"", b"null", b"[]", b'"x"', b"{", b'{"a": "\\ud800"}', b"\xff\xfe{}",
                    b'{"a": "\\u0000"}', b"9" * 400]

ROLES = {
    "anonymous": None,
    "citizen": "1012345672",             # demo citizen of Khobar, mobile confirmed
    "clerk": "khb.licensing.clerk",
    "finance_head": "khb.finance.head",  # the finance pages only (see _page_routes)
}
FINANCE_PAGES = ("finance_", "bill_", "receipt_", "my_bills")
ADMIN = "/ar/admin/"  # Django's admin: its routes are Django's regexes; asked with a search
# Bounded by construction (each page is asked a fixed number of times); these only catch a
# walk that grew out of hand. A quiet machine walks a role in a few seconds.
MAX_REQUESTS = 3000  # the permits pages took a citizen's walk past 1,500, violations past 2,000
BUDGET_SECONDS = 120


@dataclass
class World:
    samples: dict[str, str]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data plus a receipt and a suspense payment, made once for the module and rolled
    back after it (each test runs in a savepoint inside it)."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), override("ar"), media:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield World(samples=_world_build())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _world_build() -> dict[str, str]:
    call_command("seed_demo", stdout=StringIO())
    now = dt.datetime.now(dt.UTC)
    citizen = ROLES["citizen"]
    # (bill numbers come from a sequence, which no rollback resets: found, not written down)
    paid, short = Bill.objects.filter(municipality__code="KHB",
                                      payer_person__national_id=citizen).order_by("pk")[:2]
    payment_record(sptn=f"SP{uuid.uuid4().int % 10**16:016d}", amount=paid.amount,
                   billing_account=paid.billing_account, bank_id="RJHISARI",
                   channel="INTERNET", method="ACTDEB", processed_at=now)
    suspense = payment_record(sptn=f"SP{uuid.uuid4().int % 10**16:016d}",
                              amount=short.amount - Decimal("50.00"),
                              billing_account=short.billing_account, bank_id="RJHISARI",
                              channel="ATM", method="CASH", processed_at=now).payment
    receipt = Receipt.objects.get(bill=paid)
    # A stand-in file, so that the receipt's page serves it instead of rendering a PDF.
    Receipt.objects.filter(pk=receipt.pk).update(
        pdf=default_storage.save("receipt.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n")),
        pdf_made_at=now)
    draft = Application.objects.filter(owner_person__national_id=citizen).order_by("pk").first()
    department = Department.objects.get(municipality__code="KHB", code="licensing")
    case = Case.objects.filter(applicant_person__national_id=citizen,
                               department=department).order_by("pk").first()
    return {
        "case_id": str(case.pk), "department_id": str(department.pk), "attachment_id": "1",
        "billing_account": paid.billing_account, "token": receipt.verify_token,
        "number": receipt.number, "payment_id": str(suspense.pk), "run_id": "1",
        "file_format": "csv",  # the exports of staff lists (issue 12)
        # a simulated Nafath request nobody started: its page must still answer, never 5xx
        "transaction_id": uuid.uuid4().hex,
        "code": "building_permit",  # a permit type's service card
        # a demo draft the citizen owns (a Khobar office prepares it), and one of its parties
        "reference": draft.reference, "party_id": str(draft.parties.order_by("pk").first().pk),
        # a step of the applying form, and a document (none with this id: answers 404)
        "step": "1", "document_id": "1",
        "decision": "suspend",  # a staff decision on a permit (suspend, reinstate, cancel)
        # permits review: a visit photo, a visit
        "photo_id": "1", "inspection_id": "1",
        # violations: a checklist question of an inspection (none with this id: answers 404)
        "question_id": "1",
        # the counter: the person a clerk serves (the demo citizen)
        "person_id": str(Person.objects.get(national_id=citizen).pk),
        # configuration pages: a fee period, a holiday, a staff role (none: answer 404 or 403)
        "fee_id": "1", "holiday_id": "1", "membership_id": "1",
        # the procedure designer (admins only: every role here is refused before a lookup)
        "definition_id": "1", "version_id": "1", "state_id": "1", "transition_id": "1",
        # notification texts (admins only; the first seeded text)
        "template_id": "1",
    }


# --- Reading what a view reads ---------------------------------------------------------------

READ_KEYS: set[str] = set()


class RecordingQueryDict(QueryDict):
    """request.GET that remembers which names the view asked for (its copies too)."""

    def __getitem__(self, key):
        READ_KEYS.add(key)
        return super().__getitem__(key)

    def getlist(self, key, default=None):
        READ_KEYS.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        READ_KEYS.add(key)
        return super().__contains__(key)


@pytest.fixture
def recording_get(monkeypatch):
    def get(request):
        return RecordingQueryDict(get_bytes_from_wsgi(request.environ, "QUERY_STRING", ""),
                                  encoding=request._encoding)

    prop = cached_property(get)
    prop.__set_name__(WSGIRequest, "GET")
    monkeypatch.setattr(WSGIRequest, "GET", prop)


class FormParser(HTMLParser):
    """A page's POST forms: where they go, each field's name, and the values that say which
    action was chosen (hidden fields, submit buttons), which are kept as the page wrote them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"method": (attrs.get("method") or "get").lower(),
                          "action": attrs.get("action") or "", "fields": set(), "fixed": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button"):
            name = attrs.get("name")
            if not name:
                return
            self._form["fields"].add(name)
            if tag == "button" or attrs.get("type", "").lower() in ("hidden", "submit"):
                self._form["fixed"][name] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _post_forms(response) -> list[dict]:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    parser = FormParser()
    parser.feed(response.content.decode("utf-8", "replace"))
    return [form for form in parser.forms if form["method"] == "post"]


# --- Sending ---------------------------------------------------------------------------------


def _quote(value) -> str:
    return quote_from_bytes(value, safe="") if isinstance(value, bytes) else quote(value,
                                                                                   safe="")


def _encoded(pairs) -> str:
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in pairs)


class Walk:
    """A client for one role that records every 5xx, with what was sent."""

    def __init__(self, user: User | None):
        self.client = Client(raise_request_exception=False)
        self.user = user
        self.failures: list[str] = []
        self.requests = 0
        self.forms_done: set = set()
        # A new client address per request, so that address-based limits never stand between
        # a hostile value and the view (a 429 is no failure, but it would test nothing).
        self._addresses = (f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"
                           for i in itertools.count(1))
        self._sign_in()

    def _sign_in(self):
        if self.user is not None:
            self.client.force_login(self.user)
            otp_session_verify(self.client, self.user)  # staff: the second factor passed too
            self._session = self.client.cookies[settings.SESSION_COOKIE_NAME].value

    def send(self, method: str, url: str, *, body=b"", content_type=None, note=""):
        extra = {"REMOTE_ADDR": next(self._addresses)}
        if method == "get":
            response = self.client.get(url, **extra)
        else:
            response = self.client.generic(
                method.upper(), url, body,
                content_type=content_type or "application/x-www-form-urlencoded", **extra)
        self.requests += 1
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            cause = f"{exc[0].__name__}: {str(exc[1])[:120]}" if exc else ""
            self.failures.append(f"{response.status_code} {method.upper()} {url[:160]!r} "
                                 f"{note[:160]!r} {cause}")
        cookie = self.client.cookies.get(settings.SESSION_COOKIE_NAME)
        if self.user is not None and (cookie is None or cookie.value != self._session):
            self._sign_in()  # the walk posted to sign-out, or to a form that ends the session
        return response


# --- Pages: every route of the resolver ------------------------------------------------------


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def _route_parts(route: str) -> list:
    """`ar/payments/bills/<str:billing_account>/` → ["ar/payments/bills/",
    ("str", "billing_account"), "/"]: the fixed text and the parameters, in order."""
    parts, position = [], 0
    for match in re.finditer(r"<(?:(\w+):)?(\w+)>", route):
        parts += [route[position:match.start()], (match.group(1) or "str", match.group(2))]
        position = match.end()
    return [*parts, route[position:]]


def _build(parts: list, values: dict) -> str:
    return "/" + "".join(part if isinstance(part, str) else values[part[1]] for part in parts)


def _page_routes(role: str):
    for route, pattern in _routes(get_resolver().url_patterns):
        if "admin/" in route or (route.startswith("api/v1/")
                                 and route not in ("api/v1/schema/", "api/v1/docs/")):
            continue  # the admin is asked below; the API is walked from its schema
        if role == "finance_head" and not (pattern.name or "").startswith(FINANCE_PAGES):
            continue
        yield route, _route_parts(route)


def _path_values(kind: str, sample: str, *, reached: bool = True) -> list:
    if kind == "int":
        return HOSTILE_INTS
    # the sample itself with a NUL or an override in it passes length and format checks
    middle = len(sample) // 2
    derived = [f"{sample[:middle]}\x00{sample[middle:]}", sample + RTL_OVERRIDE]
    return [*(PATH_VALUES if reached else PATH_VALUES_SHORT), *derived]


def _walk_pages(walk: Walk, role: str, samples: dict):
    for value in HOSTILE_VALUES:
        walk.send("get", f"{ADMIN}amanah/person/?{_encoded([('q', value)])}", note="admin")
    for route, parts in _page_routes(role):
        params = [part for part in parts if not isinstance(part, str)]
        missing = [name for _, name in params if name not in samples]
        assert not missing, f"give {missing} a sample value in this test ({route})"
        valid = {name: _quote(samples[name]) for _, name in params}
        url = _build(parts, valid)
        # the page as it is, recording which query parameters the view reads
        READ_KEYS.clear()
        page = walk.send("get", url)
        # a view that read nothing is asked a few guesses with a few values
        read = sorted(READ_KEYS) or ["page", "q"]
        query_values = HOSTILE_VALUES if READ_KEYS else PATH_VALUES_SHORT
        forms = _post_forms(page)
        # Where the role is sent away (sign in, forbidden, not found) the view reads little:
        # its path is still attacked, with fewer values, and its query string not at all.
        reached = page.status_code in (200, 400, 405)
        posts = page.status_code == 405 or bool(forms)
        # each path parameter, hostile
        for kind, name in params:
            for value in _path_values(kind, samples[name], reached=reached):
                hostile = _build(parts, {**valid, name: _quote(value)})
                walk.send("get", hostile, note=name)
                if posts:
                    walk.send("post", hostile, body=_encoded([(name, value)]), note=name)
        if not reached:
            continue
        # every query parameter the view read, hostile
        for value in query_values:
            walk.send("get", f"{url}?{_encoded((key, value) for key in read)}", note=str(read))
        # every field of every form on the page (a page that takes a POST but shows no form
        # gets a guess)
        for form in forms or ([{"action": "", "fields": {"q", "page"}, "fixed": {}}]
                              if posts else []):
            _walk_form(walk, url, form)


def _walk_form(walk: Walk, page_url: str, form: dict):
    target = urlsplit(urljoin(page_url, form["action"]))
    target_url = target.path + (f"?{target.query}" if target.query else "")
    # The shell's forms (language, sign-out) are on every page, and one form class is often
    # shown once per action: each (target, fields) is attacked once.
    key = (target_url, tuple(sorted(form["fields"])))
    if key in walk.forms_done:
        return
    walk.forms_done.add(key)
    typed = sorted(form["fields"] - set(form["fixed"]))
    for value in FORM_VALUES:
        pairs = [*form["fixed"].items(), *((name, value) for name in typed)]
        walk.send("post", target_url, body=_encoded(pairs), note=str(typed))
    for value in (NUL, "9" * 40):  # every field, the hidden ones and the buttons too
        walk.send("post", target_url, body=_encoded((name, value) for name in form["fields"]),
                  note="every field")


# --- The API: every operation of the OpenAPI schema ------------------------------------------


def _component(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _walk_api(walk: Walk, samples: dict):
    schema = walk.client.get("/api/v1/schema/").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            parameters = operation.get("parameters", [])
            in_path = [p["name"] for p in parameters if p["in"] == "path"]
            in_query = [p["name"] for p in parameters if p["in"] == "query"]
            missing = [name for name in in_path if name not in samples]
            assert not missing, f"give {missing} a sample value in this test ({path})"
            valid = {name: _quote(samples[name]) for name in in_path}
            url = path.format(**valid)
            content = operation.get("requestBody", {}).get("content", {})
            body = (_component(schema, content["application/json"]["schema"])
                    if "application/json" in content else {})
            fields = list(body.get("properties", {}))
            plain = json.dumps({name: "1" for name in fields}).encode()

            def send(url, data=plain, content_type="application/json", note="", method=method):
                walk.send(method, url, body=data, content_type=content_type, note=note)

            for name in in_path:
                for value in [*HOSTILE_INTS, *_path_values("str", samples[name])]:
                    send(path.format(**{**valid, name: _quote(value)}), note=name)
            for value in HOSTILE_VALUES if in_query else ():
                send(f"{url}?{_encoded((name, value) for name in in_query)}", note=str(in_query))
            if not fields:
                continue
            for value in HOSTILE_JSON:
                send(url, json.dumps({name: value for name in fields}).encode(), note=repr(value))
            for raw in HOSTILE_RAW_JSON:
                send(url, raw, note=repr(raw))
            for value in (NUL, "9" * 40, b"\xff\xfe("):
                send(url, _encoded((name, value) for name in fields),
                     "application/x-www-form-urlencoded", note="form-encoded")


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_and_no_api_operation_answers_5xx_to_hostile_input(role, world, recording_get):
    # given the demo data, and the role signed in (the citizen's mobile is confirmed)
    cache.clear()
    username = ROLES[role]
    walk = Walk(User.objects.get(username=username) if username else None)
    started = time.monotonic()
    # when every page and every API operation is sent hostile values wherever it reads input
    with override("ar"):
        _walk_pages(walk, role, world.samples)
        if role != "finance_head":
            _walk_api(walk, world.samples)
    elapsed = time.monotonic() - started
    # then nothing answered 5xx
    assert walk.failures == [], f"{len(walk.failures)} of {walk.requests} requests:\n" + \
        "\n".join(walk.failures)
    # (and the walk really walked, within its time)
    assert 200 < walk.requests < MAX_REQUESTS
    assert elapsed < BUDGET_SECONDS, f"{walk.requests} requests took {elapsed:.0f} s"
