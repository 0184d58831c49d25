"""No page or API operation of the permits app shows or changes anything of an application or
permit to someone who is not a party to it, whatever they try — every route, GET and POST,
real and guessed references.

The routes are walked from the URL map (tests/amanah/url_walk.py's way), so a page added later
is covered without anyone remembering to add it here. Parties and the municipality's staff
must get their pages without a server error; outsiders must get nothing: 404 when signed in,
the sign-in page (or 401/403 from the API) when not, never the application's reference, the
permit's number or the owner's ID in the body, and no row changed.
"""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver

from permits.enums import ApplicationStatus, FindingAnswer, InspectionPurpose, PartyRole
from permits.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationParty,
    Inspection,
    InspectionFinding,
    InspectionPhoto,
    Permit,
    PermitEvent,
)
from permits.services.applications import application_lock, application_status_change
from permits.services.permits import permit_issue
from tests.conftest import otp_session_verify
from tests.factories import CitizenFactory, DepartmentFactory, MunicipalityFactory
from tests.permits.factories import application_draft_make, permits_world, staff_make
from tests.permits.parties_factories import agent_make, contractor_party_make

pytestmark = pytest.mark.django_db

PUBLIC = {"permits:service_list", "permits:service_card", "permits:fee_calculator",
          "permits:permit_verify", "permits_api:type_list", "permits_api:type_card",
          "permits_api:fee_preview", "permits_api:permit_verify",
          # the licence catalogue, its fee preview and the public verification (issue 10)
          "permits_api:licence_activities", "permits_api:licence_fee_preview",
          "permits_api:licence_verify"}
# Lists of "mine": they exist for everyone signed in and show only the user's own rows.
OWN_LISTS = {"permits:apply_start", "permits:my_applications", "permits:office_workspace",
             "permits:my_permits", "permits:inspector_visits", "permits_api:application_list",
             "permits_api:permit_list", "permits:establishment_workspace",
             # filing a licence: open to anyone signed in, refused unless they represent it
             "permits_api:licence_application_create",
             "permits:sample_inspection_list"}
_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _permit_routes():
    """(name, pattern with <parameters>) of every permits page and API operation."""
    def walk(patterns, prefix, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}{entry.name or ''}"
                if name.startswith(("permits:", "permits_api:")):
                    yield name, "/" + prefix + str(entry.pattern)

    seen = {}
    for name, pattern in walk(get_resolver().url_patterns, "", ""):
        pattern = pattern.replace("^", "").replace("$", "")
        if pattern.startswith("/en/"):
            continue
        seen.setdefault(name, pattern)
    return sorted(seen.items())


@pytest.fixture
def world(private_files):
    world = permits_world()
    # An issued application with every kind of party, a document, a visit with a photo …
    issued = application_draft_make(world)
    world.agent = agent_make(world, issued)
    contractor_party_make(world, issued)
    ApplicationDocument.objects.create(
        application=issued, kind="architectural_plans", file=ContentFile(b"%PDF-1.4\n",
                                                                         name="plans.pdf"),
        original_name="plans.pdf", content_type="application/pdf", size=9, sha256="0" * 64,
        uploaded_by=world.office_worker.user)
    for status in (ApplicationStatus.IN_REVIEW, ApplicationStatus.ISSUED):
        application_status_change(application=application_lock(issued.pk), to_status=status)
    world.permit = permit_issue(application=Application.objects.get(pk=issued.pk))
    checklist = world.permit_type.inspection_checklist
    inspection = Inspection.objects.create(
        application=issued, purpose=InspectionPurpose.SITE, checklist=checklist,
        booked_by=world.office_worker.user, inspector=world.inspector)
    finding = InspectionFinding.objects.create(inspection=inspection,
                                               item=checklist.items.first(),
                                               answer=FindingAnswer.NO, note="—")
    world.photo = InspectionPhoto.objects.create(
        finding=finding, file=ContentFile(b"\xff\xd8\xff", name="p.jpg"),
        content_type="image/jpeg", size=3, sha256="1" * 64)
    world.inspection, world.issued = inspection, Application.objects.get(pk=issued.pk)
    # … and a draft the office is still preparing for the same owner.
    world.draft = application_draft_make(world)
    world.secrets = [world.issued.reference, world.draft.reference, world.permit.number,
                     world.owner.national_id]
    return world


@pytest.fixture
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path)


def _urls(world, pattern: str) -> list[str]:
    """The pattern filled for the world's objects, and once with guessed values."""
    party = ApplicationParty.objects.filter(application=world.issued,
                                            role=PartyRole.AGENT).get()
    document = world.issued.documents.get()
    real = {"reference": [world.issued.reference, world.draft.reference],
            "number": [world.permit.number], "token": [world.permit.verification_token],
            "document_id": [str(document.pk)], "party_id": [str(party.pk)],
            "inspection_id": [str(world.inspection.pk)], "photo_id": [str(world.photo.pk)],
            "step": ["1"], "decision": ["suspend", "cancel", "reinstate"],
            "code": [world.permit_type.code]}
    guessed = {"reference": ["PA000000000000"], "number": ["BP-M900-1448-999999"],
               "document_id": ["999999"], "party_id": ["999999"], "inspection_id": ["999999"],
               "photo_id": ["999999"]}
    names = [m.group("name") for m in _PARAMETER.finditer(pattern)]
    urls = []
    for values in (real, guessed):
        filled = pattern
        for name in names:
            choices = values.get(name) or real.get(name) or ["x1"]
            filled = filled.replace(f"<{_converter(pattern, name)}{name}>", choices[0], 1)
        urls.append(filled)
        if "reference" in names and values is real:
            urls.append(filled.replace(world.issued.reference, world.draft.reference))
    return sorted(set(urls))


def _converter(pattern: str, name: str) -> str:
    match = re.search(rf"<(\w+:)?{name}>", pattern)
    return match.group(1) or ""


def _rows(world) -> dict:
    return {
        "applications": list(Application.objects.order_by("pk").values_list(
            "pk", "status", "row_version", "answers_version", "parcel_id")),
        "application_events": ApplicationEvent.objects.count(),
        "parties": list(ApplicationParty.objects.order_by("pk").values_list("pk", "consent")),
        "documents": ApplicationDocument.objects.count(),
        "permits": list(Permit.objects.order_by("pk").values_list("pk", "status",
                                                                  "row_version", "version")),
        "permit_events": PermitEvent.objects.count(),
        "inspections": list(Inspection.objects.values_list("pk", "status", "slot_id")),
    }


def _outsiders(world):
    other_staff = staff_make(DepartmentFactory(municipality=MunicipalityFactory(code="M977"),
                                               code="engineering"), "head")
    return {"other citizen": CitizenFactory(municipality=world.municipality).user,
            "staff of another municipality": other_staff, "anonymous": None}


def test_outsiders_get_nothing_from_any_permits_route(client, world):
    # given every permits route filled with the world's objects and with guessed values
    routes = [(name, pattern) for name, pattern in _permit_routes() if name not in PUBLIC]
    assert len(routes) >= 40  # the walk found the app's routes, not an empty list
    before = _rows(world)
    leaks = []
    for who, user in _outsiders(world).items():
        client.logout()
        if user is not None:
            client.force_login(user)
            otp_session_verify(client, user)
        for name, pattern in routes:
            for url in _urls(world, pattern):
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    raw = (b"".join(response.streaming_content) if response.streaming
                           else response.content)
                    body = raw.decode("utf-8", "replace")
                    shown = [s for s in world.secrets if s in body and s not in url]
                    if user is None:
                        allowed = response.status_code in (302, 401, 403, 404, 405)
                        if response.status_code == 302:
                            allowed = "/account/" in response["Location"]
                    elif name in OWN_LISTS:
                        allowed = response.status_code in (200, 302, 400, 403, 404, 405)
                    else:
                        allowed = response.status_code in (403, 404, 405)
                    if not allowed or shown:
                        leaks.append((who, method, url, response.status_code, shown))
    # then nobody outside the application saw or changed anything
    assert leaks == []
    assert _rows(world) == before


@pytest.mark.parametrize("who", ["owner", "agent", "office worker", "contractor worker",
                                 "staff of the municipality"])
def test_parties_and_staff_reach_the_routes_without_a_server_error(client, world, who):
    user = {"owner": world.owner.user, "agent": world.agent.user,
            "office worker": world.office_worker.user,
            "contractor worker": world.contractor_worker.user,
            "staff of the municipality": world.reviewer}[who]
    client.force_login(user)
    otp_session_verify(client, user)
    errors = []
    for _name, pattern in _permit_routes():
        for url in _urls(world, pattern):
            response = client.get(url)
            if response.status_code >= 500:
                errors.append((url, response.status_code))
    assert errors == []
