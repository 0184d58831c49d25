"""The licence's checks at submission: each refusal bilingual, naming what to correct, with
the form field; a registry that cannot answer refuses; a refused submit writes nothing."""

import datetime as dt

import pytest

from permits.enums import ApplicationStatus, RegistrationStatus
from permits.licences import checks
from permits.licences.registries import RegistryUnavailable
from permits.models import Application, LicenceDeclaration, LocalLease
from permits.prerequisites import prerequisites_check
from permits.services.submission import SubmissionRefused, application_submit
from tests.permits.apply_helpers import nothing_changed_snapshot

from .core_helpers import files_kept_apart, sms_kept, world_on_today
from .factories import (
    BARBER,
    CR_NUMBER,
    GOOD_LICENCE_ANSWERS,
    GROCERY,
    INACTIVE_CR_NUMBER,
    LEASE_NUMBER,
    RESTAURANT,
    licence_draft_make,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_files(settings, tmp_path):
    return files_kept_apart(settings, tmp_path)


@pytest.fixture
def sms(settings):
    return sms_kept(settings)


@pytest.fixture
def world(clock):
    return world_on_today(clock)


def _refusals(application):
    return [(r.code, r.field, r.reason_ar, r.reason_en)
            for r in prerequisites_check(application=Application.objects.get(pk=application.pk))]


def test_a_draft_that_meets_every_condition_passes_every_check(world):
    application = licence_draft_make(world, activities=(GROCERY, BARBER))
    assert _refusals(application) == []


def test_an_inactive_registration_is_refused_naming_it(world):
    # given a registration suspended by the Ministry of Commerce, named on the draft
    world.registration.status = RegistrationStatus.SUSPENDED
    world.registration.save()
    application = licence_draft_make(world)
    assert _refusals(application) == [
        ("permits.cr_inactive", "cr_number",
         f"السجل التجاري رقم {CR_NUMBER} غير نشط (موقوف).",
         f"Commercial registration {CR_NUMBER} is not active (suspended).")]


def test_an_activity_not_on_the_registration_is_refused_naming_the_activity(world):
    world.registration.activity_codes = [BARBER]
    world.registration.save()
    application = licence_draft_make(world, activities=(GROCERY, BARBER))
    assert _refusals(application) == [
        ("permits.activity_not_on_cr", "activities",
         f"نشاط بقالة (471101) غير مقيد في السجل التجاري رقم {CR_NUMBER}.",
         f"The activity Grocery (471101) is not on commercial registration {CR_NUMBER}.")]


def test_an_expired_lease_is_refused_with_its_end_date_in_both_calendars(world):
    world.lease.ends_on = dt.date(2026, 11, 30)
    world.lease.save()
    application = licence_draft_make(world)
    assert _refusals(application) == [
        ("permits.lease_expired", "lease_contract_number",
         f"عقد الإيجار رقم {LEASE_NUMBER} منتهٍ في 20 جمادى الآخرة 1448 هـ — 30 نوفمبر 2026 م.",
         f"Lease contract {LEASE_NUMBER} expired on 20 Jumada al-Akhirah 1448 AH — "
         "30 November 2026.")]


def test_a_zone_the_activity_does_not_allow_is_refused_naming_zone_and_activity(world):
    world.activities[GROCERY].allowed_zones = ["com-b"]
    world.activities[GROCERY].save()
    application = licence_draft_make(world)
    assert _refusals(application) == [
        ("permits.activity_zone_not_allowed", "activities",
         f"نشاط بقالة (471101) غير مسموح في منطقة التنظيم «com-a» للصك رقم "
         f"{world.deed.deed_number}.",
         f"The activity Grocery (471101) is not allowed in zone “com-a” of deed "
         f"{world.deed.deed_number}.")]


def test_every_other_refusal_names_its_field(world):
    # given a draft wrong in every other way: an unknown CR, a lease of someone else for
    # another place that has not started, a restaurant without its civil defence certificate,
    # a shop too small for it
    LocalLease.objects.filter(pk=world.lease.pk).update(
        lessee_id=world.other_establishment.unified_number, deed_number="999",
        starts_on=dt.date(2027, 1, 1))
    application = licence_draft_make(world, activities=(RESTAURANT,), answers={
        **GOOD_LICENCE_ANSWERS, "cr_number": "1010000000", "shop_area_m2": "30.00"})
    assert [(code, field) for code, field, _ar, _en in _refusals(application)] == [
        ("permits.cr_not_found", "cr_number"),
        ("permits.lease_not_establishments", "lease_contract_number"),
        ("permits.lease_other_place", "lease_contract_number"),
        ("permits.lease_not_started", "lease_contract_number"),
        ("permits.civil_defence_required", "civil_defence_number"),
        ("permits.activity_area_too_small", "shop_area_m2"),
    ]


def test_a_lease_shorter_than_the_licence_and_a_stale_registration_are_refused(world):
    # given three years asked for while the lease ends 31 December 2028
    world.lease.ends_on = dt.date(2028, 12, 31)
    world.lease.save()
    world.registration.expires_on = dt.date(2026, 11, 1)
    world.registration.unified_number = world.other_establishment.unified_number
    world.registration.save()
    application = licence_draft_make(world, answers={**GOOD_LICENCE_ANSWERS,
                                                     "validity_years": "3"})
    assert [code for code, *_ in _refusals(application)] == [
        "permits.cr_expired", "permits.cr_not_establishments", "permits.lease_too_short"]


def test_a_civil_defence_certificate_is_checked_only_when_an_activity_needs_one(world):
    world.civil_defence.valid_until = dt.date(2026, 11, 1)
    world.civil_defence.is_active = False
    world.civil_defence.save()
    answers = {**GOOD_LICENCE_ANSWERS, "civil_defence_number": world.civil_defence.number,
               "shop_area_m2": "60.00"}
    grocery = licence_draft_make(world, activities=(GROCERY,), answers=answers)
    restaurant = licence_draft_make(world, activities=(RESTAURANT,), answers=answers)
    assert _refusals(grocery) == []
    assert [code for code, *_ in _refusals(restaurant)] == [
        "permits.civil_defence_inactive", "permits.civil_defence_expired"]


def test_no_activities_is_refused(world):
    application = licence_draft_make(world, activities=())
    assert [(code, field) for code, field, *_ in _refusals(application)] == [
        ("permits.activities_missing", "activities")]


class _Down:
    def registration_lookup(self, **kwargs):
        raise RegistryUnavailable

    lease_lookup = certificate_lookup = registration_lookup


def test_a_registry_that_cannot_answer_refuses_and_never_passes(world, settings):
    settings.PERMITS_COMMERCIAL_REGISTRY = f"{__name__}._Down"
    settings.PERMITS_LEASE_REGISTRY = f"{__name__}._Down"
    settings.PERMITS_CIVIL_DEFENCE_REGISTRY = f"{__name__}._Down"
    application = licence_draft_make(world, activities=(RESTAURANT,), answers={
        **GOOD_LICENCE_ANSWERS, "civil_defence_number": world.civil_defence.number})
    assert [(code, field, en) for code, field, _ar, en in _refusals(application)] == [
        ("permits.commercial_registry_unavailable", "cr_number",
         "The commercial registry could not be asked now; please try again later."),
        ("permits.lease_registry_unavailable", "lease_contract_number",
         "The lease registry could not be asked now; please try again later."),
        ("permits.civil_defence_registry_unavailable", "civil_defence_number",
         "The civil defence registry could not be asked now; please try again later."),
    ]


def test_a_refused_submit_writes_nothing(world, queued, private_files):
    # given an instant draft whose registration is inactive
    world.registration.cr_number = INACTIVE_CR_NUMBER
    world.registration.status = RegistrationStatus.STRUCK_OFF
    world.registration.save()
    application = licence_draft_make(world, answers={**GOOD_LICENCE_ANSWERS,
                                                     "cr_number": INACTIVE_CR_NUMBER})
    before = nothing_changed_snapshot(application.pk)
    # when the delegate submits it, declaration accepted
    with queued() as tasks, pytest.raises(SubmissionRefused) as refused:
        application_submit(application_id=application.pk, user=world.delegate.user,
                           declaration_accepted=True)
    # then it is refused for the registration and nothing is written or queued
    assert [r.code for r in refused.value.refusals] == ["permits.cr_inactive"]
    assert nothing_changed_snapshot(application.pk) == before
    assert tasks == []
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.DRAFT
    assert not LicenceDeclaration.objects.filter(application=application).exists()


def test_the_licence_ends_on_the_day_before_the_years_chosen(world):
    application = licence_draft_make(world, answers={**GOOD_LICENCE_ANSWERS,
                                                     "validity_years": "2"})
    assert checks.licence_ends_on(application, today=dt.date(2026, 12, 1)) == dt.date(
        2028, 11, 30)
