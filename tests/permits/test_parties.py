"""Naming the parties of a draft: the roles its type lists, an agent with a valid authorisation,
registered and licensed offices of the right kind; only by the filer's side, only while draft."""

import datetime as dt

import pytest

from amanah.errors import Conflict, DomainError, NotFound, PermissionDenied
from amanah.events import audit_verify
from permits.enums import (
    ApplicationEventKind,
    ApplicationStatus,
    ConsentStatus,
    FiledBy,
    OfficeKind,
    PartyRole,
)
from permits.models import Application, ApplicationEvent, ApplicationParty, PermitTypeParty
from permits.services.applications import application_lock, application_status_change
from permits.services.parties import application_party_add, application_party_remove
from tests.factories import CitizenFactory, EstablishmentFactory, national_id_for
from tests.permits.factories import application_draft_make, office_make, permits_world

from .parties_factories import agent_make, contractor_party_make, snapshot

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def world(clock):
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))  # noon in Riyadh
    world = permits_world()
    # owners of a new building may act through an agent
    PermitTypeParty.objects.create(permit_type=world.permit_type, role=PartyRole.AGENT,
                                   required=False)
    return world


@pytest.fixture
def draft(world):
    return application_draft_make(world)


def _add(world, draft, *, user=None, **values):
    return application_party_add(application_id=draft.pk, user=user or world.office_worker.user,
                                 **values)


def _agent_values(person, **changes):
    return {"role": PartyRole.AGENT, "national_id": person.national_id,
            "authorisation_number": "٤٤١٠١٢٣", "authorisation_scope": "مراجعة البلدية",
            "authorisation_expires_on": dt.date(2027, 6, 30), **changes}


def test_the_office_names_the_owners_agent_with_the_authorisation(world, draft):
    # given a person the owner authorised
    agent = CitizenFactory(municipality=world.municipality)
    # when the office names them as agent
    party = _add(world, draft, **_agent_values(agent))
    # then the party carries the authorisation, and one chained event says who was added
    assert (party.role, party.person, party.authorisation_number, party.authorisation_scope,
            party.authorisation_expires_on, party.consent) == (
        PartyRole.AGENT, agent, "4410123", "مراجعة البلدية", dt.date(2027, 6, 30),
        ConsentStatus.NOT_NEEDED)
    event = ApplicationEvent.objects.get(application=draft)
    assert (event.kind, event.actor, event.payload) == (
        ApplicationEventKind.PARTY_ADDED, world.office_worker.user,
        {"party": party.pk, "role": "agent", "who": agent.national_id})
    draft.refresh_from_db()
    assert draft.row_version == 2
    assert [r.ok for r in audit_verify(chain="permit_application")] == [True]


def test_the_office_names_a_supervising_office_and_a_contractor(world, draft):
    supervisor, _worker = office_make(world.municipality, licence_number="EO-SUP-1")
    office_party = _add(world, draft, role=PartyRole.SUPERVISING_OFFICE,
                        office_licence_number="eo-sup-1")
    contractor_party = _add(world, draft, role=PartyRole.CONTRACTOR,
                            office_licence_number=world.contractor.licence_number)
    assert (office_party.office, office_party.establishment) == (supervisor,
                                                                 supervisor.establishment)
    assert contractor_party.office == world.contractor
    assert list(ApplicationEvent.objects.filter(application=draft).values_list(
        "payload__who", flat=True)) == ["EO-SUP-1", world.contractor.licence_number]


def _expired_office(world, kind=OfficeKind.ENGINEERING_OFFICE):
    return office_make(world.municipality, kind=kind, licence_number="EO-OLD-1",
                       expires=TODAY - dt.timedelta(days=1))[0].licence_number


def _inactive_office(world):
    office, _worker = office_make(world.municipality, licence_number="EO-OFF-1")
    type(office).objects.filter(pk=office.pk).update(is_active=False)
    return office.licence_number


REFUSALS = [
    # (what, values from the world, code, field)
    ("agent authorisation expired yesterday",
     lambda w: _agent_values(CitizenFactory(), authorisation_expires_on=TODAY
                             - dt.timedelta(days=1)),
     "permits.authorisation_expired", "authorisation_expires_on"),
    ("agent authorisation ending today",
     lambda w: _agent_values(CitizenFactory(), authorisation_expires_on=TODAY),
     "permits.authorisation_expired", "authorisation_expires_on"),
    ("agent without an authorisation number",
     lambda w: _agent_values(CitizenFactory(), authorisation_number="  "),
     "permits.authorisation_number_required", "authorisation_number"),
    ("agent without a scope",
     lambda w: _agent_values(CitizenFactory(), authorisation_scope=""),
     "permits.authorisation_scope_required", "authorisation_scope"),
    ("agent without an expiry",
     lambda w: _agent_values(CitizenFactory(), authorisation_expires_on=None),
     "permits.authorisation_expires_on_required", "authorisation_expires_on"),
    ("agent who is the owner", lambda w: _agent_values(w.owner), "permits.agent_is_owner",
     "national_id"),
    ("agent not registered in the portal",
     lambda w: _agent_values(CitizenFactory.build(national_id=national_id_for(9999))),
     "permits.person_unknown", "national_id"),
    ("agent ID with a wrong check digit",
     lambda w: _agent_values(CitizenFactory.build(national_id="1000000001")),
     "identity.bad_check_digit", "national_id"),
    ("supervising office whose licence expired",
     lambda w: {"role": PartyRole.SUPERVISING_OFFICE,
                "office_licence_number": _expired_office(w)},
     "permits.office_licence_expired", "office_licence_number"),
    ("contractor whose licence expired",
     lambda w: {"role": PartyRole.CONTRACTOR,
                "office_licence_number": _expired_office(w, OfficeKind.CONTRACTOR)},
     "permits.office_licence_expired", "office_licence_number"),
    ("a contractor as the supervising office",
     lambda w: {"role": PartyRole.SUPERVISING_OFFICE,
                "office_licence_number": w.contractor.licence_number},
     "permits.office_wrong_kind", "office_licence_number"),
    ("an engineering office as the contractor",
     lambda w: {"role": PartyRole.CONTRACTOR,
                "office_licence_number": _expired_office(w)},
     "permits.office_wrong_kind", "office_licence_number"),
    ("a suspended office", lambda w: {"role": PartyRole.SUPERVISING_OFFICE,
                                      "office_licence_number": _inactive_office(w)},
     "permits.office_inactive", "office_licence_number"),
    ("an unregistered office", lambda w: {"role": PartyRole.SUPERVISING_OFFICE,
                                          "office_licence_number": "EO-NONE"},
     "permits.office_unknown", "office_licence_number"),
    ("no licence number", lambda w: {"role": PartyRole.CONTRACTOR},
     "permits.office_licence_number_required", "office_licence_number"),
    ("a role the type does not list", lambda w: {"role": PartyRole.DELEGATE,
                                                 "national_id": CitizenFactory().national_id},
     "permits.party_role_not_for_type", "role"),
    ("a role that does not exist", lambda w: {"role": "architect"},
     "permits.party_role_unknown", "role"),
    ("a second owner", lambda w: {"role": PartyRole.OWNER,
                                  "national_id": CitizenFactory().national_id},
     "permits.party_role_taken", "role"),
    ("a second design office", lambda w: {"role": PartyRole.DESIGN_OFFICE,
                                          "office_licence_number": office_make(
                                              w.municipality)[0].licence_number},
     "permits.party_role_taken", "role"),
]


@pytest.mark.parametrize(("what", "values", "code", "field"), REFUSALS,
                         ids=[r[0] for r in REFUSALS])
def test_a_refused_party_leaves_nothing_written(world, draft, what, values, code, field):
    values = values(world)
    before = snapshot(draft)
    with pytest.raises(DomainError) as refused:
        _add(world, draft, **values)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert refused.value.message_ar and refused.value.message_en
    assert snapshot(draft) == before


def test_the_same_party_twice_is_refused(world, draft):
    agent = CitizenFactory()
    _add(world, draft, **_agent_values(agent))
    contractor_party_make(world, draft)
    before = snapshot(draft)
    with pytest.raises(DomainError) as same_agent:
        _add(world, draft, **_agent_values(agent, authorisation_number="999"))
    with pytest.raises(DomainError) as same_role:
        _add(world, draft, role=PartyRole.CONTRACTOR,
             office_licence_number=world.contractor.licence_number)
    assert (same_agent.value.code, same_role.value.code) == ("permits.party_duplicate",
                                                             "permits.party_role_taken")
    assert snapshot(draft) == before


def test_an_owner_must_own_the_parcel_already_set(world, draft):
    # given a draft whose parcel is the world owner's deed, with its owner removed
    owner_party = draft.parties.get(role=PartyRole.OWNER)
    application_party_remove(application_id=draft.pk, user=world.office_worker.user,
                             party_id=owner_party.pk)
    draft.refresh_from_db()
    assert (draft.owner_person, draft.parcel) == (None, world.parcel)
    before = snapshot(draft)
    # when someone else is named owner: refused, the deed says otherwise
    with pytest.raises(DomainError) as refused:
        _add(world, draft, role=PartyRole.OWNER, national_id=CitizenFactory().national_id)
    assert (refused.value.code, refused.value.field) == ("permits.deed_owner_mismatch",
                                                        "national_id")
    assert snapshot(draft) == before
    # and the deed's owner is accepted, and becomes the application's owner again
    _add(world, draft, role=PartyRole.OWNER, national_id=world.owner.national_id)
    draft.refresh_from_db()
    assert draft.owner_person == world.owner


def test_an_establishment_owner_and_its_delegate(world):
    # given a draft without an owner yet, for a type that names delegates
    PermitTypeParty.objects.create(permit_type=world.permit_type, role=PartyRole.DELEGATE,
                                   required=False)
    draft = application_draft_make(world, with_parcel=False)
    draft.parties.filter(role=PartyRole.OWNER).delete()
    Application.objects.filter(pk=draft.pk).update(owner_person=None)
    company = EstablishmentFactory(municipality=world.municipality)
    manager, stranger = CitizenFactory(), CitizenFactory()
    company.representatives.add(manager)
    # when the office names the company as owner (by unified number), then its delegate
    owner = _add(world, draft, role=PartyRole.OWNER, unified_number=company.unified_number)
    delegate = _add(world, draft, role=PartyRole.DELEGATE, national_id=manager.national_id)
    # then the company owns the application and its manager is its delegate
    draft.refresh_from_db()
    assert (draft.owner_person, draft.owner_establishment) == (None, company)
    assert (owner.establishment, delegate.person) == (company, manager)
    # and someone who does not represent the company cannot be its delegate
    with pytest.raises(DomainError) as refused:
        _add(world, draft, role=PartyRole.DELEGATE, national_id=stranger.national_id)
    assert refused.value.code == "permits.delegate_not_of_owner"


# --- removing ------------------------------------------------------------------------------


def test_the_office_removes_a_party(world, draft):
    contractor = contractor_party_make(world, draft)
    application_party_remove(application_id=draft.pk, user=world.office_worker.user,
                             party_id=contractor.pk, expected_version=1)
    assert not ApplicationParty.objects.filter(pk=contractor.pk).exists()
    event = ApplicationEvent.objects.get(application=draft)
    assert (event.kind, event.payload) == (
        ApplicationEventKind.PARTY_REMOVED,
        {"party": contractor.pk, "role": "contractor", "who": world.contractor.licence_number})


@pytest.mark.parametrize("which", ["filing office", "owner with an agent", "another's party"])
def test_refused_removals_leave_the_parties_as_they_were(world, draft, which):
    agent_make(world, draft)
    other = application_draft_make(world)
    party_id = {
        "filing office": draft.parties.get(role=PartyRole.DESIGN_OFFICE).pk,
        "owner with an agent": draft.parties.get(role=PartyRole.OWNER).pk,
        "another's party": other.parties.get(role=PartyRole.OWNER).pk,
    }[which]
    before = snapshot(draft)
    with pytest.raises(DomainError) as refused:
        application_party_remove(application_id=draft.pk, user=world.office_worker.user,
                                 party_id=party_id)
    assert refused.value.code == {"filing office": "permits.party_is_filer",
                                  "owner with an agent": "permits.owner_has_representatives",
                                  "another's party": "permits.party_not_found"}[which]
    assert snapshot(draft) == before
    assert other.parties.count() == 2


# --- who may, and when -----------------------------------------------------------------------


@pytest.mark.parametrize(("who", "refusal"), [
    ("stranger", NotFound), ("other municipality staff", NotFound),
    ("municipality staff", NotFound),  # a draft is the office's, not yet the municipality's
    ("owner", PermissionDenied), ("named contractor", PermissionDenied),
    ("agent", PermissionDenied),
])
def test_only_the_filers_side_names_parties(world, draft, who, refusal):
    from amanah.enums import StaffRole
    from tests.factories import DepartmentFactory, MunicipalityFactory
    from tests.permits.factories import staff_make

    contractor_party_make(world, draft)
    agent = agent_make(world, draft)
    user = {
        "stranger": lambda: CitizenFactory().user,
        "other municipality staff": lambda: staff_make(DepartmentFactory(
            municipality=MunicipalityFactory(code="M901")), StaffRole.HEAD),
        "municipality staff": lambda: world.head,
        "owner": lambda: world.owner.user,
        "named contractor": lambda: world.contractor_worker.user,
        "agent": lambda: agent.user,
    }[who]()
    before = snapshot(draft)
    with pytest.raises(refusal):
        _add(world, draft, user=user, role=PartyRole.SUPERVISING_OFFICE,
             office_licence_number=world.office.licence_number)
    with pytest.raises(refusal):
        application_party_remove(application_id=draft.pk, user=user,
                                 party_id=draft.parties.get(role=PartyRole.CONTRACTOR).pk)
    assert snapshot(draft) == before


def test_parties_are_fixed_once_submitted(world, draft):
    contractor = contractor_party_make(world, draft)
    application_status_change(application=application_lock(draft.pk),
                              to_status=ApplicationStatus.IN_REVIEW)
    before = snapshot(draft)
    with pytest.raises(Conflict) as adding:
        _add(world, draft, **_agent_values(CitizenFactory()))
    with pytest.raises(Conflict) as removing:
        application_party_remove(application_id=draft.pk, user=world.office_worker.user,
                                 party_id=contractor.pk)
    assert adding.value.code == removing.value.code == "permits.application_not_draft"
    assert snapshot(draft) == before


def test_for_a_type_the_owner_files_the_owner_and_a_valid_agent_prepare_it(world):
    # given a type the owner files, and a draft the owner started
    type(world.permit_type).objects.filter(pk=world.permit_type.pk).update(
        filed_by=FiledBy.OWNER, owner_consent_required=False)
    draft = Application.objects.create(
        permit_type=world.permit_type, municipality=world.municipality,
        owner_person=world.owner, created_by=world.owner.user)
    ApplicationParty.objects.create(application=draft, role=PartyRole.OWNER, person=world.owner)
    # when the owner names an agent, the agent may prepare it too
    agent = CitizenFactory()
    _add(world, draft, user=world.owner.user, **_agent_values(agent))
    contractor = _add(world, draft, user=agent.user, role=PartyRole.CONTRACTOR,
                      office_licence_number=world.contractor.licence_number)
    assert contractor.office == world.contractor
    # but the owner party, who files it, cannot be removed
    with pytest.raises(DomainError) as refused:
        application_party_remove(application_id=draft.pk, user=agent.user,
                                 party_id=draft.parties.get(role=PartyRole.OWNER).pk)
    assert refused.value.code == "permits.party_is_filer"


def test_an_agent_whose_authorisation_lapsed_no_longer_prepares_it(world, clock):
    type(world.permit_type).objects.filter(pk=world.permit_type.pk).update(
        filed_by=FiledBy.OWNER)
    draft = Application.objects.create(
        permit_type=world.permit_type, municipality=world.municipality,
        owner_person=world.owner, created_by=world.owner.user)
    ApplicationParty.objects.create(application=draft, role=PartyRole.OWNER, person=world.owner)
    agent = agent_make(world, draft, expires_on=TODAY + dt.timedelta(days=1))
    clock.advance(days=2)
    before = snapshot(draft)
    with pytest.raises(PermissionDenied):
        _add(world, draft, user=agent.user, role=PartyRole.CONTRACTOR,
             office_licence_number=world.contractor.licence_number)
    assert snapshot(draft) == before
