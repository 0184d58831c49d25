"""The permits core: one status writer per model, numbered permits, chained events, and who may
see an application."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.errors import Conflict
from amanah.events import audit_verify
from permits.enums import ApplicationEventKind, ApplicationStatus, PermitStatus
from permits.models import ApplicationEvent, Permit, PermitCounter, PermitVersion
from permits.selectors import applications_visible_to
from permits.services.applications import application_lock, application_status_change
from permits.services.permits import (
    months_add,
    permit_issue,
    permit_lock,
    permit_status_change,
    permit_valid_until,
)
from tests.factories import CitizenFactory, DepartmentFactory, MunicipalityFactory
from tests.permits.factories import application_draft_make, permits_world, staff_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return permits_world()


def test_status_change_writes_the_move_and_a_chained_event(world):
    # given a draft
    application = application_draft_make(world)
    # when it is submitted to the municipality
    application = application_lock(application.pk)
    application_status_change(application=application, to_status=ApplicationStatus.IN_REVIEW,
                              actor=world.office_worker.user)
    # then the status, the submission time and one event are written, and the chain holds
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert application.submitted_at is not None
    assert application.row_version == 2
    event = ApplicationEvent.objects.get(application=application)
    assert (event.kind, event.from_status, event.to_status, event.seq) == (
        ApplicationEventKind.STATUS_CHANGED, "draft", "in_review", 1)
    assert [r.ok for r in audit_verify(chain="permit_application")] == [True]


def test_a_move_not_in_the_table_is_refused_and_changes_nothing(world):
    # given a draft
    application = application_draft_make(world)
    # when something tries to issue it straight from draft
    with pytest.raises(Conflict) as refused:
        application_status_change(application=application_lock(application.pk),
                                  to_status=ApplicationStatus.ISSUED)
    # then it is refused with a stable code and nothing is written
    assert refused.value.code == "permits.application_status_refused"
    application.refresh_from_db()
    assert (application.status, application.row_version) == (ApplicationStatus.DRAFT, 1)
    assert not ApplicationEvent.objects.exists()


def test_permits_are_numbered_per_municipality_and_hijri_year(world, clock):
    # given two approved applications in one municipality, one in another
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))  # 1448 AH
    first, second = application_draft_make(world), application_draft_make(world)
    # when permits are issued for them
    one = permit_issue(application=first)
    two = permit_issue(application=second)
    # then numbers follow the type's prefix, the municipality and the Hijri year, without gaps
    assert (one.number, two.number) == ("BP-M900-1448-000001", "BP-M900-1448-000002")
    assert PermitCounter.objects.get(municipality=world.municipality).last_number == 2
    # and each is valid from today for 36 months, version 1, holder and parcel from the
    # application, details from the fields marked as printed
    assert (one.valid_from, one.valid_until) == (dt.date(2026, 12, 1), dt.date(2029, 11, 30))
    assert (one.holder_person, one.parcel, one.version) == (world.owner, world.parcel, 1)
    assert one.details == {"floors": 2, "built_area_m2": "420.00", "use": "residential"}
    assert PermitVersion.objects.get(permit=one).details == one.details
    assert len(one.verification_token) >= 32
    assert [r.ok for r in audit_verify(chain="permit")] == [True]


def test_validity_months_end_on_the_day_before():
    assert months_add(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert permit_valid_until(start=dt.date(2026, 3, 1), validity_months=12) == dt.date(
        2027, 2, 28)
    assert permit_valid_until(start=dt.date(2026, 3, 1), validity_months=0) is None


def test_permit_status_moves_follow_the_table(world):
    permit = permit_issue(application=application_draft_make(world))
    permit_status_change(permit=permit_lock(permit.pk), to_status=PermitStatus.CANCELLED,
                         kind="cancelled", reason="طلب المالك")
    with pytest.raises(Conflict):
        permit_status_change(permit=permit_lock(permit.pk), to_status=PermitStatus.VALID,
                             kind="reinstated")
    permit = Permit.objects.get(pk=permit.pk)
    assert permit.status == PermitStatus.CANCELLED
    assert list(permit.events.values_list("kind", flat=True)) == ["issued", "cancelled"]


def test_who_sees_an_application(world):
    # given a draft an office prepared for an owner
    application = application_draft_make(world)
    stranger = CitizenFactory(municipality=world.municipality)
    other_staff = staff_make(DepartmentFactory(municipality=MunicipalityFactory(code="M901"),
                                               code="engineering"), "head")

    def sees(user) -> bool:
        return applications_visible_to(user).filter(pk=application.pk).exists()

    # then its parties see it; another citizen and other municipalities' staff never do
    assert sees(world.owner.user) and sees(world.office_worker.user)
    assert not sees(stranger.user) and not sees(other_staff)
    assert not sees(world.contractor_worker.user)
    # and the municipality's staff see it only once it is submitted to them
    assert not sees(world.clerk)
    application_status_change(application=application_lock(application.pk),
                              to_status=ApplicationStatus.IN_REVIEW)
    assert sees(world.clerk) and sees(world.inspector)
    assert not sees(other_staff)


def test_visibility_is_one_query_however_many_applications(world):
    for _ in range(3):
        application_draft_make(world)
    user = world.office_worker.user
    applications_visible_to(user).count()  # warm the user's person and memberships
    with CaptureQueriesContext(connection) as few:
        list(applications_visible_to(user))
    for _ in range(30):
        application_draft_make(world)
    with CaptureQueriesContext(connection) as many:
        assert len(list(applications_visible_to(user))) == 33
    assert len(few) == len(many) == 1


def test_the_type_bills_its_stages_from_the_fee_schedules(world, clock):
    from payments.services.fees import fee_calculate

    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    eservice, on = world.permit_type.eservice, dt.date(2026, 12, 1)
    application = fee_calculate(eservice=eservice, municipality=world.municipality, on=on,
                                component="application")
    issuance = fee_calculate(eservice=eservice, municipality=world.municipality, on=on,
                             component="issuance", quantity="420.00")
    small = fee_calculate(eservice=eservice, municipality=world.municipality, on=on,
                          component="issuance", quantity="100")
    assert (application.amount, issuance.amount, small.amount) == (
        Decimal("300.00"), Decimal("1050.00"), Decimal("500.00"))
