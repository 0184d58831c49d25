"""The API reference: /api/v1/schema/ (OpenAPI 3, JSON) and /api/v1/docs/ (server-rendered page).

Both are public on purpose: integrators read them before they have an account, and they say
nothing an anonymous caller cannot learn by calling the API.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

API_PREFIX = "api/v1/"
# The reference's own two routes document the API; they are not part of it.
REFERENCE_ROUTES = {"/api/v1/schema/", "/api/v1/docs/"}


def _routes(patterns, prefix=""):
    """Every concrete route of the URL map, as written (`api/v1/workflow/cases/<int:case_id>/`)."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _api_routes() -> set[str]:
    """The /api/v1/ routes in OpenAPI's spelling: `<int:case_id>` becomes `{case_id}`."""
    return {"/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
            for route in _routes(get_resolver().url_patterns) if route.startswith(API_PREFIX)}


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    return response.json()


def test_schema_is_openapi_3_json_for_anyone(client):
    # given no one signed in
    # when the schema is asked for
    response = client.get("/api/v1/schema/")
    # then it is an OpenAPI 3 document in JSON, titled as the portal's API
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == "application/vnd.oai.openapi+json"
    body = response.json()
    assert body["openapi"].startswith("3.")
    assert body["info"]["title"] == "Amanah Portal API"
    assert "session" in body["info"]["description"]
    assert "SADAD" in body["info"]["description"]


def test_schema_choice_labels_follow_lang(client):
    # given the same schema asked for in English and in Arabic
    english = client.get("/api/v1/schema/", {"lang": "en"}).json()
    arabic = client.get("/api/v1/schema/", {"lang": "ar"}).json()
    # then the bill status labels are in the language asked for, and nothing else differs
    status = "BillStatusEnum"
    assert "* `unpaid` - Unpaid" in english["components"]["schemas"][status]["description"]
    # (the Arabic wording is payments' catalogue's to choose; that it is Arabic is the point)
    assert re.search(r"\* `unpaid` - [\u0600-\u06FF]",
                     arabic["components"]["schemas"][status]["description"])
    assert set(english["paths"]) == set(arabic["paths"])


def test_every_api_route_is_in_the_schema_and_nothing_else(schema):
    # given every URL pattern under /api/v1/, read from the resolver
    routes = _api_routes()
    assert "/api/v1/workflow/cases/{case_id}/transitions/" in routes
    assert "/api/v1/bills/{billing_account}" in routes
    # then the schema documents exactly those, less the reference's own two routes
    assert set(schema["paths"]) == routes - REFERENCE_ROUTES
    # and SADAD's XML endpoints stay out of it
    assert not [path for path in schema["paths"] if path.startswith("/sadad/")]


def test_every_operation_has_a_summary_and_a_documented_refusal(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert operation.get("summary"), (method, path)
            refusals = [status for status in operation["responses"] if status.startswith("4")]
            assert refusals, (method, path)
            for status in refusals:
                body = operation["responses"][status]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/ApiError"}, (method, path, status)


def test_error_envelope_component_matches_the_exception_handler(schema):
    error = schema["components"]["schemas"]["ApiError"]
    assert list(error["properties"]) == ["code", "detail", "detail_ar", "detail_en", "field",
                                         "errors"]
    assert error["required"] == ["code", "detail"]


def test_bill_inquiry_documents_official_id_and_its_refusals(schema):
    operation = schema["paths"]["/api/v1/bills/{billing_account}"]["get"]
    parameters = {(p["name"], p["in"]): p for p in operation["parameters"]}
    assert set(parameters) == {("billing_account", "path"), ("official_id", "query")}
    assert parameters[("official_id", "query")]["required"] is True
    assert set(operation["responses"]) == {"200", "400", "404", "429"}
    assert "`bill.not_found`" in operation["responses"]["404"]["description"]
    assert "`inquiry.official_id_required`" in operation["responses"]["400"]["description"]
    # a public endpoint: no credentials required
    assert operation["security"] == [{}]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/BillInquiry"}
    assert list(schema["components"]["schemas"]["BillInquiry"]["properties"]) == [
        "billing_account", "status", "amount_due", "amount_paid", "due_date", "expiry_date",
        "description_ar", "description_en", "receipt_url"]


def test_public_status_check_documents_its_query_and_rate_limit(schema):
    operation = schema["paths"]["/api/v1/workflow/status/"]["get"]
    assert {(p["name"], p["in"], p["required"]) for p in operation["parameters"]} == {
        ("number", "query", True), ("national_id", "query", True)}
    assert set(operation["responses"]) == {"200", "400", "404", "429"}
    assert operation["security"] == [{}]


def test_case_actions_document_body_conflicts_and_session_auth(schema):
    operation = schema["paths"]["/api/v1/workflow/cases/{case_id}/transitions/"]["post"]
    assert set(operation["responses"]) == {"200", "400", "403", "404", "409", "413"}
    assert "`workflow.case_changed`" in operation["responses"]["409"]["description"]
    assert "`upload.unsafe_pdf`" in operation["responses"]["400"]["description"]
    assert "`upload.too_large`" in operation["responses"]["413"]["description"]
    assert operation["security"] == [{"cookieAuth": []}]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CaseTransitionRequest"}
    transition = schema["components"]["schemas"]["CaseTransitionRequest"]
    assert transition["required"] == ["action"]
    assert set(transition["properties"]) == {"action", "comment", "internal_note",
                                             "expected_version", "document"}
    listing = schema["paths"]["/api/v1/workflow/cases/"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "category", "department", "kind", "page", "scope", "sla_status"}


def test_schema_generation_is_valid_and_emits_no_warning():
    # given drf-spectacular's warning and error counters, emptied
    GENERATOR_STATS.reset()
    # when the schema is generated as `manage.py spectacular --validate --fail-on-warn` would
    document = SchemaGenerator().get_schema(request=None, public=True)
    # then it validates against the OpenAPI 3 meta-schema, with no warning and no error
    validate_schema(document)
    assert dict(GENERATOR_STATS._warn_cache) == {}
    assert dict(GENERATOR_STATS._error_cache) == {}


def test_docs_page_lists_every_path_without_script_or_cdn(client, schema):
    # given no one signed in
    # when the reference page is asked for
    response = client.get("/api/v1/docs/")
    # then it is a server-rendered page naming every path of the schema, with no script at all
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    for path in schema["paths"]:
        assert f'<span class="path">{path}</span>' in html, path
    assert "<script" not in html
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)
    # with bilingual headings, the error codes and the error envelope
    assert "Endpoints <span" in html and "نقاط الوصول" in html
    assert "<code>rate_limited</code>" in html
    assert 'id="schema-ApiError"' in html


def test_docs_page_is_the_same_in_every_language(client):
    # given one caller preferring Arabic and another English
    arabic = client.get("/api/v1/docs/", HTTP_ACCEPT_LANGUAGE="ar")
    english = client.get("/api/v1/docs/", HTTP_ACCEPT_LANGUAGE="en")
    # then both get the same page: it lives outside /ar/ and /en/
    assert arabic.status_code == english.status_code == 200
    assert arabic.content == english.content
    assert client.get("/ar/api/v1/docs/").status_code == 404


def test_docs_page_refuses_writes(client):
    response = client.post("/api/v1/docs/")
    assert response.status_code == 405
