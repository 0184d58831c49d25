"""Amending a licence (its activities, shop area, sign) is a case on the licence's procedure:
the amendment carries the activities asked for, and once issued the licence's next version
prints them. Suspension by staff takes its sub-permits with it; its holder cannot suspend."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah import clock as amanah_clock
from amanah.errors import DomainError, PermissionDenied
from amanah.events import audit_verify
from payments.services import payment_record
from permits.enums import ApplicationKind, ApplicationStatus, PermitStatus
from permits.models import Application, ApplicationFee, Permit, PermitEvent, PermitVersion
from permits.services.inspections import inspection_book, inspection_record
from permits.services.lifecycle import permit_amendment_start, permit_suspend
from tests.permits.lifecycle_helpers import day
from workflow.models import Case
from workflow.services import case_route, case_transition

from .factories import (
    BARBER,
    GROCERY,
    RESTAURANT,
    activity_make,
    licence_issue_make,
    licence_world,
)
from .life_helpers import sub_permit_make

pytestmark = pytest.mark.django_db

NOW = day(2026, 12, 1)


@pytest.fixture
def world(clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")
    clock.set(NOW)
    return licence_world()


def _activities(application) -> list[str]:
    return list(application.activities.values_list("activity__code", flat=True))


def _through_inspection_to_decision(world, application, clock) -> None:
    """The amendment's case routed, sent to the shop visit, visited and passed."""
    from permits.models import InspectionSlot

    case_route(case_id=application.case_id)
    case_transition(case_id=application.case_id, action="send_to_inspection",
                    actor=world.clerk)
    slot = InspectionSlot.objects.create(
        department=world.departments["inspection"], inspector=world.inspector,
        starts_at=NOW + dt.timedelta(days=1), ends_at=NOW + dt.timedelta(days=1, hours=1),
        capacity=5)
    visit = inspection_book(application_id=application.pk, user=world.delegate.user,
                            slot_id=slot.pk, purpose=world.licence_type.inspection_purpose)
    clock.set(slot.starts_at + dt.timedelta(minutes=30))
    inspection_record(inspection_id=visit.pk, inspector=world.inspector,
                      findings={item.code: {"answer": "yes"} for item in
                                world.licence_type.inspection_checklist.items.all()},
                      photos={})
    case_transition(case_id=application.case_id, action="inspection_passed",
                    actor=world.inspector)


def test_an_amendment_of_activities_and_area_through_its_case(
        world, clock, django_capture_on_commit_callbacks):
    # given a grocery licence of 60 m²
    licence = licence_issue_make(world)
    # when the delegate asks to add a barber's corner and enlarge the shop to 80 m²
    amendment = permit_amendment_start(permit_id=licence.pk, user=world.delegate.user,
                                       answers={"shop_area_m2": "80"},
                                       activity_codes=[GROCERY, BARBER])
    # then an amendment case on the licence's procedure carries the new activities
    amendment = Application.objects.select_related("case__definition").get(pk=amendment.pk)
    assert (amendment.kind, amendment.status, amendment.owner_establishment,
            amendment.case.definition.code) == (
        ApplicationKind.AMENDMENT, ApplicationStatus.IN_REVIEW, world.establishment,
        "commercial_license")
    assert amendment.case.applicant_establishment == world.establishment
    assert _activities(amendment) == [GROCERY, BARBER]
    assert amendment.answers["shop_area_m2"] == "80.00"
    assert amendment.events.filter(to_status="in_review").get().payload == {
        "changes": ["shop_area_m2", "activities"]}
    assert amendment.events.get(kind="activities_set").payload == {
        "activities": [GROCERY, BARBER]}
    assert Permit.objects.get(pk=licence.pk).details["activities"] == [GROCERY]
    # when it goes through review and the shop visit and is approved
    _through_inspection_to_decision(world, amendment, clock)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=amendment.case_id, action="approve", actor=world.reviewer,
                        comment="مطابق")
    # then the amendment fee (a fixed 200.00) is billed to the establishment
    fee = ApplicationFee.objects.select_related("bill").get(application=amendment)
    assert (fee.stage, fee.amount, fee.bill.payer_establishment) == (
        "amendment", Decimal("200.00"), world.establishment)
    # when it is paid, the case moves to issued and the licence's next version is made
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(sptn="SP-LIC-AMEND", amount=fee.bill.amount,
                       billing_account=fee.bill.billing_account, bank_id="RJHISARI",
                       channel="INTERNET", method="ACTDEB", processed_at=amanah_clock.now())
    assert Case.objects.get(pk=amendment.case_id).state.code == "issued"
    assert Application.objects.get(pk=amendment.pk).status == ApplicationStatus.ISSUED
    licence = Permit.objects.get(pk=licence.pk)
    assert (licence.version, licence.details["activities"], licence.details["shop_area_m2"],
            licence.valid_until) == (2, [GROCERY, BARBER], "80.00", dt.date(2027, 11, 30))
    assert [v.details["activities"] for v in PermitVersion.objects.filter(permit=licence)] == [
        [GROCERY], [GROCERY, BARBER]]
    assert PermitEvent.objects.get(permit=licence, kind="amended").payload == {
        "application": amendment.reference, "changed": ["activities", "shop_area_m2"]}
    assert Permit.objects.filter(permit_type=world.licence_type).count() == 1
    assert all(r.ok for r in audit_verify(chain="permit"))


def test_an_amendment_of_the_activities_alone_is_a_change(world):
    licence = licence_issue_make(world, activities=(GROCERY, BARBER))
    amendment = permit_amendment_start(permit_id=licence.pk, user=world.delegate.user,
                                       answers={}, activity_codes=[BARBER])
    assert _activities(amendment) == [BARBER]


def test_an_amendment_without_activities_keeps_the_licences(world):
    licence = licence_issue_make(world, activities=(GROCERY, BARBER))
    amendment = permit_amendment_start(permit_id=licence.pk, user=world.delegate.user,
                                       answers={"signage_area_m2": "5"})
    assert _activities(amendment) == [GROCERY, BARBER]


@pytest.mark.parametrize("codes, code", [
    ([GROCERY], "permits.amendment_no_change"),  # the same activities, nothing else
    ([], "permits.activities_count"),
    ([GROCERY, GROCERY], "permits.activities_count"),
    ([GROCERY, "999999"], "permits.activity_unknown"),
    (["retired"], "permits.activity_unknown"),
])
def test_the_activities_asked_for_are_checked_as_a_new_licences(world, codes, code):
    licence = licence_issue_make(world)
    activity_make("R1", "نشاط موقوف", "Retired", is_active=False)
    codes = ["R1" if c == "retired" else c for c in codes]
    with pytest.raises(DomainError) as refused:
        permit_amendment_start(permit_id=licence.pk, user=world.delegate.user, answers={},
                               activity_codes=codes)
    assert refused.value.code == code
    if code != "permits.amendment_no_change":
        assert refused.value.field == "activities"
    assert not Application.objects.filter(kind=ApplicationKind.AMENDMENT).exists()
    assert Case.objects.count() == 0


def test_another_establishment_cannot_amend_the_licence(world):
    licence = licence_issue_make(world)
    with pytest.raises(PermissionDenied):
        permit_amendment_start(permit_id=licence.pk, user=world.other_delegate.user,
                               answers={}, activity_codes=[BARBER])
    assert Case.objects.count() == 0


def test_staff_suspend_the_licence_and_its_sub_permits_not_its_holder(world):
    licence = licence_issue_make(world, activities=(RESTAURANT,))
    sign = sub_permit_make(world, licence)
    for user in (world.delegate.user, world.citizen.user, world.clerk):
        with pytest.raises(PermissionDenied) as refused:
            permit_suspend(permit_id=licence.pk, actor=user, reason="مخالفة")
        assert refused.value.code == "permits.decision_not_allowed"
    assert [Permit.objects.get(pk=p.pk).status for p in (licence, sign)] == [
        PermitStatus.VALID, PermitStatus.VALID]
    assert not PermitEvent.objects.filter(kind="suspended").exists()
    permit_suspend(permit_id=licence.pk, actor=world.reviewer, reason="مخالفة اشتراطات السلامة")
    assert [Permit.objects.get(pk=p.pk).status for p in (licence, sign)] == [
        PermitStatus.SUSPENDED, PermitStatus.SUSPENDED]
    assert list(PermitEvent.objects.filter(kind="suspended").order_by("permit_id")
                .values_list("permit_id", "reason", "actor")) == [
        (licence.pk, "مخالفة اشتراطات السلامة", world.reviewer.pk),
        (sign.pk, "مخالفة اشتراطات السلامة", world.reviewer.pk)]
