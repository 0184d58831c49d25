"""Schemathesis over the portal's OpenAPI document (issue 8, point 7).

Every operation of `/api/v1/schema/` gets requests generated from the schema itself — valid
ones and ones that break it — sent in-process to the Django app, each as a signed-in citizen
(mobile confirmed) and as a clerk of the citizen's case. Every answer must not be a 5xx, must
use a status the operation documents, the content type it documents, and a body matching the
documented schema. The schema is a contract with other government systems: where the two
disagreed, the code was corrected where it was wrong and the document where it was silent.

Valid requests are pointed at real records (the citizen's case, bill and case number), so that
the documented 200 bodies are checked too, not only refusals. Bounded in time: a fixed number
of generated examples per operation, no deadline, no shrinking, the same examples every run.
"""

import pytest
import schemathesis
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.test.client import ClientHandler
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from amanah.enums import StaffRole
from tests.conftest import otp_session_verify
from tests.payments.factories import bill_make, misc_fee_service
from tests.workflow.factories import case_new, world_build

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES_PER_OPERATION = 25


def django_app(environ, start_response):
    """The portal as a WSGI app for schemathesis, answering as Django's test client does:
    inside the test's transaction, with CSRF checks off (the session cookie is the caller's),
    and without the end-of-request signal that would close the test's database connection."""
    response = ClientHandler(enforce_csrf_checks=False)(environ)
    headers = [*response.items(),
               *(("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values())]
    start_response(f"{response.status_code} {response.reason_phrase}", headers)
    return [b"".join(response) if response.streaming else response.content]


@pytest.fixture
def api_schema():
    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(document, config=schemathesis.Config.from_dict({
        # The coverage phase sends every boundary case the schema defines (some 1,200
        # requests here, minutes on CI); generated examples, valid and invalid, are bounded.
        "phases": {"coverage": {"enabled": False}},
        "generation": {"max-examples": EXAMPLES_PER_OPERATION, "mode": "all",
                       "deterministic": True, "no-shrink": True},
    }))


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def world(db):
    """A citizen's routed case and unpaid bill in Khobar, the citizen and a clerk of the
    case's department signed in (their session cookies), and the real values valid requests
    are pointed at."""
    world = world_build()
    case = case_new(world)
    bill = bill_make(person=world.applicant, municipality=world.branch,
                     eservice=misc_fee_service())
    cookies = {}
    for role, user in (("citizen", world.applicant.user),
                       ("clerk", world.staff(case.department.code, StaffRole.CLERK))):
        client = Client()
        client.force_login(user)
        otp_session_verify(client, user)  # staff: the second factor passed too
        cookies[role] = {settings.SESSION_COOKIE_NAME:
                         client.cookies[settings.SESSION_COOKIE_NAME].value}
    return {"cookies": cookies,
            "path": {"case_id": case.pk, "billing_account": bill.billing_account},
            "query": {"official_id": world.applicant.national_id, "number": case.number,
                      "national_id": world.applicant.national_id}}


def _point_at_real_records(case, world):
    """A valid request asks for what exists; an invalid one keeps what was generated."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    for name in case.path_parameters or {}:
        if name in world["path"]:
            case.path_parameters[name] = world["path"][name]
    for name in case.query or {}:
        if name in world["query"]:
            case.query[name] = world["query"][name]


@schema.parametrize()
@hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                     phases=[Phase.explicit, Phase.generate],
                     suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_every_api_answer_is_documented_and_never_a_server_error(case, world):
    _point_at_real_records(case, world)
    for cookies in world["cookies"].values():
        # given a signed-in citizen or clerk, and a request generated from the schema
        cache.clear()  # the public look-ups' rate limits would otherwise answer 429 after 30
        # when it is sent to the portal
        response = case.call(app=django_app, cookies=cookies, headers={"Accept-Language": "en"})
        # then the answer is no 5xx and is what the schema documents: status, type, body
        case.validate_response(response, checks=CHECKS)
