"""Licence drafts for an establishment: who may start one and for which establishment, the
parties it names, a sub-permit on the establishment's licence, the shop's parcel on a deed
the establishment does not own, who sees it, its activities and the documents they ask for."""

import pytest

from amanah.errors import Conflict, DomainError, NotFound, PermissionDenied
from permits.apply_selectors import application_documents_wanted
from permits.enums import ApplicationEventKind, PartyRole
from permits.licences.services import establishments_of, licence_activities_set
from permits.models import ActivityDocument, Application, ApplicationActivity
from permits.selectors import applications_visible_to
from permits.services.drafts import application_document_upload, application_draft_create
from permits.services.parcels import application_parcel_set
from permits.services.parties import application_is_filer_side
from permits.services.submission import application_submission_refusals
from tests.factories import EstablishmentFactory
from tests.samples import pdf, upload

from .core_helpers import files_kept_apart, world_on_today
from .factories import (
    BARBER,
    GROCERY,
    LICENCE_CODE,
    RESTAURANT,
    SIGNAGE_CODE,
    licence_draft_make,
    licence_issue_make,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_files(settings, tmp_path):
    return files_kept_apart(settings, tmp_path)


@pytest.fixture
def world(clock):
    return world_on_today(clock)


def _draft(world, **kwargs):
    return application_draft_create(user=kwargs.pop("user", world.delegate.user),
                                    permit_type_code=kwargs.pop("code", LICENCE_CODE),
                                    municipality=world.municipality, **kwargs)


def test_the_delegate_of_one_establishment_starts_a_draft_for_it(world):
    application = _draft(world)
    assert (application.owner_establishment_id, application.owner_person_id,
            application.created_by_id) == (world.establishment.pk, None, world.delegate.user.pk)
    assert list(application.parties.order_by("role").values_list(
        "role", "person_id", "establishment_id")) == [
        (PartyRole.DELEGATE, world.delegate.pk, world.establishment.pk),
        (PartyRole.OWNER, None, world.establishment.pk)]


def test_a_representative_of_several_chooses_and_only_among_their_own(world):
    second = EstablishmentFactory(municipality=world.municipality,
                                  representatives=[world.delegate])
    assert establishments_of(world.delegate) == sorted([world.establishment, second],
                                                       key=lambda e: (e.name_ar, e.pk))
    with pytest.raises(DomainError) as unchosen:
        _draft(world)
    assert (unchosen.value.code, unchosen.value.field) == ("permits.establishment_required",
                                                           "establishment")
    assert _draft(world, establishment_id=second.pk).owner_establishment_id == second.pk
    with pytest.raises(PermissionDenied) as not_theirs:
        _draft(world, establishment_id=world.other_establishment.pk)
    assert not_theirs.value.code == "permits.not_a_representative"


def test_a_citizen_who_represents_no_establishment_is_refused(world):
    count = Application.objects.count()
    with pytest.raises(PermissionDenied) as refused:
        _draft(world, user=world.citizen.user)
    assert (refused.value.code, Application.objects.count()) == (
        "permits.not_a_representative", count)


def test_a_sub_permit_names_a_licence_the_establishment_holds(world):
    licence = licence_issue_make(world)
    other = licence_issue_make(world, establishment=world.other_establishment,
                               delegate=world.other_delegate)
    draft = _draft(world, code=SIGNAGE_CODE, base_permit_number=licence.number)
    assert (draft.permit_id, draft.owner_establishment_id) == (licence.pk,
                                                               world.establishment.pk)
    with pytest.raises(DomainError) as refused:
        _draft(world, code=SIGNAGE_CODE, base_permit_number=other.number)
    assert refused.value.code == "permits.base_permit_unknown"


def test_the_shop_is_on_a_deed_the_establishment_does_not_own(world):
    application = licence_draft_make(world, with_parcel=False)
    parcel = application_parcel_set(
        application_id=application.pk, user=world.delegate.user,
        deed_number=world.deed.deed_number, deed_date=world.deed.deed_date,
        district_code=world.district.code, latitude="26.250000", longitude="50.150000")
    assert (Application.objects.get(pk=application.pk).parcel_id, parcel.owner_id) == (
        parcel.pk, world.landlord.national_id)


def test_the_establishments_people_see_and_prepare_it_and_nobody_else(world):
    application = licence_draft_make(world)
    colleague = world.citizen
    world.establishment.representatives.add(colleague)
    visible = {person: applications_visible_to(person.user).filter(pk=application.pk).exists()
               for person in (world.delegate, colleague, world.other_delegate)}
    assert visible == {world.delegate: True, colleague: True, world.other_delegate: False}
    assert application_is_filer_side(application, colleague.user) is True
    assert application_is_filer_side(application, world.other_delegate.user) is False


def test_activities_are_set_in_order_with_an_event(world):
    application = licence_draft_make(world, activities=())
    licence_activities_set(application_id=application.pk, user=world.delegate.user,
                           activity_codes=[BARBER, GROCERY, BARBER])
    assert list(ApplicationActivity.objects.filter(application=application)
                .values_list("activity__code", "order")) == [(BARBER, 1), (GROCERY, 2)]
    event = application.events.get(kind=ApplicationEventKind.ACTIVITIES_SET)
    assert event.payload == {"activities": [BARBER, GROCERY], "previous": []}


@pytest.mark.parametrize("codes, message", [
    ([], "Choose at least one activity."),
    (["000000"], "Not an activity of the catalogue: 000000."),
    ([str(n) for n in range(6)], "Choose at most 5 activities."),
])
def test_bad_activities_are_refused_and_nothing_changes(world, codes, message):
    application = licence_draft_make(world, activities=(GROCERY,))
    version = Application.objects.get(pk=application.pk).row_version
    with pytest.raises(DomainError) as refused:
        licence_activities_set(application_id=application.pk, user=world.delegate.user,
                               activity_codes=codes)
    assert (refused.value.code, refused.value.field, refused.value.message_en) == (
        "permits.activities_invalid", "activities", message)
    assert list(ApplicationActivity.objects.filter(application=application)
                .values_list("activity__code", flat=True)) == [GROCERY]
    assert Application.objects.get(pk=application.pk).row_version == version


def test_only_the_filer_side_sets_activities_on_a_draft(world):
    application = licence_draft_make(world)
    with pytest.raises(NotFound):
        licence_activities_set(application_id=application.pk, user=world.other_delegate.user,
                               activity_codes=[BARBER])
    Application.objects.filter(pk=application.pk).update(status="in_review")
    with pytest.raises(Conflict):
        licence_activities_set(application_id=application.pk, user=world.delegate.user,
                               activity_codes=[BARBER])


def test_an_activitys_required_document_is_wanted_checked_and_uploadable(
        world, private_files):
    ActivityDocument.objects.create(
        activity=world.activities[RESTAURANT], kind="kitchen_plan", name_ar="مخطط المطبخ",
        name_en="Kitchen plan", content_types=["application/pdf"], required=True)
    application = licence_draft_make(world, activities=(RESTAURANT,), answers={
        "trade_name": "مطعم", "cr_number": "1010123456", "lease_contract_number": "LS-2026-0001",
        "civil_defence_number": "CD-55501", "shop_area_m2": "60.00", "signage_area_m2": "0",
        "validity_years": "1"})
    assert [d.kind for d in application_documents_wanted(application)] == [
        "shop_photo", "kitchen_plan"]
    missing = [(r.code, r.field) for r in application_submission_refusals(
        application, world.delegate.user)]
    assert missing == [("permits.document_missing", "document:kitchen_plan")]
    stored = application_document_upload(application_id=application.pk,
                                         user=world.delegate.user, kind="kitchen_plan",
                                         file=upload("kitchen.pdf", pdf(), "application/pdf"))
    assert stored.kind == "kitchen_plan"
    assert application_submission_refusals(application, world.delegate.user) == []

