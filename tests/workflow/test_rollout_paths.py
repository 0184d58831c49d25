"""Rollout is enforced wherever a case starts: the service call, the citizen's page and the API.

The bug this guards (issue 7, point 6): a Qatif resident filed a complaint at
/ar/transactions/mine/new/ although complaints are off in Qatif, and it went to a department
with no staff. Every refusal below also proves that nothing was written and nothing queued."""

import copy

import pytest
from rest_framework.test import APIClient

from amanah.enums import RolloutState, StaffRole
from amanah.errors import DomainError
from amanah.models import EServiceRollout
from tests.factories import CitizenFactory, MunicipalityFactory
from workflow.demo_definitions import COMPLAINT
from workflow.models import Case, CaseAttachment, CaseCounter, CaseEvent
from workflow.services import case_submit, definition_import

QATIF_OFF_AR = "هذه الخدمة غير متاحة في بلدية محافظة القطيف بعد."
QATIF_OFF_EN = "This service is not offered in Qatif Municipality yet."
KHOBAR_OFF_AR = "هذه الخدمة غير متاحة في بلدية الخبر بعد."
KHOBAR_PILOT_AR = ("هذه الخدمة في مرحلة تجريبية في بلدية الخبر، وهي متاحة حاليًا لسكانها "
                   "ومنسوبيها فقط.")
KHOBAR_PILOT_EN = ("This service is being piloted in Khobar and is open only to its residents "
                   "and staff for now.")
NOT_ONLINE_AR = "لا يمكن تقديم هذا النوع من المعاملات من هنا."
PAGE = "/{lang}/transactions/mine/new/"
API = "/api/v1/workflow/cases/"


@pytest.fixture
def qatif(world):
    """Qatif, a branch of the world's Amanah, where both e-services are off (as in the demo),
    and one of its residents."""
    qatif = MunicipalityFactory(code="QTF", parent=world.amanah, name_ar="بلدية محافظة القطيف",
                                name_en="Qatif Municipality")
    for version in world.versions.values():
        EServiceRollout.objects.create(eservice=version.definition.eservice, municipality=qatif,
                                       state=RolloutState.OFF)
    return qatif, CitizenFactory(municipality=qatif)


def _rollout_set(world, kind: str, municipality, state: str) -> None:
    EServiceRollout.objects.filter(eservice__code=kind, municipality=municipality).update(
        state=state)


def _internal_procedure(world):
    """A published procedure that serves no e-service: only code starts it."""
    data = copy.deepcopy(COMPLAINT)
    data.update(code="internal_review", eservice=None, name_en="Internal review")
    return definition_import(data=data, municipality=world.amanah, publish=True)


def _nothing_written() -> None:
    assert (Case.objects.count(), CaseEvent.objects.count(), CaseCounter.objects.count(),
            CaseAttachment.objects.count()) == (0, 0, 0, 0)


# --- the service call -----------------------------------------------------------------------

def test_a_qatif_resident_cannot_file_a_complaint_where_complaints_are_off(
        world, qatif, django_capture_on_commit_callbacks):
    # given complaints off in Qatif and a resident of Qatif
    qatif, resident = qatif
    # when a complaint is submitted for them in Qatif, by any code path
    with django_capture_on_commit_callbacks() as callbacks, \
            pytest.raises(DomainError) as refused:
        case_submit(kind="complaint", municipality=qatif, subject="إنارة معطلة",
                    submitted_by=resident.user, applicant_person=resident)
    # then it is refused in both languages on the kind, and nothing is written or queued
    assert (refused.value.code, refused.value.status, refused.value.field) == (
        "rollout.service_off", 400, "kind")
    assert (refused.value.message_ar, refused.value.message_en) == (QATIF_OFF_AR, QATIF_OFF_EN)
    _nothing_written()
    assert callbacks == []


def test_a_pilot_refuses_a_resident_of_another_municipality(
        world, qatif, django_capture_on_commit_callbacks):
    # given complaints piloted in Khobar, and a Qatif resident
    _, resident = qatif
    _rollout_set(world, "complaint", world.branch, RolloutState.PILOT)
    # when a complaint is submitted for them in Khobar
    with django_capture_on_commit_callbacks() as callbacks, \
            pytest.raises(DomainError) as refused:
        case_submit(kind="complaint", municipality=world.branch, subject="إنارة معطلة",
                    submitted_by=resident.user, applicant_person=resident)
    # then only Khobar's residents and staff may, for now
    assert (refused.value.code, refused.value.status) == ("rollout.pilot_only", 403)
    assert (refused.value.message_ar, refused.value.message_en) == (KHOBAR_PILOT_AR,
                                                                    KHOBAR_PILOT_EN)
    _nothing_written()
    assert callbacks == []


@pytest.mark.parametrize("submitter", ["resident", "branch_staff", "amanah_staff"])
def test_a_pilot_is_open_to_its_residents_and_to_staff_of_the_branch_and_amanah(
        world, qatif, submitter):
    # given complaints piloted in Khobar
    _, qatif_resident = qatif
    _rollout_set(world, "complaint", world.branch, RolloutState.PILOT)
    submitted_by, applicant = {
        "resident": (world.applicant.user, world.applicant),
        # staff may open a case in the pilot for someone who lives elsewhere
        "branch_staff": (world.staff("customer_service", StaffRole.CLERK), qatif_resident),
        "amanah_staff": (world.staff("customer_service", StaffRole.CLERK, world.amanah),
                         qatif_resident),
    }[submitter]
    # when they submit a complaint in Khobar
    case = case_submit(kind="complaint", municipality=world.branch, subject="إنارة معطلة",
                       submitted_by=submitted_by, applicant_person=applicant)
    # then it is opened there
    assert case.number.startswith("KHB-")
    assert Case.objects.get().applicant_person == applicant


def test_an_internal_procedure_is_not_subject_to_rollout(world, qatif):
    # given a procedure that serves no e-service, and nothing on in Qatif
    qatif, resident = qatif
    _internal_procedure(world)
    # when code opens a case of it in Qatif
    case = case_submit(kind="internal_review", municipality=qatif, subject="مراجعة داخلية",
                       applicant_person=resident)
    # then it is opened
    assert case.number.startswith("QTF-")
    assert case.definition.eservice_id is None


# --- the citizen's page ---------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "none_text", "refusal"), [
    ("ar", "لا يمكن تقديم معاملات إلكترونيًا في بلدية محافظة القطيف بعد. "
           "يرجى مراجعة مقر البلدية.", QATIF_OFF_AR),
    ("en", "No transactions can be submitted online in Qatif Municipality yet. "
           "Please visit the municipality office.", QATIF_OFF_EN),
])
def test_the_page_tells_a_qatif_resident_plainly_and_refuses_a_complaint(
        client, world, qatif, django_capture_on_commit_callbacks, lang, none_text, refusal):
    # given a Qatif resident, signed in, where nothing is on
    _, resident = qatif
    client.force_login(resident.user)
    # when they open the new-transaction page
    page = client.get(PAGE.format(lang=lang))
    # then it says so plainly instead of showing an empty form
    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["form"].fields["kind"].choices == []
    assert none_text in html
    assert 'name="kind"' not in html
    # and when they post a complaint anyway (the reproduction of the bug)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(PAGE.format(lang=lang), {"kind": "complaint",
                                                        "subject": "إنارة معطلة"})
    # then it is refused with the reason, on the kind, and nothing is written or queued
    assert response.status_code == 400
    assert response.context["form"].errors == {"kind": [refusal]}
    assert refusal in response.content.decode()
    _nothing_written()
    assert callbacks == []


def test_the_page_lists_only_the_kinds_on_where_the_citizen_lives(
        client, world, django_capture_on_commit_callbacks):
    # given complaints switched off in Khobar, where the applicant lives
    _rollout_set(world, "complaint", world.branch, RolloutState.OFF)
    client.force_login(world.applicant.user)
    # when they open the page, then only general correspondence is offered
    form = client.get(PAGE.format(lang="ar")).context["form"]
    assert [code for code, _label in form.fields["kind"].choices] == ["general_correspondence"]
    # and a complaint posted anyway is refused next to the kind
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(PAGE.format(lang="ar"), {"kind": "complaint",
                                                        "subject": "تسرب مياه"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"kind": [KHOBAR_OFF_AR]}
    _nothing_written()
    assert callbacks == []


def test_the_page_offers_a_pilot_to_its_residents(client, world):
    # given complaints piloted in Khobar, where the applicant lives
    _rollout_set(world, "complaint", world.branch, RolloutState.PILOT)
    client.force_login(world.applicant.user)
    # when they open the page and submit a complaint
    form = client.get(PAGE.format(lang="ar")).context["form"]
    response = client.post(PAGE.format(lang="ar"), {"kind": "complaint",
                                                    "subject": "تسرب مياه"})
    # then it was offered and is opened
    assert [code for code, _label in form.fields["kind"].choices] == [
        "complaint", "general_correspondence"]
    assert response.status_code == 302
    assert Case.objects.get().definition.code == "complaint"


def test_the_page_never_offers_an_internal_procedure(client, world):
    # given a published internal procedure
    _internal_procedure(world)
    client.force_login(world.applicant.user)
    # when the citizen opens the page, then it is not among the kinds
    form = client.get(PAGE.format(lang="ar")).context["form"]
    assert [code for code, _label in form.fields["kind"].choices] == [
        "complaint", "general_correspondence"]
    # and posting it is refused next to the kind, writing nothing
    response = client.post(PAGE.format(lang="ar"), {"kind": "internal_review",
                                                    "subject": "مراجعة"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"kind": [NOT_ONLINE_AR]}
    _nothing_written()


# --- the API --------------------------------------------------------------------------------

def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize("state", [RolloutState.LIVE, RolloutState.PILOT])
def test_a_citizen_submits_a_case_through_the_api(world, state):
    # given complaints live, or piloted, where the applicant lives
    _rollout_set(world, "complaint", world.branch, state)
    # when they post one
    response = _api(world.applicant.user).post(API, {
        "kind": "complaint", "subject": "تسرب مياه", "description": "أمام المنزل"},
        format="json")
    # then it is opened in their municipality and summarised
    case = Case.objects.get()
    body = response.json()
    assert response.status_code == 201
    assert (body["id"], body["number"], body["kind"]["code"], case.municipality.code,
            body["subject"]) == (case.pk, case.number, "complaint", "KHB", "تسرب مياه")
    assert case.number.startswith("KHB-")
    assert (case.applicant_person, case.submitted_by, case.description) == (
        world.applicant, world.applicant.user, "أمام المنزل")


def test_the_api_refuses_a_qatif_resident_a_complaint(world, qatif,
                                                     django_capture_on_commit_callbacks):
    # given complaints off in Qatif and one of its residents
    _, resident = qatif
    # when they post a complaint
    with django_capture_on_commit_callbacks() as callbacks:
        response = _api(resident.user).post(API, {"kind": "complaint",
                                                  "subject": "إنارة معطلة"}, format="json",
                                            HTTP_ACCEPT_LANGUAGE="en")
    # then the refusal names Qatif in both languages; nothing is written or queued
    assert response.status_code == 400
    assert response.json() == {"code": "rollout.service_off", "detail": QATIF_OFF_EN,
                               "detail_ar": QATIF_OFF_AR, "detail_en": QATIF_OFF_EN,
                               "field": "kind"}
    _nothing_written()
    assert callbacks == []


@pytest.mark.parametrize(("who", "payload", "status", "code"), [
    ("anonymous", {"kind": "complaint", "subject": "x"}, 403, "auth.not_authenticated"),
    ("staff", {"kind": "complaint", "subject": "x"}, 403, "workflow.citizens_only"),
    ("applicant", {"kind": "complaint", "subject": " "}, 400, "workflow.subject_required"),
    ("applicant", {"kind": "internal_review", "subject": "x"}, 400, "workflow.kind_not_online"),
    ("applicant", {"kind": "building_permit", "subject": "x"}, 404,
     "workflow.definition_not_found"),
    ("applicant", {"kind": "not a slug!", "subject": "x"}, 400, "validation_error"),
], ids=["anonymous", "staff", "blank-subject", "internal", "unknown-kind", "malformed"])
def test_the_api_refusals_write_nothing(world, django_capture_on_commit_callbacks, who,
                                        payload, status, code):
    # given an internal procedure among the published ones
    _internal_procedure(world)
    user = {"anonymous": None, "applicant": world.applicant.user,
            "staff": world.staff("customer_service", StaffRole.CLERK)}[who]
    # when the case is posted
    with django_capture_on_commit_callbacks() as callbacks:
        response = _api(user).post(API, payload, format="json")
    # then it is refused with its code, and nothing is written or queued
    assert (response.status_code, response.json()["code"]) == (status, code)
    _nothing_written()
    assert callbacks == []


def test_the_api_reference_documents_the_submission(client):
    # given the OpenAPI document
    schema = client.get("/api/v1/schema/").json()
    operation = schema["paths"]["/api/v1/workflow/cases/"]["post"]
    # then the submission, its body and its refusals (rollout's among them) are described
    assert operation["operationId"] == "workflow_cases_create"
    assert set(operation["responses"]) == {"201", "400", "403", "404"}
    assert operation["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CaseSummary"}
    assert "`rollout.service_off`" in operation["responses"]["400"]["description"]
    assert "`rollout.pilot_only`" in operation["responses"]["403"]["description"]
    body = schema["components"]["schemas"]["CaseSubmitRequest"]
    assert body["required"] == ["kind", "subject"]
    assert set(body["properties"]) == {"kind", "subject", "description"}
    assert operation["security"] == [{"cookieAuth": []}]
