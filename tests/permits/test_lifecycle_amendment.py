"""Amendment: the holder asks to change approved details — a case on the type's procedure —
and once it is issued the permit is versioned with the new details and a new certificate."""

from decimal import Decimal

import pytest

from amanah.errors import Conflict, DomainError, PermissionDenied
from amanah.events import audit_verify
from permits.enums import ApplicationKind, ApplicationStatus, FeeStage, PartyRole
from permits.models import (
    Application,
    ApplicationFee,
    Permit,
    PermitEvent,
    PermitFeeRule,
    PermitVersion,
)
from permits.services.applications import application_lock, application_status_change
from permits.services.lifecycle import (
    approval_fee_stage,
    permit_amend,
    permit_amendment_start,
    permit_issue_for,
    permit_suspend,
)
from tests.factories import CitizenFactory
from tests.permits.factories import GOOD_ANSWERS, application_draft_make, permits_world
from workflow.models import Case

from .lifecycle_helpers import permit_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = permits_world()
    # Amendments here bill nothing at filing (the billing of the application stage is APPLY's
    # and is tested with it).
    PermitFeeRule.objects.filter(permit_type=world.permit_type,
                                 stage=FeeStage.APPLICATION).delete()
    return world


def test_an_amendment_is_a_case_on_the_types_procedure(world):
    # given a permit for 2 floors and 420 m²
    permit = permit_make(world)
    # when its holder asks for 3 floors and 480 m², repeating the use unchanged
    application = permit_amendment_start(
        permit_id=permit.pk, user=world.owner.user,
        answers={"floors": "3", "built_area_m2": "480", "use": "residential"})
    # then an amendment application about the permit is with the municipality, in a case of
    # the type's procedure, its answers those of the permit with the two changes
    application = Application.objects.select_related("case__definition").get(pk=application.pk)
    assert (application.kind, application.status, application.permit) == (
        ApplicationKind.AMENDMENT, ApplicationStatus.IN_REVIEW, permit)
    assert application.case.definition.code == world.permit_type.workflow_code
    assert application.case.applicant_person == world.owner
    assert application.answers == {**GOOD_ANSWERS, "floors": 3, "built_area_m2": "480.00"}
    assert list(application.parties.values_list("role", "person")) == [
        (PartyRole.OWNER, world.owner.pk)]
    assert application.events.filter(to_status="in_review").get().payload == {
        "changes": ["built_area_m2", "floors"]}
    # and the permit itself is unchanged until the amendment is issued
    permit.refresh_from_db()
    assert (permit.version, permit.details["floors"]) == (1, 2)


def test_issuing_the_amendment_versions_the_permit(world, queued):
    permit = permit_make(world)
    application = permit_amendment_start(permit_id=permit.pk, user=world.owner.user,
                                         answers={"floors": 3})
    # when REVIEW's issue task applies it (holding the application's lock)
    with queued() as tasks:
        locked = application_lock(application.pk)
        amended = permit_amend(application=locked, actor=world.head)
        application_status_change(application=locked, to_status=ApplicationStatus.ISSUED)
    # then the permit is version 2 with the new details, and version 1 is kept
    permit = Permit.objects.get(pk=permit.pk)
    assert (amended.pk, permit.version, permit.details) == (
        permit.pk, 2, {"floors": 3, "built_area_m2": "420.00", "use": "residential"})
    assert [(v.version, v.details["floors"], v.application_id) for v in
            PermitVersion.objects.filter(permit=permit)] == [
        (1, 2, permit.application_id), (2, 3, application.pk)]
    event = PermitEvent.objects.get(permit=permit, kind="amended")
    assert (event.version, event.payload, event.actor) == (
        2, {"application": application.reference, "changed": ["floors"]}, world.head)
    # and the certificate is made again, the holder told
    assert [name for name, _ in tasks] == ["permits.certificate_ensure",
                                           "permits.permit_notify_holder"]
    # and applying it twice changes nothing more
    permit_amend(application=application_lock(application.pk))
    assert Permit.objects.get(pk=permit.pk).version == 2
    assert PermitVersion.objects.filter(permit=permit).count() == 2
    assert all(r.ok for r in audit_verify(chain="permit"))


@pytest.mark.parametrize("answers, code, field", [
    ({"floors": 2, "use": "residential"}, "permits.amendment_no_change", None),
    ({"front_setback_m": "6.00"}, "permits.amendment_unknown_field", "front_setback_m"),
    ({"floors": "two"}, "permits.answer_invalid", "floors"),
    ({"use": "factory"}, "permits.answer_invalid", "use"),
])
def test_an_amendment_must_change_printed_details_rightly(world, answers, code, field):
    permit = permit_make(world)
    with pytest.raises(DomainError) as refused:
        permit_amendment_start(permit_id=permit.pk, user=world.owner.user, answers=answers)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not Application.objects.filter(kind=ApplicationKind.AMENDMENT).exists()
    assert Case.objects.count() == 0


def test_only_the_holder_amends_a_valid_permit_one_request_at_a_time(world):
    permit = permit_make(world)
    with pytest.raises(PermissionDenied):
        permit_amendment_start(permit_id=permit.pk, user=CitizenFactory().user,
                               answers={"floors": 3})
    permit_amendment_start(permit_id=permit.pk, user=world.owner.user, answers={"floors": 3})
    with pytest.raises(Conflict) as refused:
        permit_amendment_start(permit_id=permit.pk, user=world.owner.user,
                               answers={"floors": 1})
    assert refused.value.code == "permits.amendment_open"
    other = permit_make(world)
    permit_suspend(permit_id=other.pk, actor=world.head, reason="مخالفة")
    with pytest.raises(Conflict) as refused:
        permit_amendment_start(permit_id=other.pk, user=world.owner.user, answers={"floors": 3})
    assert refused.value.code == "permits.amendment_status"
    assert Application.objects.filter(kind=ApplicationKind.AMENDMENT).count() == 1
    assert Case.objects.count() == 1


def test_issuing_dispatches_by_kind_and_an_amendment_bills_its_own_stage(world):
    # given an approved new application and an amendment of an existing permit
    permit = permit_make(world)
    amendment = permit_amendment_start(permit_id=permit.pk, user=world.owner.user,
                                       answers={"floors": 3})
    new = application_draft_make(world)
    # then approving the new one bills the issuance fee; the amendment bills the amendment
    # fee once the type has one, and nothing (issued at once) while it has none
    assert approval_fee_stage(new) == FeeStage.ISSUANCE
    assert approval_fee_stage(amendment) is None
    PermitFeeRule.objects.create(permit_type=world.permit_type, stage=FeeStage.AMENDMENT)
    assert approval_fee_stage(amendment) == FeeStage.AMENDMENT
    # and issuing the amendment versions its permit instead of making another
    amended = permit_issue_for(application=application_lock(amendment.pk))
    assert (amended.pk, amended.version) == (permit.pk, 2)
    made = permit_issue_for(application=application_lock(new.pk))
    assert made.pk != permit.pk and made.version == 1
    assert Permit.objects.count() == 2


def test_an_amendment_bills_the_application_fee_where_the_type_has_one():
    # given a type that bills a fixed 300.00 application fee (the procedure's review guard
    # asks for it before the case goes on)
    world = permits_world()
    permit = permit_make(world)
    # when the holder files an amendment
    application = permit_amendment_start(permit_id=permit.pk, user=world.owner.user,
                                         answers={"floors": 3})
    # then the application fee is billed to the holder, exactly, on the amendment
    fee = ApplicationFee.objects.select_related("bill").get(application=application)
    assert (fee.stage, fee.amount, fee.bill.payer_person, fee.bill.payable_ref) == (
        FeeStage.APPLICATION, Decimal("300.00"), world.owner,
        f"{application.reference}:application")
