"""Suspension, reinstatement and cancellation: staff of the permit's municipality (head or
reviewer) decide with a reason; sub-permits follow their parent; the holder is told by SMS."""

import pytest

from amanah.enums import StaffRole
from amanah.errors import Conflict, DomainError, PermissionDenied
from amanah.events import audit_verify
from amanah.notifications import LocmemSmsBackend
from permits.enums import PermitStatus
from permits.models import Permit, PermitEvent
from permits.services.lifecycle import permit_cancel, permit_reinstate, permit_suspend
from permits.services.permits import permit_lock, permit_status_change
from tests.factories import DepartmentFactory, MunicipalityFactory
from tests.permits.factories import permits_world, staff_make

from .lifecycle_helpers import permit_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return permits_world()


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    return LocmemSmsBackend.outbox


def _statuses(*permits) -> list[str]:
    return [Permit.objects.get(pk=p.pk).status for p in permits]


def _kinds(permit) -> list[str]:
    return list(PermitEvent.objects.filter(permit=permit).order_by("seq")
                .values_list("kind", flat=True))


def test_suspension_takes_the_valid_sub_permits_with_it(world, sms,
                                                        django_capture_on_commit_callbacks):
    # given a permit with two sub-permits, one of them already cancelled on its own
    parent = permit_make(world)
    child = permit_make(world, parent=parent)
    gone = permit_make(world, parent=parent)
    permit_cancel(permit_id=gone.pk, actor=world.head, reason="طلب صاحبها")
    sms.clear()
    # when a reviewer suspends the parent with a reason
    with django_capture_on_commit_callbacks(execute=True):
        permit_suspend(permit_id=parent.pk, actor=world.reviewer, reason="مخالفة اشتراطات السلامة")
    # then the parent and its valid sub-permit are suspended, the cancelled one is untouched
    assert _statuses(parent, child, gone) == ["suspended", "suspended", "cancelled"]
    event = PermitEvent.objects.get(permit=child, kind="suspended")
    assert (event.reason, event.payload, event.actor) == (
        "مخالفة اشتراطات السلامة", {"with_parent": parent.number}, world.reviewer)
    assert _kinds(gone) == ["issued", "cancelled"]
    # and the holder is told, with the reason, once per permit
    assert [m.to for m in sms] == [world.owner.mobile, world.owner.mobile]
    assert sms[0].body == f"أُوقفت الرخصة {parent.number}. السبب: مخالفة اشتراطات السلامة."
    assert parent.number in sms[1].body and child.number in sms[1].body
    assert all(r.ok for r in audit_verify(chain="permit"))


def test_reinstating_lifts_only_what_was_suspended_with_the_parent(world):
    # given a parent and two sub-permits: one suspended on its own before, one with the parent
    parent = permit_make(world)
    own = permit_make(world, parent=parent)
    follower = permit_make(world, parent=parent)
    permit_suspend(permit_id=own.pk, actor=world.head, reason="لوحة بلا ترخيص")
    permit_suspend(permit_id=parent.pk, actor=world.head, reason="مخالفة")
    # when the parent's suspension is lifted
    permit_reinstate(permit_id=parent.pk, actor=world.reviewer, reason="أُزيلت المخالفة")
    # then the parent and the sub-permit that followed it are valid, the other stays suspended
    assert _statuses(parent, own, follower) == ["valid", "suspended", "valid"]
    assert _kinds(follower) == ["issued", "suspended", "reinstated"]


def test_cancellation_takes_suspended_and_valid_sub_permits_and_is_final(world):
    parent = permit_make(world)
    child = permit_make(world, parent=parent)
    grandchild = permit_make(world, parent=child)
    permit_suspend(permit_id=parent.pk, actor=world.head, reason="مخالفة")
    # when the parent is cancelled
    permit_cancel(permit_id=parent.pk, actor=world.head, reason="إلغاء نهائي")
    # then the whole family is cancelled, and nothing can bring the parent back
    assert _statuses(parent, child, grandchild) == ["cancelled"] * 3
    with pytest.raises(Conflict) as refused:
        permit_reinstate(permit_id=parent.pk, actor=world.head, reason="خطأ")
    assert refused.value.code == "permits.reinstate_status"
    assert _kinds(parent) == ["issued", "suspended", "cancelled"]


@pytest.mark.parametrize("who", ["clerk", "inspector", "owner", "other_head"])
def test_only_a_head_or_reviewer_of_the_municipality_decides(world, who, queued):
    permit = permit_make(world)
    other_head = staff_make(DepartmentFactory(municipality=MunicipalityFactory(code="M901"),
                                              code="engineering"), StaffRole.HEAD)
    actor = {"clerk": world.clerk, "inspector": world.inspector, "owner": world.owner.user,
             "other_head": other_head}[who]
    # when someone without the right suspends it
    with queued() as tasks, pytest.raises(PermissionDenied) as refused:
        permit_suspend(permit_id=permit.pk, actor=actor, reason="سبب")
    # then it is refused, and nothing changed or was queued
    assert refused.value.code == "permits.decision_not_allowed"
    assert _statuses(permit) == ["valid"] and _kinds(permit) == ["issued"]
    assert tasks == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_decision_needs_a_reason(world, reason):
    permit = permit_make(world)
    with pytest.raises(DomainError) as refused:
        permit_cancel(permit_id=permit.pk, actor=world.head, reason=reason)
    assert (refused.value.code, refused.value.field) == ("permits.reason_required", "reason")
    assert _statuses(permit) == ["valid"] and _kinds(permit) == ["issued"]


def test_an_expired_permit_is_not_suspended(world):
    permit = permit_make(world)
    permit_status_change(permit=permit_lock(permit.pk), to_status=PermitStatus.EXPIRED,
                         kind="expired")
    with pytest.raises(Conflict) as refused:
        permit_suspend(permit_id=permit.pk, actor=world.head, reason="سبب")
    assert refused.value.code == "permits.suspend_status"
    assert _kinds(permit) == ["issued", "expired"]
