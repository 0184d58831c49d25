"""Drafting: who may start an application, answers saved step by step, documents through the
upload service, and withdrawing a draft. Every refusal leaves everything as it was."""

import datetime as dt

import pytest

from amanah.enums import RolloutState
from amanah.errors import Conflict, DomainError, NotFound, PermissionDenied
from amanah.models import EServiceRollout
from permits.enums import (
    ApplicationEventKind,
    ApplicationStatus,
    ConsentStatus,
    OfficeKind,
    PartyRole,
)
from permits.models import Application, ApplicationDocument, ApplicationEvent
from permits.services.applications import application_lock, application_status_change
from permits.services.drafts import (
    AnswersInvalid,
    application_answers_save,
    application_document_upload,
    application_draft_create,
    application_withdraw,
)
from tests.factories import CitizenFactory, EstablishmentFactory
from tests.permits.factories import office_make, permits_world
from tests.samples import png, upload

from .apply_helpers import (
    FENCE_STEP_1,
    STEP_1,
    STEP_2,
    draft_start,
    fence_type_make,
    nothing_changed_snapshot,
    plans_pdf,
    private_files,  # noqa: F401 - fixture
)

# Every document goes to a folder of the test's own.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]


@pytest.fixture
def world():
    return permits_world()


# --- Starting a draft -------------------------------------------------------------------------


def test_an_office_starts_a_draft_for_the_owner(world):
    # when the office's person starts a building permit for the owner, by the owner's ID
    application = draft_start(world)
    # then the draft names the owner and the office, as parties, with its first event
    application.refresh_from_db()
    assert (application.status, application.owner_person, application.filing_office,
            application.created_by, application.municipality) == (
        ApplicationStatus.DRAFT, world.owner, world.office, world.office_worker.user,
        world.municipality)
    assert sorted(application.parties.values_list("role", "person_id", "office_id",
                                                  "consent")) == sorted([
        (PartyRole.OWNER, world.owner.pk, None, ConsentStatus.NOT_NEEDED),
        (PartyRole.DESIGN_OFFICE, None, world.office.pk, ConsentStatus.NOT_NEEDED)])
    event = ApplicationEvent.objects.get(application=application)
    assert (event.kind, event.seq, event.actor_id, event.payload["office"]) == (
        ApplicationEventKind.CREATED, 1, world.office_worker.user.pk,
        world.office.licence_number)


def test_the_owner_files_an_owner_type_for_themself(world):
    fence_type_make(world.municipality)
    application = application_draft_create(user=world.owner.user, permit_type_code="fence",
                                           municipality=world.municipality)
    assert (application.owner_person, application.filing_office) == (world.owner, None)
    assert list(application.parties.values_list("role", flat=True)) == [PartyRole.OWNER]


def _refused(world, exc_type, code, **kwargs):
    before = Application.objects.count()
    with pytest.raises(exc_type) as refused:
        application_draft_create(**{"permit_type_code": world.permit_type.code,
                                    "municipality": world.municipality, **kwargs})
    assert refused.value.code == code
    assert Application.objects.count() == before
    return refused.value


def test_a_citizen_without_an_office_cannot_start_an_office_type(world):
    refusal = _refused(world, PermissionDenied, "permits.office_required",
                       user=world.owner.user, on_behalf_of_owner_id=world.owner.national_id)
    assert "engineering office" in refusal.message_en


def test_the_owner_must_be_a_registered_person(world):
    refusal = _refused(world, DomainError, "permits.owner_unknown",
                       user=world.office_worker.user, on_behalf_of_owner_id="1000000008")
    assert refusal.field == "owner_national_id"
    _refused(world, DomainError, "identity.bad_check_digit", user=world.office_worker.user,
             on_behalf_of_owner_id="1000000001")
    _refused(world, DomainError, "permits.owner_required", user=world.office_worker.user)


def test_an_office_with_an_expired_licence_cannot_file(world):
    world.office.licence_expires_on = dt.date(2020, 1, 1)
    world.office.save()
    _refused(world, PermissionDenied, "permits.office_required",
             user=world.office_worker.user, on_behalf_of_owner_id=world.owner.national_id)


def test_a_contractor_cannot_file_an_engineering_office_type(world):
    _refused(world, PermissionDenied, "permits.office_required",
             user=world.contractor_worker.user, on_behalf_of_owner_id=world.owner.national_id)


def test_someone_working_for_two_offices_says_which(world):
    # given the office's person also works for a second engineering office
    second, _ = office_make(world.municipality, kind=OfficeKind.ENGINEERING_OFFICE)
    second.establishment.representatives.add(world.office_worker)
    owner = world.owner.national_id
    _refused(world, DomainError, "permits.office_choose", user=world.office_worker.user,
             on_behalf_of_owner_id=owner)
    # an office they do not work for is refused
    stranger_office, _ = office_make(world.municipality)
    _refused(world, PermissionDenied, "permits.office_not_yours",
             user=world.office_worker.user, on_behalf_of_owner_id=owner,
             office_id=stranger_office.pk)
    # when they name the second office, it files
    application = application_draft_create(
        user=world.office_worker.user, permit_type_code=world.permit_type.code,
        municipality=world.municipality, on_behalf_of_owner_id=owner, office_id=second.pk)
    assert application.filing_office == second


def test_a_service_off_in_the_municipality_cannot_be_started(world):
    EServiceRollout.objects.filter(eservice=world.permit_type.eservice).update(
        state=RolloutState.OFF)
    refusal = _refused(world, DomainError, "rollout.service_off",
                       user=world.office_worker.user,
                       on_behalf_of_owner_id=world.owner.national_id)
    assert refusal.field == "permit_type"


def test_an_unknown_or_inactive_type_is_not_found(world):
    with pytest.raises(NotFound):
        application_draft_create(user=world.office_worker.user, permit_type_code="nope")
    world.permit_type.is_active = False
    world.permit_type.save()
    _refused(world, NotFound, "permits.type_not_found", user=world.office_worker.user,
             on_behalf_of_owner_id=world.owner.national_id)


def test_an_account_without_a_person_cannot_apply(world):
    _refused(world, PermissionDenied, "permits.citizens_only", user=world.clerk)


# --- Answers ----------------------------------------------------------------------------------


def test_answers_are_saved_step_by_step(world):
    application = draft_start(world)
    user = world.office_worker.user
    # when the first step is saved (numbers typed as text, one in Arabic digits)
    application_answers_save(application_id=application.pk, user=user, step=1,
                             data={**STEP_1, "floors": "٢", "built_area_m2": "420"})
    application.refresh_from_db()
    # then they are stored in their kinds: an int, a decimal with two places, a choice
    assert application.answers == {"floors": 2, "built_area_m2": "420.00",
                                   "footprint_m2": "300.00", "use": "residential"}
    assert (application.answers_version, application.last_step, application.row_version) == (
        2, 1, 2)
    event = application.events.get(kind=ApplicationEventKind.ANSWERS_SAVED)
    assert event.payload == {"step": 1, "answers_version": 2, "changed": [
        "built_area_m2", "floors", "footprint_m2", "use"]}
    # and the second step merges in
    application_answers_save(application_id=application.pk, user=user, step=2, data=STEP_2)
    application.refresh_from_db()
    assert set(application.answers) == set(STEP_1) | {"front_setback_m", "side_setback_m",
                                                       "rear_setback_m"}
    assert application.last_step == 2


def test_invalid_answers_are_refused_each_next_to_its_field_and_change_nothing(world):
    application = draft_start(world)
    before = nothing_changed_snapshot(application.pk)
    with pytest.raises(AnswersInvalid) as refused:
        application_answers_save(application_id=application.pk, user=world.office_worker.user,
                                 step=1, data={"floors": "40", "built_area_m2": "12.345",
                                               "footprint_m2": "", "use": "factory"})
    errors = {e.field: (e.message_ar, e.message_en) for e in refused.value.errors}
    assert errors == {
        "floors": ("أكبر قيمة مسموحة 30.", "The largest value allowed is 30."),
        "built_area_m2": ("منزلتان عشريتان على الأكثر.", "At most two decimal places."),
        "footprint_m2": ("هذا الحقل مطلوب.", "This field is required."),
        "use": ("اختر واحدًا من الخيارات.", "Choose one of the options."),
    }
    assert refused.value.code == "permits.answers_invalid"
    assert nothing_changed_snapshot(application.pk) == before


def test_a_question_shown_by_an_answer_is_required_then_dropped_when_hidden(world):
    application = draft_start(world)
    user = world.office_worker.user
    # given a commercial building: the number of shops is asked
    with pytest.raises(AnswersInvalid) as refused:
        application_answers_save(application_id=application.pk, user=user, step=1,
                                 data={**STEP_1, "use": "commercial"})
    assert [e.field for e in refused.value.errors] == ["shop_count"]
    application_answers_save(application_id=application.pk, user=user, step=1,
                             data={**STEP_1, "use": "commercial", "shop_count": "4"})
    application.refresh_from_db()
    assert application.answers["shop_count"] == 4
    # when the building becomes residential, the shops' answer is dropped, not required
    application_answers_save(application_id=application.pk, user=user, step=1,
                             data={**STEP_1, "use": "residential", "shop_count": "4"})
    application.refresh_from_db()
    assert "shop_count" not in application.answers


def test_an_answer_on_an_earlier_step_hides_a_later_question(world):
    fence_type_make(world.municipality)
    application = application_draft_create(user=world.owner.user, permit_type_code="fence",
                                           municipality=world.municipality)
    user = world.owner.user
    application_answers_save(application_id=application.pk, user=user, step=1,
                             data=FENCE_STEP_1)
    application_answers_save(application_id=application.pk, user=user, step=2,
                             data={"gate_width_m": "3.5"})
    application.refresh_from_db()
    assert application.answers == {"length_m": "40.00", "start_on": "2027-01-10",
                                   "has_gate": True, "gate_width_m": "3.50"}
    # when the gate is answered "no" on step 1, its width on step 2 goes
    application_answers_save(application_id=application.pk, user=user, step=1,
                             data={**FENCE_STEP_1, "has_gate": "false"})
    application.refresh_from_db()
    assert application.answers == {"length_m": "40.00", "start_on": "2027-01-10",
                                   "has_gate": False}


@pytest.mark.parametrize("who", ["owner", "colleague", "stranger", "staff"])
def test_only_the_filers_side_edits_a_draft(world, who):
    application = draft_start(world)
    colleague = CitizenFactory(municipality=world.municipality)
    world.office.establishment.representatives.add(colleague)
    user = {"owner": world.owner.user, "colleague": colleague.user,
            "stranger": CitizenFactory(municipality=world.municipality).user,
            "staff": world.clerk}[who]
    before = nothing_changed_snapshot(application.pk)
    if who == "colleague":
        application_answers_save(application_id=application.pk, user=user, step=1,
                                 data=STEP_1)
        assert Application.objects.get(pk=application.pk).answers_version == 2
        return
    expected = {"owner": (PermissionDenied, "permits.not_the_filer")}.get(
        who, (NotFound, "permits.application_not_found"))
    with pytest.raises(expected[0]) as refused:
        application_answers_save(application_id=application.pk, user=user, step=1,
                                 data=STEP_1)
    assert refused.value.code == expected[1]
    assert nothing_changed_snapshot(application.pk) == before


def test_a_submitted_application_is_not_edited_here(world):
    application = draft_start(world)
    application_status_change(application=application_lock(application.pk),
                              to_status=ApplicationStatus.IN_REVIEW)
    before = nothing_changed_snapshot(application.pk)
    with pytest.raises(Conflict) as refused:
        application_answers_save(application_id=application.pk, user=world.office_worker.user,
                                 step=1, data=STEP_1)
    assert refused.value.code == "permits.application_not_draft"
    assert nothing_changed_snapshot(application.pk) == before


def test_a_stale_page_and_an_unknown_step_are_refused(world):
    application = draft_start(world)
    before = nothing_changed_snapshot(application.pk)
    with pytest.raises(Conflict) as stale:
        application_answers_save(application_id=application.pk, user=world.office_worker.user,
                                 step=1, data=STEP_1, expected_version=7)
    assert stale.value.code == "permits.application_changed"
    with pytest.raises(DomainError) as unknown:
        application_answers_save(application_id=application.pk, user=world.office_worker.user,
                                 step=9, data=STEP_1)
    assert (unknown.value.code, unknown.value.field) == ("permits.step_unknown", "step")
    assert nothing_changed_snapshot(application.pk) == before


# --- Documents --------------------------------------------------------------------------------


def test_a_document_is_stored_and_a_new_upload_supersedes_it(world):
    application = draft_start(world)
    user = world.office_worker.user
    first = application_document_upload(application_id=application.pk, user=user,
                                        kind="architectural_plans", file=plans_pdf("a.pdf"))
    second = application_document_upload(application_id=application.pk, user=user,
                                         kind="architectural_plans", file=plans_pdf("b.pdf"))
    rows = list(ApplicationDocument.objects.filter(application=application).order_by("version")
                .values_list("version", "original_name", "content_type", "superseded_at"))
    assert [(v, n, t) for v, n, t, _ in rows] == [(1, "a.pdf", "application/pdf"),
                                                  (2, "b.pdf", "application/pdf")]
    assert rows[0][3] is not None and rows[1][3] is None
    assert (second.file.name.startswith(f"permits/applications/{application.pk}/")
            and len(second.sha256) == 64)
    assert first.file.storage.exists(first.file.name)
    events = list(application.events.filter(kind=ApplicationEventKind.DOCUMENT_UPLOADED)
                  .values_list("payload", flat=True))
    assert [(e["kind"], e["version"], e["name"]) for e in events] == [
        ("architectural_plans", 1, "a.pdf"), ("architectural_plans", 2, "b.pdf")]


def test_a_document_of_a_type_its_kind_does_not_allow_is_refused(world):
    application = draft_start(world)
    before = nothing_changed_snapshot(application.pk)
    with pytest.raises(DomainError) as refused:
        application_document_upload(application_id=application.pk,
                                    user=world.office_worker.user, kind="architectural_plans",
                                    file=upload("plans.pdf", png(), "application/pdf"))
    assert refused.value.code == "upload.type_not_allowed"
    assert refused.value.message_en.endswith("Allowed: PDF, up to 5 MB.")
    assert "المسموح: PDF، بحجم أقصاه ٥ ميجابايت." in refused.value.message_ar
    with pytest.raises(DomainError) as too_big:
        application_document_upload(application_id=application.pk,
                                    user=world.office_worker.user, kind="site_photo",
                                    file=upload("big.png", png(width=1600, height=1200)
                                                + b"\0" * 2_200_000, "image/png"))
    assert too_big.value.code == "upload.too_large"
    with pytest.raises(DomainError) as unknown:
        application_document_upload(application_id=application.pk,
                                    user=world.office_worker.user, kind="passport",
                                    file=plans_pdf())
    assert unknown.value.code == "permits.document_kind_unknown"
    assert nothing_changed_snapshot(application.pk) == before


def test_a_stranger_cannot_upload_and_learns_nothing(world):
    application = draft_start(world)
    stranger = CitizenFactory(municipality=world.municipality)
    with pytest.raises(NotFound):
        application_document_upload(application_id=application.pk, user=stranger.user,
                                    kind="architectural_plans", file=plans_pdf())
    assert not ApplicationDocument.objects.exists()


# --- Withdrawing ------------------------------------------------------------------------------


def test_the_filer_withdraws_a_draft_and_only_a_draft(world):
    application = draft_start(world)
    with pytest.raises(PermissionDenied):
        application_withdraw(application_id=application.pk, user=world.owner.user)
    application_withdraw(application_id=application.pk, user=world.office_worker.user,
                         reason="المالك عدل عن البناء")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.events.last().reason == "المالك عدل عن البناء"
    other = draft_start(world)
    application_status_change(application=application_lock(other.pk),
                              to_status=ApplicationStatus.IN_REVIEW)
    with pytest.raises(Conflict) as refused:
        application_withdraw(application_id=other.pk, user=world.office_worker.user)
    assert refused.value.code == "permits.withdraw_through_case"


def test_an_establishment_owner_is_not_a_person_and_is_refused(world):
    # (owners are found by national ID: an establishment's unified number names no person)
    establishment = EstablishmentFactory(municipality=world.municipality)
    _refused(world, DomainError, "identity.bad_prefix", user=world.office_worker.user,
             on_behalf_of_owner_id=establishment.unified_number)
