"""Every answer carries the portal's security headers: a Content-Security-Policy with no inline
script or style and no framing, a Permissions-Policy that turns off what the portal never uses,
and `Cache-Control: no-store` — checked by walking every URL pattern as a signed-in citizen, a
finance clerk and an administrator. The templates hold no inline script, style or handler."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

from amanah.enums import StaffRole
from tests.factories import CitizenFactory, StaffMembershipFactory, StaffUserFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
# Rendered by WeasyPrint into a PDF (payments/receipts.py), never sent to a browser as a page.
PDF_TEMPLATES = {"payments/receipt_pdf.html", "permits/certificate_pdf.html",
                 "violations/notice_pdf.html"}
SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid":
          "00000000-0000-0000-0000-000000000001"}


def _route_sample(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)


def _regex_sample(regex: str) -> str | None:
    sample = regex.lstrip("^").replace(r"\Z", "").rstrip("$")
    # admin's (?P<app_label>auth|amanah|…) → its first choice; any other group → "1"
    sample = re.sub(r"\(\?P<\w+>([\w-]+)(?:\|[^)]*)?\)", r"\1", sample)
    sample = re.sub(r"\(\?P<\w+>[^)]*\)", "1", sample)
    return None if re.search(r"[\\()\[\]*+?|{}]", sample) else sample


def _paths(patterns, prefix: str = "") -> set[str]:
    found = set()
    for entry in patterns:
        pattern = entry.pattern
        if isinstance(pattern, LocalePrefixPattern):
            parts = ["ar/", "en/"]
        elif isinstance(pattern, RoutePattern):
            parts = [_route_sample(str(pattern._route))]
        elif isinstance(pattern, RegexPattern):
            part = _regex_sample(pattern._regex)
            parts = [] if part is None else [part]
        else:
            parts = []
        for part in parts:
            if isinstance(entry, URLResolver):
                found |= _paths(entry.url_patterns, prefix + part)
            elif isinstance(entry, URLPattern):
                found.add("/" + prefix + part)
    return found


ALL_PATHS = sorted(_paths(get_resolver().url_patterns))


@pytest.fixture
def signed_in_clients(db):
    citizen = CitizenFactory()
    clerk = StaffUserFactory()
    StaffMembershipFactory(user=clerk, role=StaffRole.CASHIER,
                           department__code="finance")
    admin = UserFactory(username="root-admin", is_staff=True, is_superuser=True)
    clients = {}
    for name, user in (("citizen", citizen.user), ("clerk", clerk), ("admin", admin)):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[name] = client
    return clients


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:]
            for part in (p.strip() for p in header.split(";")) if part}


def _headers_problems(response) -> list[str]:
    problems = []
    csp = _directives(response.get("Content-Security-Policy", ""))
    for directive in ("default-src", "script-src", "style-src"):
        if csp.get(directive) != ["'self'"]:
            problems.append(f"{directive}={csp.get(directive)}")
    if csp.get("frame-ancestors") != ["'none'"] or csp.get("object-src") != ["'none'"]:
        problems.append("framing or plugins allowed")
    if "'unsafe-inline'" in response.get("Content-Security-Policy", ""):
        problems.append("unsafe-inline")
    policy = dict(item.strip().split("=", 1)
                  for item in response.get("Permissions-Policy", "").split(",") if "=" in item)
    for feature in ("camera", "microphone", "payment", "usb"):
        if policy.get(feature) != "()":
            problems.append(f"Permissions-Policy {feature}={policy.get(feature)}")
    if policy.get("geolocation") != "(self)":
        problems.append(f"geolocation={policy.get('geolocation')}")
    cache = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    if "no-store" not in cache:
        problems.append(f"Cache-Control={response.get('Cache-Control')}")
    return problems


def test_the_walk_covers_the_portal():
    # the walk is only as good as the paths it finds: pages, the API, the admin, both languages
    for expected in ("/ar/", "/en/", "/ar/payments/bills/x/", "/api/v1/schema/",
                     "/ar/admin/", "/ar/account/sign-in/", "/ar/transactions/"):
        assert expected in ALL_PATHS
    assert len(ALL_PATHS) > 80


@pytest.mark.parametrize("who", ["citizen", "clerk", "admin"])
def test_every_answer_carries_csp_permissions_policy_and_no_store(signed_in_clients, who):
    client = signed_in_clients[who]
    problems = {}
    for path in ALL_PATHS:
        response = client.get(path)
        found = _headers_problems(response)
        if found:
            problems[f"{path} ({response.status_code})"] = found
    assert problems == {}


@pytest.mark.parametrize("path", ["/ar/", "/en/account/sign-in/", "/ar/payments/inquiry/",
                                  "/api/v1/no-such/", "/ar/no-such-page/"])
def test_anonymous_answers_carry_them_too(client, db, path):
    assert _headers_problems(client.get(path)) == []


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style[\s>]", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_holds_inline_script_or_style():
    templates = [p for p in ROOT.glob("**/templates/**/*.html")
                 if ".venv" not in p.parts and "node_modules" not in p.parts]
    offences = []
    for path in templates:
        name = path.as_posix().split("/templates/", 1)[1]
        if name in PDF_TEMPLATES:
            continue
        text = path.read_text(encoding="utf-8")
        offences += [f"{name}: {what}" for regex, what in INLINE if regex.search(text)]
    assert len(templates) > 30
    assert offences == []


def test_the_pdf_templates_are_only_rendered_into_pdfs():
    # a template allowed its <style> must never be a page: only the PDF renderer names it
    users = [p.relative_to(ROOT).as_posix() for p in ROOT.glob("**/*.py")
             if ".venv" not in p.parts and "tests" not in p.parts
             and any(name in p.read_text(encoding="utf-8") for name in PDF_TEMPLATES)]
    assert sorted(users) == ["payments/receipts.py", "permits/certificates.py",
                             "violations/notice.py"]
    source = (ROOT / "payments/receipts.py").read_text(encoding="utf-8")
    assert 'render_to_string("payments/receipt_pdf.html"' in source
    source = (ROOT / "permits/certificates.py").read_text(encoding="utf-8")
    assert 'render_to_string("permits/certificate_pdf.html"' in source
