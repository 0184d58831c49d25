"""Helpers for the parties, parcel and consent tests, on top of `permits_world()`."""

import datetime as dt

from django.db import transaction

from permits.enums import ApplicationStatus, ConsentStatus, PartyRole
from permits.models import Application, ApplicationEvent, ApplicationParty, Parcel
from permits.services.applications import application_lock, application_status_change
from permits.services.parties import application_owner_party, party_consent_change
from tests.factories import CitizenFactory


def agent_make(world, application: Application, *, expires_on: dt.date = dt.date(2031, 1, 1)):
    """A person named as the owner's agent on `application`, with an authorisation."""
    agent = CitizenFactory(municipality=world.municipality)
    ApplicationParty.objects.create(
        application=application, role=PartyRole.AGENT, person=agent,
        authorisation_number="4410123", authorisation_scope="مراجعة البلدية وطلبات الرخص",
        authorisation_expires_on=expires_on)
    return agent


def contractor_party_make(world, application: Application) -> ApplicationParty:
    return ApplicationParty.objects.create(
        application=application, role=PartyRole.CONTRACTOR, office=world.contractor,
        establishment=world.contractor.establishment)


@transaction.atomic
def consent_ask(application: Application, *, actor=None) -> Application:
    """What part APPLY's submission does for a type that needs the owner's consent: the
    application waits, and the owner party's consent is pending."""
    locked = application_lock(application.pk)
    party_consent_change(application=locked, party=application_owner_party(locked),
                         to_consent=ConsentStatus.PENDING, actor=actor)
    application_status_change(application=locked, to_status=ApplicationStatus.AWAITING_CONSENT,
                              actor=actor)
    return Application.objects.get(pk=application.pk)


def snapshot(application: Application) -> dict:
    """What a refused action must leave as it was."""
    application.refresh_from_db()
    return {
        "status": application.status, "row_version": application.row_version,
        "parcel": application.parcel_id, "owner": (application.owner_person_id,
                                                   application.owner_establishment_id),
        "events": ApplicationEvent.objects.filter(application=application).count(),
        "parties": list(ApplicationParty.objects.filter(application=application).order_by("pk")
                        .values_list("role", "person_id", "office_id", "establishment_id",
                                     "consent", "consent_at")),
        "parcels": list(Parcel.objects.order_by("pk").values_list(
            "deed_number", "latitude", "longitude", "district_id", "owner_id", "verified_at")),
    }
