"""Renewing a licence: for the years chosen (1–3), the renewal fee per m² of the shop per year,
the signage fee per m² of the sign per year when it has one, and the late renewal fine after
expiry; refused before the window opens and after the late window, with the dates."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.errors import Conflict, DomainError
from amanah.events import audit_verify
from payments.models import Bill
from permits.enums import ApplicationKind, ApplicationStatus
from permits.models import Application, Permit, PermitEvent, PermitVersion
from permits.services.lifecycle import permit_renewal_start, permits_expire_due
from tests.permits.lifecycle_helpers import day

from .factories import GOOD_LICENCE_ANSWERS, RESTAURANT, licence_issue_make, licence_world
from .life_helpers import fees, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Issued 1 December 2026 for 1 year: valid until 30 November 2027; renewal opens 90 days
    # before (1 September 2027); a late renewal is possible 180 days after (28 May 2028).
    clock.set(day(2026, 12, 1))
    return licence_world()


def test_renewing_for_two_years_inside_the_window(world, clock, queued,
                                                  django_capture_on_commit_callbacks):
    licence = licence_issue_make(world)
    assert licence.valid_until == dt.date(2027, 11, 30)
    # when the delegate renews on 1 October 2027 for 2 years
    clock.set(day(2027, 10, 1))
    application = permit_renewal_start(permit_id=licence.pk, user=world.delegate.user, years=2)
    # then the renewal is billed 60 m² × 2 years × 10.00 and the sign 3 m² × 2 × 200.00, to the
    # establishment, the years stored as the renewal's answer
    assert (application.kind, application.status, application.answers["validity_years"]) == (
        ApplicationKind.RENEWAL, ApplicationStatus.AWAITING_FEE, "2")
    assert fees(application) == [("renewal", Decimal("1200.00")),
                                 ("signage", Decimal("1200.00"))]
    assert {b.payer_establishment_id for b in Bill.objects.all()} == {world.establishment.pk}
    # when both are paid
    with queued() as tasks:
        pay(application, django_capture_on_commit_callbacks)
    # then the licence runs 24 months on from its old last day, as version 2
    licence = Permit.objects.get(pk=licence.pk)
    assert (licence.status, licence.valid_until, licence.version) == (
        "valid", dt.date(2029, 11, 30), 2)
    assert list(PermitVersion.objects.filter(permit=licence).values_list(
        "version", "valid_until")) == [(1, dt.date(2027, 11, 30)), (2, dt.date(2029, 11, 30))]
    assert PermitEvent.objects.get(permit=licence, kind="renewed").payload == {
        "application": application.reference, "valid_until": "2029-11-30",
        "previous_valid_until": "2027-11-30"}
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.ISSUED
    assert ("permits.certificate_ensure", {"permit_id": licence.pk}) in tasks
    assert all(r.ok for r in audit_verify(chain="permit"))


def test_a_licence_without_a_sign_pays_only_the_renewal_under_its_tariff(world, clock):
    # given a restaurant (food tariff: 15.00 per m² a year) without a sign
    licence = licence_issue_make(world, activities=(RESTAURANT,), answers={
        **GOOD_LICENCE_ANSWERS, "signage_area_m2": "0", "civil_defence_number": "CD-55501"})
    clock.set(day(2027, 11, 30))
    application = permit_renewal_start(permit_id=licence.pk, user=world.delegate.user, years=1)
    # then 60 m² × 1 × 15.00 = 900.00 and no signage fee
    assert fees(application) == [("renewal", Decimal("900.00"))]


@pytest.mark.parametrize("years", [None, 0, 4, "2", True])
def test_the_years_are_required_and_one_to_three(world, clock, years):
    licence = licence_issue_make(world)
    clock.set(day(2027, 10, 1))
    with pytest.raises(DomainError) as refused:
        permit_renewal_start(permit_id=licence.pk, user=world.delegate.user, years=years)
    assert (refused.value.code, refused.value.field) == (
        "permits.renewal_years_required", "validity_years")
    assert refused.value.message_en == "Choose how long to renew for: 1, 2 or 3 years."
    assert not Application.objects.filter(kind=ApplicationKind.RENEWAL).exists()
    assert not Bill.objects.exists()


def test_renewal_before_the_window_is_refused_with_the_day_it_opens(world, clock):
    licence = licence_issue_make(world)
    clock.set(day(2027, 8, 31))
    with pytest.raises(DomainError) as refused:
        permit_renewal_start(permit_id=licence.pk, user=world.delegate.user, years=1)
    assert refused.value.code == "permits.renewal_not_open"
    assert refused.value.message_en.startswith("Renewal is not open yet: you can renew from ")
    assert refused.value.message_en.endswith(" — 1 September 2027.")
    assert "1 سبتمبر 2027 م" in refused.value.message_ar
    assert not Application.objects.filter(kind=ApplicationKind.RENEWAL).exists()
    assert not Bill.objects.exists()
    assert Permit.objects.get(pk=licence.pk).version == 1


def test_late_renewal_adds_the_fine_and_runs_from_today(world, clock,
                                                        django_capture_on_commit_callbacks):
    licence = licence_issue_make(world)
    clock.set(day(2028, 1, 15))
    assert permits_expire_due() == 1
    application = permit_renewal_start(permit_id=licence.pk, user=world.delegate.user, years=1)
    assert fees(application) == [("renewal", Decimal("600.00")), ("signage", Decimal("600.00")),
                                 ("late_renewal", Decimal("500.00"))]
    pay(application, django_capture_on_commit_callbacks)
    licence = Permit.objects.get(pk=licence.pk)
    assert (licence.status, licence.valid_until, licence.version) == (
        "valid", dt.date(2029, 1, 14), 2)


def test_renewal_after_the_late_window_is_refused(world, clock):
    licence = licence_issue_make(world)
    clock.set(day(2028, 5, 29))
    permits_expire_due()
    with pytest.raises(DomainError) as refused:
        permit_renewal_start(permit_id=licence.pk, user=world.delegate.user, years=1)
    assert refused.value.code == "permits.renewal_too_late"
    assert "28 May 2028" in refused.value.message_en
    assert "28 مايو 2028 م" in refused.value.message_ar
    assert not Bill.objects.exists()
    assert Permit.objects.get(pk=licence.pk).status == "expired"


def test_a_suspended_licence_is_not_renewed(world, clock):
    from permits.services.lifecycle import permit_suspend

    licence = licence_issue_make(world)
    permit_suspend(permit_id=licence.pk, actor=world.head, reason="مخالفة")
    clock.set(day(2027, 10, 1))
    with pytest.raises(Conflict) as refused:
        permit_renewal_start(permit_id=licence.pk, user=world.delegate.user, years=1)
    assert refused.value.code == "permits.renewal_status"
    assert not Bill.objects.exists()
