"""Corrections field by field: staff name what to correct, the applicant's side changes only
that, earlier answers and documents are kept, and the case goes back and forth with it.
Every refusal leaves the application, its case and its documents exactly as they were."""

import pytest

from amanah.errors import DomainError
from amanah.models import Notification
from permits.enums import ApplicationEventKind, ApplicationStatus
from permits.models import AnswerVersion, ApplicationDocument, ApplicationEvent, CorrectionRequest
from permits.services.corrections import (
    application_correction_answer,
    application_correction_request,
)
from tests.factories import CitizenFactory, DepartmentFactory, MunicipalityFactory
from tests.permits.factories import (
    GOOD_ANSWERS,
    application_document_make,
    application_submitted_make,
    permits_world,
    staff_make,
)
from tests.samples import pdf, png, upload
from workflow.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


@pytest.fixture
def world():
    return permits_world()


@pytest.fixture
def submitted(world):
    application = application_submitted_make(world)
    application_document_make(application)
    return application


def _state(application) -> tuple:
    """Everything a refused correction must leave as it was."""
    application.refresh_from_db()
    case = Case.objects.get(pk=application.case_id)
    return (application.status, application.answers, application.answers_version,
            application.row_version, application.last_event_seq,
            case.state.code, case.row_version, case.last_event_seq,
            list(CorrectionRequest.objects.filter(application=application)
                 .values_list("pk", "answered_at")),
            list(ApplicationDocument.objects.filter(application=application)
                 .values_list("kind", "version", "superseded_at")),
            AnswerVersion.objects.filter(application=application).count())


def _request(world, application, **changes):
    values = {"application_id": application.pk, "actor": world.clerk, "fields": ["floors"],
              "documents": ["architectural_plans"],
              "note": "عدد الأدوار لا يطابق المخططات؛ صحح أحدهما."}
    return application_correction_request(**{**values, **changes})


def test_staff_ask_for_named_answers_and_documents_and_the_case_goes_to_the_applicant(
        world, submitted, queued):
    with queued() as tasks:
        correction = _request(world, submitted)
    submitted.refresh_from_db()
    assert (correction.fields, correction.documents, correction.answered_at) == (
        ["floors"], ["architectural_plans"], None)
    assert submitted.status == ApplicationStatus.AWAITING_CORRECTION
    case = Case.objects.get(pk=submitted.case_id)
    assert (case.state.code, case.category) == ("awaiting_applicant", "awaiting_applicant")
    kinds = list(ApplicationEvent.objects.filter(application=submitted).order_by("seq")
                 .values_list("kind", "to_status"))
    assert kinds[-2:] == [(ApplicationEventKind.CORRECTION_REQUESTED, ""),
                          (ApplicationEventKind.STATUS_CHANGED, "awaiting_correction")]
    # and the owner is sent the note (the procedure's notify_applicant effect), the other
    # parties (the office) are told to look
    assert [name for name, _ in tasks] == ["permits.party_sms_send"]
    assert tasks[0][1]["template"] == "correction_requested"
    assert "owner" not in tasks[0][1]["roles"]
    assert Notification.objects.filter(event="case.returned",
                                       channel="sms").count() == 1


@pytest.mark.parametrize(("changes", "code"), [
    ({"fields": [], "documents": []}, "permits.correction_empty"),
    ({"fields": ["floors", "basement"]}, "permits.correction_unknown_field"),
    ({"documents": ["soil_report"]}, "permits.correction_unknown_document"),
    ({"note": "   "}, "permits.correction_note_required"),
    ({"fields": "floors"}, "permits.correction_invalid"),
])
def test_a_request_that_names_nothing_or_unknown_things_is_refused(world, submitted, changes,
                                                                   code, queued):
    before = _state(submitted)
    with queued() as tasks, pytest.raises(DomainError) as refused:
        _request(world, submitted, **changes)
    assert refused.value.code == code
    assert _state(submitted) == before
    assert tasks == []


def test_only_the_municipalitys_handlers_may_ask(world, submitted):
    before = _state(submitted)
    other = staff_make(DepartmentFactory(municipality=MunicipalityFactory(code="M901"),
                                         code="engineering"), "head")
    for actor, code in ((world.owner.user, "permits.correction_staff_only"),
                        (other, "permits.correction_staff_only"),
                        # staff of the municipality, but not of the department holding the case
                        (world.inspector, "workflow.not_allowed")):
        with pytest.raises(DomainError) as refused:
            _request(world, submitted, actor=actor)
        assert refused.value.code == code
    assert _state(submitted) == before


def test_a_second_request_while_one_is_open_is_refused(world, submitted):
    _request(world, submitted)
    before = _state(submitted)
    with pytest.raises(DomainError) as refused:
        _request(world, submitted, fields=["use"])
    assert refused.value.code == "permits.correction_not_now"
    assert _state(submitted) == before


def _answer(world, application, *, user=None, data=None, files=None, note="صححنا"):
    return application_correction_answer(
        application_id=application.pk, user=user or world.office_worker.user,
        data={"floors": "3"} if data is None else data,
        files={"architectural_plans": upload("plans-v2.pdf", pdf(pages=2), "application/pdf")}
        if files is None else files, note=note)


def test_the_applicant_side_changes_what_was_asked_and_versions_are_kept(world, submitted,
                                                                        queued):
    _request(world, submitted)
    with queued():
        correction = _answer(world, submitted)
    submitted.refresh_from_db()
    # the answer changed, the earlier answers are version 1
    assert submitted.answers == {**GOOD_ANSWERS, "floors": 3}
    assert submitted.answers_version == 2
    assert AnswerVersion.objects.get(application=submitted).answers == GOOD_ANSWERS
    # the corrected document is version 2; version 1 is kept, superseded
    versions = list(ApplicationDocument.objects.filter(application=submitted,
                                                       kind="architectural_plans")
                    .order_by("version").values_list("version", "superseded_at"))
    assert [v for v, _ in versions] == [1, 2]
    assert versions[0][1] is not None and versions[1][1] is None
    # the request is answered, the application back in review, the case back in review
    correction.refresh_from_db()
    assert (correction.answered_by, correction.answer_note) == (world.office_worker.user,
                                                               "صححنا")
    assert submitted.status == ApplicationStatus.IN_REVIEW
    case = Case.objects.get(pk=submitted.case_id)
    assert (case.state.code, case.department.code, case.assignee_id) == (
        "review", "engineering", world.clerk.pk)
    answered = ApplicationEvent.objects.get(application=submitted,
                                            kind=ApplicationEventKind.CORRECTION_ANSWERED)
    assert answered.payload == {"correction": correction.pk, "changed": ["floors"],
                                "documents": ["architectural_plans"], "answers_version": 2}


def test_the_owner_may_answer_too(world, submitted):
    _request(world, submitted, documents=[])
    _answer(world, submitted, user=world.owner.user, files={})
    submitted.refresh_from_db()
    assert (submitted.status, submitted.answers["floors"]) == (ApplicationStatus.IN_REVIEW, 3)


@pytest.mark.parametrize(("who", "data", "files", "code"), [
    # an answer that was not asked for
    ("office", {"floors": "3", "use": "commercial"}, None, "permits.correction_field_not_asked"),
    # a document that was not asked for
    ("office", None, {"architectural_plans": "plans", "site_photo": "photo"},
     "permits.correction_document_not_asked"),
    # not the applicant's side: staff, another citizen
    ("clerk", None, None, "permits.correction_applicant_only"),
    ("stranger", None, None, "permits.correction_applicant_only"),
    # the asked answer, but not valid
    ("office", {"floors": "three"}, None, "permits.answer_invalid"),
    ("office", {"floors": "31"}, None, "permits.answer_invalid"),
    ("office", {"floors": ""}, None, "permits.answer_required"),
    # the asked document missing, or not what the type accepts
    ("office", None, {}, "permits.correction_document_required"),
    ("office", None, {"architectural_plans": "png"}, "upload.type_not_allowed"),
])
def test_every_refused_answer_changes_nothing(world, submitted, who, data, files, code, queued):
    _request(world, submitted)
    users = {"office": world.office_worker.user, "clerk": world.clerk,
             "stranger": CitizenFactory(municipality=world.municipality).user}
    samples = {"plans": upload("p.pdf", pdf(), "application/pdf"),
               "photo": upload("s.png", png(), "image/png"),
               "png": upload("p.png", png(), "image/png")}
    if files is not None:
        files = {kind: samples[name] for kind, name in files.items()}
    before = _state(submitted)
    with queued() as tasks, pytest.raises(DomainError) as refused:
        _answer(world, submitted, user=users[who], data=data, files=files)
    assert refused.value.code == code
    assert _state(submitted) == before
    assert tasks == []


def test_answering_with_no_open_request_is_refused(world, submitted):
    before = _state(submitted)
    with pytest.raises(DomainError) as refused:
        _answer(world, submitted)
    assert refused.value.code == "permits.correction_none_open"
    assert _state(submitted) == before
    # nor twice for one request
    _request(world, submitted)
    _answer(world, submitted)
    before = _state(submitted)
    with pytest.raises(DomainError) as refused:
        _answer(world, submitted, data={"floors": "2"})
    assert refused.value.code == "permits.correction_none_open"
    assert _state(submitted) == before


def test_a_change_that_needs_answers_nobody_asked_for_is_refused(world, submitted):
    # given staff asked only for the use; commercial use needs the number of shops
    _request(world, submitted, fields=["use"], documents=[])
    before = _state(submitted)
    with pytest.raises(DomainError) as refused:
        _answer(world, submitted, data={"use": "commercial"}, files={})
    assert refused.value.code == "permits.correction_needs_other_answers"
    assert _state(submitted) == before


def test_corrected_answers_are_stored_as_the_form_stores_them(world, submitted):
    # given staff asked for a setback and the use
    _request(world, submitted, fields=["front_setback_m", "use"], documents=[])
    # when the office writes the setback in Arabic digits
    _answer(world, submitted, data={"front_setback_m": "٤٫٥", "use": "residential"}, files={})
    submitted.refresh_from_db()
    # then it is kept as a drafted number is: two decimal places
    assert submitted.answers["front_setback_m"] == "4.50"
    assert submitted.answers["use"] == "residential"
