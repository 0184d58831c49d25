"""Sub-permits of a licence (a shop sign here): allowed by one of the licence's activities,
issued only on a valid licence and never running past it, suspended, reinstated and cancelled
with it, and renewed no further than it."""

import datetime as dt

import pytest

from amanah.errors import Conflict
from permits.enums import PermitStatus
from permits.licences.lifecycle import sub_permit_types_allowed
from permits.models import Application, Permit, PermitEvent
from permits.prerequisites import Refusal, prerequisites_check
from permits.services.lifecycle import (
    permit_cancel,
    permit_reinstate,
    permit_renewal_start,
    permit_suspend,
    permits_expire_due,
)
from tests.permits.lifecycle_helpers import day

from .factories import BARBER, GROCERY, licence_issue_make, licence_world
from .life_helpers import pay, sub_permit_draft_make, sub_permit_issue, sub_permit_make

pytestmark = pytest.mark.django_db

P = PermitStatus


@pytest.fixture
def world(clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Licences issued 1 December 2026 for 1 year: valid until 30 November 2027.
    clock.set(day(2026, 12, 1))
    return licence_world()


def test_the_licences_activities_say_which_sub_permits_it_may_have(world):
    grocery = licence_issue_make(world, activities=(GROCERY,))
    barber = licence_issue_make(world, activities=(BARBER,))
    both = licence_issue_make(world, activities=(BARBER, GROCERY))
    assert [sub_permit_types_allowed(p) for p in (grocery, barber, both)] == [
        [world.signage_type], [], [world.signage_type]]
    # a retired sub-permit type is no longer offered
    world.signage_type.is_active = False
    world.signage_type.save()
    assert sub_permit_types_allowed(grocery) == []


def test_a_sub_permit_no_activity_allows_is_refused_at_submission(world):
    barber = licence_issue_make(world, activities=(BARBER,))
    grocery = licence_issue_make(world, activities=(GROCERY,))
    refused = prerequisites_check(application=sub_permit_draft_make(world, barber))
    assert refused == [Refusal(
        "permits.sub_permit_not_allowed",
        f"أنشطة الرخصة {barber.number} لا تسمح بـ«رخصة لوحة تجارية».",
        f"The activities of licence {barber.number} do not allow a Shop sign permit.",
        field="base_permit_number", reference=barber.number)]
    assert prerequisites_check(application=sub_permit_draft_make(world, grocery)) == []


def test_a_sub_permit_hangs_from_the_licence_and_ends_with_it(world, clock):
    licence = licence_issue_make(world)
    # when a sign permit (12 months) is issued on 1 March 2027
    clock.set(day(2027, 3, 1))
    sign = sub_permit_make(world, licence)
    # then it hangs from the licence and ends with it, not on 29 February 2028
    assert (sign.parent_id, sign.holder_establishment_id, sign.valid_from, sign.valid_until,
            sign.number.startswith("SG-")) == (
        licence.pk, world.establishment.pk, dt.date(2027, 3, 1), dt.date(2027, 11, 30), True)


@pytest.mark.parametrize("parent_state", ["suspended", "cancelled", "expired", "ended", "none"])
def test_no_sub_permit_is_issued_without_a_valid_licence(world, clock, parent_state):
    licence = licence_issue_make(world)
    application = sub_permit_draft_make(world, licence)
    if parent_state == "suspended":
        permit_suspend(permit_id=licence.pk, actor=world.head, reason="مخالفة")
    elif parent_state == "cancelled":
        permit_cancel(permit_id=licence.pk, actor=world.head, reason="مخالفة")
    elif parent_state == "expired":
        clock.set(day(2027, 12, 1))
        permits_expire_due()
    elif parent_state == "ended":  # its last day passed, the nightly job not run yet
        clock.set(day(2027, 12, 1))
    else:
        Application.objects.filter(pk=application.pk).update(permit=None)
    with pytest.raises(Conflict) as refused:
        sub_permit_issue(application)
    if parent_state == "none":
        assert refused.value.code == "permits.sub_permit_parent_required"
        assert refused.value.message_en == "A sub-permit is issued only on a valid base licence."
    else:
        assert refused.value.code == "permits.sub_permit_parent_not_valid"
        assert refused.value.message_en == (
            f"The base licence {licence.number} is not valid; no sub-permit can be issued "
            "on it.")
        assert licence.number in refused.value.message_ar
    assert Permit.objects.filter(permit_type=world.signage_type).count() == 0
    assert Application.objects.get(pk=application.pk).status == "draft"


def test_suspended_reinstated_and_cancelled_with_the_licence(world):
    licence = licence_issue_make(world)
    sign = sub_permit_make(world, licence)
    permit_suspend(permit_id=licence.pk, actor=world.head, reason="مخالفة اشتراطات")
    assert Permit.objects.get(pk=sign.pk).status == P.SUSPENDED
    permit_reinstate(permit_id=licence.pk, actor=world.head, reason="أزيلت المخالفة")
    assert Permit.objects.get(pk=sign.pk).status == P.VALID
    permit_cancel(permit_id=licence.pk, actor=world.head, reason="إغلاق بقرار")
    assert [Permit.objects.get(pk=p.pk).status for p in (licence, sign)] == [
        P.CANCELLED, P.CANCELLED]
    assert list(PermitEvent.objects.filter(permit=sign, kind__in=(
        "suspended", "reinstated", "cancelled")).order_by("seq").values_list(
        "kind", "payload")) == [
        ("suspended", {"with_parent": licence.number}),
        ("reinstated", {"with_parent": licence.number}),
        ("cancelled", {"with_parent": licence.number})]


def test_a_sub_permit_expires_with_the_licence_and_renews_no_further_than_it(
        world, clock, django_capture_on_commit_callbacks):
    # given a sign permit type valid 24 months, on a licence valid until 30 November 2027
    world.signage_type.validity_months = 24
    world.signage_type.save()
    licence = licence_issue_make(world)
    sign = sub_permit_make(world, licence)
    assert sign.valid_until == dt.date(2027, 11, 30)
    # when the delegate tries to renew the sign first, on 1 October 2027
    clock.set(day(2027, 10, 1))
    with pytest.raises(Conflict) as refused:
        permit_renewal_start(permit_id=sign.pk, user=world.delegate.user)
    # then it is refused: the licence must be renewed first
    assert refused.value.code == "permits.renewal_parent_first"
    assert refused.value.message_en.startswith(
        f"The sub-permit ends with the base licence {licence.number} on ")
    # when the licence is renewed for a year (to 30 November 2028) and then the sign
    pay(permit_renewal_start(permit_id=licence.pk, user=world.delegate.user, years=1),
        django_capture_on_commit_callbacks)
    assert Permit.objects.get(pk=licence.pk).valid_until == dt.date(2028, 11, 30)
    permit_renewal_start(permit_id=sign.pk, user=world.delegate.user)  # the sign bills nothing
    # then the sign runs on to the licence's end, not 24 months (30 November 2029)
    assert Permit.objects.get(pk=sign.pk).valid_until == dt.date(2028, 11, 30)
    # and when that day passes both expire the same night
    clock.set(day(2028, 12, 1))
    assert permits_expire_due() == 2
    assert [Permit.objects.get(pk=p.pk).status for p in (licence, sign)] == [
        P.EXPIRED, P.EXPIRED]
