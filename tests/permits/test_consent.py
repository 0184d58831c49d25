"""The owner's consent to an application an office prepared: only the owner (or their agent with
a valid authorisation), only while it waits; giving it continues the submission, declining
sends it back to the office with the reason."""

import datetime as dt
import sys
import types

import pytest

from amanah.enums import StaffRole
from amanah.errors import Conflict, DomainError, NotFound, PermissionDenied
from amanah.events import audit_verify
from amanah.notifications import LocmemSmsBackend
from permits.enums import ApplicationEventKind, ApplicationStatus, ConsentStatus, PartyRole
from permits.models import Application, ApplicationEvent, ApplicationParty
from permits.services.parties import (
    application_consent_decline,
    application_consent_give,
    application_draft_reopen,
)
from tests.factories import CitizenFactory, DepartmentFactory, MunicipalityFactory
from tests.permits.factories import application_draft_make, permits_world, staff_make

from .parties_factories import agent_make, consent_ask, contractor_party_make, snapshot

pytestmark = pytest.mark.django_db

SUBMISSION = "permits.services.submission"


@pytest.fixture
def world(clock):
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    return permits_world()


@pytest.fixture
def waiting(world):
    """An office's application waiting for the owner's consent, naming a contractor."""
    application = application_draft_make(world)
    contractor_party_make(world, application)
    return consent_ask(application, actor=world.office_worker.user)


@pytest.fixture
def submission(monkeypatch):
    """Part APPLY's continuation as this part sees it: called with the application's id, inside
    the consent's transaction. Records the calls (and what it found then), or refuses."""
    calls = []
    module = types.SimpleNamespace(refusal=None)

    def application_submission_continue(*, application_id):
        owner = ApplicationParty.objects.get(application_id=application_id,
                                             role=PartyRole.OWNER)
        calls.append((application_id, owner.consent))
        if module.refusal is not None:
            raise module.refusal

    module.application_submission_continue = application_submission_continue
    module.calls = calls
    monkeypatch.setitem(sys.modules, SUBMISSION, module)
    return module


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    return LocmemSmsBackend.outbox


def test_the_owner_consents_and_the_submission_continues(world, waiting, submission):
    # when the owner gives consent
    application_consent_give(application_id=waiting.pk, user=world.owner.user,
                             expected_version=waiting.row_version)
    # then the owner party has consented, with the time
    owner = waiting.parties.get(role=PartyRole.OWNER)
    assert (owner.consent, owner.consent_at) == (ConsentStatus.GIVEN,
                                                 dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    # and the submission continued once, after the consent was written
    assert submission.calls == [(waiting.pk, ConsentStatus.GIVEN)]
    # and the chain says who consented as what
    event = ApplicationEvent.objects.filter(application=waiting).order_by("seq").last()
    assert (event.kind, event.actor, event.payload) == (
        ApplicationEventKind.CONSENT, world.owner.user,
        {"party": owner.pk, "from": "pending", "to": "given", "by": "owner"})
    assert [r.ok for r in audit_verify(chain="permit_application")] == [True]


def test_a_submission_refused_now_records_no_consent(world, waiting, submission):
    # given the submission would now be refused (say, a fine was issued on the parcel since)
    submission.refusal = DomainError("permits.prerequisite_failed", "مخالفة غير مسددة",
                                     "An unpaid fine on this parcel")
    before = snapshot(waiting)
    # when the owner consents
    with pytest.raises(DomainError) as refused:
        application_consent_give(application_id=waiting.pk, user=world.owner.user)
    # then the owner sees why, and nothing of the consent is kept: it still waits for them
    assert refused.value.message_en == "An unpaid fine on this parcel"
    assert snapshot(waiting) == before


def test_without_the_submission_part_consent_is_refused_for_now(world, waiting, monkeypatch):
    monkeypatch.setitem(sys.modules, SUBMISSION, None)  # an import of it fails
    before = snapshot(waiting)
    with pytest.raises(DomainError) as refused:
        application_consent_give(application_id=waiting.pk, user=world.owner.user)
    assert (refused.value.code, refused.value.status) == ("permits.submission_unavailable", 503)
    assert snapshot(waiting) == before


def test_an_agent_with_a_valid_authorisation_consents_for_the_owner(world, waiting,
                                                                     submission):
    agent = agent_make(world, waiting, expires_on=dt.date(2026, 12, 1))  # valid today
    application_consent_give(application_id=waiting.pk, user=agent.user)
    assert waiting.parties.get(role=PartyRole.OWNER).consent == ConsentStatus.GIVEN
    assert ApplicationEvent.objects.filter(application=waiting).order_by(
        "seq").last().payload["by"] == "agent"


def _staff_elsewhere():
    return staff_make(DepartmentFactory(municipality=MunicipalityFactory(code="M901")),
                      StaffRole.HEAD)


@pytest.mark.parametrize(("who", "refusal", "code"), [
    ("office worker", PermissionDenied, "permits.consent_owner_only"),
    ("contractor worker", PermissionDenied, "permits.consent_owner_only"),
    ("agent whose authorisation expired", PermissionDenied, "permits.consent_owner_only"),
    ("other citizen", NotFound, "permits.application_not_found"),
    ("staff of the municipality", NotFound, "permits.application_not_found"),
    ("staff of another municipality", NotFound, "permits.application_not_found"),
    ("anonymous", NotFound, "permits.application_not_found"),
])
def test_only_the_owner_side_gives_or_declines(world, waiting, submission, sms, who, refusal,
                                               code, queued):
    from django.contrib.auth.models import AnonymousUser

    expired_agent = agent_make(world, waiting, expires_on=dt.date(2026, 11, 30))
    user = {
        "office worker": lambda: world.office_worker.user,
        "contractor worker": lambda: world.contractor_worker.user,
        "agent whose authorisation expired": lambda: expired_agent.user,
        "other citizen": lambda: CitizenFactory().user,
        "staff of the municipality": lambda: world.head,
        "staff of another municipality": _staff_elsewhere,
        "anonymous": AnonymousUser,
    }[who]()
    before = snapshot(waiting)
    with queued() as tasks:
        with pytest.raises(refusal) as giving:
            application_consent_give(application_id=waiting.pk, user=user)
        with pytest.raises(refusal) as declining:
            application_consent_decline(application_id=waiting.pk, user=user, reason="لا")
    assert giving.value.code == declining.value.code == code
    assert snapshot(waiting) == before
    assert (submission.calls, tasks, sms) == ([], [], [])


@pytest.mark.parametrize("status", [ApplicationStatus.DRAFT, "declined"])
def test_consent_is_given_only_while_it_is_awaited(world, submission, status):
    application = application_draft_make(world)
    if status == "declined":
        application = consent_ask(application)
        application_consent_decline(application_id=application.pk, user=world.owner.user,
                                    reason="المساحة غير صحيحة")
    before = snapshot(application)
    with pytest.raises(Conflict) as refused:
        application_consent_give(application_id=application.pk, user=world.owner.user)
    assert refused.value.code == "permits.consent_not_awaited"
    assert snapshot(application) == before
    assert submission.calls == []


def test_the_owner_declines_and_the_office_is_told_why(world, waiting, sms,
                                                       django_capture_on_commit_callbacks):
    world.office_worker.mobile = "+966551110001"
    world.office_worker.save(update_fields=["mobile"])
    # when the owner declines, saying why
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        application_consent_decline(application_id=waiting.pk, user=world.owner.user,
                                    reason="  عدد الأدوار خطأ، المطلوب دوران  ")
    # then the application goes back to the office, declined, with the reason
    waiting.refresh_from_db()
    assert waiting.status == ApplicationStatus.CONSENT_DECLINED
    owner = waiting.parties.get(role=PartyRole.OWNER)
    assert owner.consent == ConsentStatus.DECLINED
    consent, status = ApplicationEvent.objects.filter(application=waiting).order_by("seq")[2:]
    assert (consent.kind, consent.reason, consent.payload["to"]) == (
        ApplicationEventKind.CONSENT, "عدد الأدوار خطأ، المطلوب دوران", "declined")
    assert (status.kind, status.from_status, status.to_status, status.reason) == (
        ApplicationEventKind.STATUS_CHANGED, "awaiting_consent", "consent_declined",
        "عدد الأدوار خطأ، المطلوب دوران")
    # and one SMS task ran after the commit: the office's people are told, with the reason
    assert [c.task_name for c in callbacks] == ["permits.consent_declined_notify"]
    assert [m.to for m in sms] == ["+966551110001"]
    assert waiting.reference in sms[0].body and "عدد الأدوار خطأ" in sms[0].body


def test_declining_needs_a_reason(world, waiting, queued):
    before = snapshot(waiting)
    with queued() as tasks:
        with pytest.raises(DomainError) as refused:
            application_consent_decline(application_id=waiting.pk, user=world.owner.user,
                                        reason="   ")
    assert (refused.value.code, refused.value.field) == ("permits.decline_reason_required",
                                                        "reason")
    with pytest.raises(DomainError) as too_long:
        application_consent_decline(application_id=waiting.pk, user=world.owner.user,
                                    reason="x" * 1001)
    assert too_long.value.code == "permits.decline_reason_too_long"
    assert snapshot(waiting) == before
    assert tasks == []


def test_the_office_takes_a_declined_application_back_and_offers_it_again(world, waiting,
                                                                          submission):
    application_consent_decline(application_id=waiting.pk, user=world.owner.user,
                                reason="المساحة غير صحيحة")
    # the owner cannot take it back to draft; the office can
    with pytest.raises(PermissionDenied):
        application_draft_reopen(application_id=waiting.pk, user=world.owner.user)
    application_draft_reopen(application_id=waiting.pk, user=world.office_worker.user)
    waiting.refresh_from_db()
    assert waiting.status == ApplicationStatus.DRAFT
    assert waiting.parties.get(role=PartyRole.OWNER).consent == ConsentStatus.NOT_NEEDED
    # offered again, the owner consents this time
    consent_ask(waiting)
    application_consent_give(application_id=waiting.pk, user=world.owner.user)
    assert waiting.parties.get(role=PartyRole.OWNER).consent == ConsentStatus.GIVEN
    assert [r.ok for r in audit_verify(chain="permit_application")] == [True]


def test_a_draft_cannot_be_reopened(world):
    draft = application_draft_make(world)
    with pytest.raises(Conflict) as refused:
        application_draft_reopen(application_id=draft.pk, user=world.office_worker.user)
    assert refused.value.code == "permits.reopen_refused"


def _waiting_on_a_lock() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_the_owner_and_the_agent_deciding_at_once_one_decision_stands(world, monkeypatch):
    import threading
    import time

    from django.db import connection

    # given an application waiting for consent, whose submission pauses once consent is
    # written (the owner's transaction holds the application's lock meanwhile)
    application = application_draft_make(world)
    agent = agent_make(world, application)
    waiting = consent_ask(application)
    inside, release = threading.Event(), threading.Event()

    def application_submission_continue(*, application_id):
        inside.set()
        assert release.wait(timeout=20)

    monkeypatch.setitem(sys.modules, SUBMISSION, types.SimpleNamespace(
        application_submission_continue=application_submission_continue))
    results = {}

    def run(key, call):
        def target():
            try:
                results[key] = call()
            except BaseException as exc:
                results[key] = exc
            finally:
                connection.close()
        thread = threading.Thread(target=target)
        thread.start()
        return thread

    # when the owner consents and, meanwhile, their agent declines
    owner = run("owner", lambda: application_consent_give(application_id=waiting.pk,
                                                          user=world.owner.user))
    assert inside.wait(timeout=20)
    declining = run("agent", lambda: application_consent_decline(
        application_id=waiting.pk, user=agent.user, reason="لا أوافق"))
    deadline = time.monotonic() + 4
    while not _waiting_on_a_lock():  # the agent's decline waits for the owner's lock
        assert time.monotonic() < deadline
    release.set()
    owner.join(timeout=20)
    declining.join(timeout=20)
    # then the owner's consent stands, and the agent is told it no longer waits
    assert isinstance(results["owner"], Application), results["owner"]
    assert isinstance(results["agent"], Conflict)
    assert results["agent"].code == "permits.consent_not_awaited"
    waiting.refresh_from_db()
    assert waiting.status == ApplicationStatus.AWAITING_CONSENT  # the recorder moved nothing
    assert waiting.parties.get(role=PartyRole.OWNER).consent == ConsentStatus.GIVEN
    assert [r.ok for r in audit_verify(chain="permit_application")] == [True]
