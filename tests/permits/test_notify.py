"""SMS to an application's parties: scheduled after the commit, sent to the mobiles of the roles
asked for (a person party, or the people of an office), each mobile once, in Arabic."""

import pytest

from amanah.notifications import LocmemSmsBackend
from permits.enums import PartyRole
from permits.notify import party_sms_body, party_sms_schedule, party_sms_send
from tests.factories import CitizenFactory
from tests.permits.factories import application_draft_make, permits_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    return LocmemSmsBackend.outbox


@pytest.fixture
def world():
    return permits_world()


def test_the_owner_is_told_in_arabic(world, sms):
    application = application_draft_make(world)
    sent = party_sms_send(application_id=application.pk, template="consent_requested",
                          roles=[PartyRole.OWNER])
    assert sent == 1
    assert [(m.to, m.body) for m in sms] == [(world.owner.mobile, (
        f"أعدّ مكتب هندسي طلب رخصة بناء جديدة رقم {application.reference} باسمكم. ادخل "
        "البوابة لمراجعته والموافقة عليه."))]


def test_an_office_is_told_through_its_people_each_mobile_once(world, sms):
    application = application_draft_make(world)
    colleague = CitizenFactory(municipality=world.municipality)
    world.office.establishment.representatives.add(colleague)
    sent = party_sms_send(application_id=application.pk, template="withdrawn",
                          roles=[PartyRole.DESIGN_OFFICE, PartyRole.OWNER])
    assert sent == 3
    assert sorted(m.to for m in sms) == sorted([world.owner.mobile, world.office_worker.mobile,
                                                colleague.mobile])
    assert {m.body for m in sms} == {f"سُحب الطلب {application.reference}."}


def test_a_role_nobody_holds_sends_nothing(world, sms):
    application = application_draft_make(world)
    assert party_sms_send(application_id=application.pk, template="issued",
                          roles=[PartyRole.CONTRACTOR]) == 0
    assert party_sms_send(application_id=0, template="issued", roles=["owner"]) == 0
    assert sms == []


def test_it_is_queued_for_after_the_commit_with_its_context(world, queued):
    application = application_draft_make(world)
    with queued() as tasks:
        party_sms_schedule(application_id=application.pk, template="issued",
                           roles=[PartyRole.OWNER, PartyRole.OWNER], context={"permit": "BP-1"})
    assert tasks == [("permits.party_sms_send", {
        "application_id": application.pk, "template": "issued", "roles": ["owner"],
        "context": {"permit": "BP-1"}})]
    with pytest.raises(LookupError):
        party_sms_schedule(application_id=application.pk, template="nope", roles=["owner"])
    with pytest.raises(ValueError):
        party_sms_schedule(application_id=application.pk, template="issued", roles=["mayor"])


def test_templates_read_in_english_too_and_a_missing_placeholder_is_blank():
    assert party_sms_body(template="issued", language="en",
                          values={"reference": "PA1", "permit": "BP-1"}) == (
        "Permit BP-1 was issued for application PA1.")
    assert party_sms_body(template="issued", language="ar", values={"reference": "PA1"}) == (
        "صدرت الرخصة رقم  للطلب PA1.")


def test_each_person_is_told_in_the_language_they_use_the_portal_in(world, sms):
    # given an owner who signs in in English and an office worker who uses Arabic
    application = application_draft_make(world)
    world.owner.language = "en"
    world.owner.save(update_fields=["language"])
    # when the permit is issued
    party_sms_send(application_id=application.pk, template="issued",
                   roles=[PartyRole.OWNER, PartyRole.DESIGN_OFFICE], context={"permit": "BP-9"})
    # then each gets the message in their own language
    by_mobile = {m.to: m.body for m in sms}
    assert by_mobile[world.owner.mobile] == (
        f"Permit BP-9 was issued for application {application.reference}.")
    assert by_mobile[world.office_worker.mobile] == (
        f"صدرت الرخصة رقم BP-9 للطلب {application.reference}.")
