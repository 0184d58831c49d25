"""Reads of the applying journey (part APPLY): the applications a user is a party to, what an
application's page shows, and the services a user may start. Each is a fixed number of queries,
whatever the number of applications, parties, documents or fees.

Who may see an application is permits/selectors.py's rule; these build on it.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from amanah import clock
from amanah.dates import business_date
from amanah.models import EServiceRollout, Municipality
from amanah.permissions import person_for_user
from amanah.rollout import eservice_rollouts_startable

from .enums import ApplicationKind, ApplicationStatus
from .models import (
    ActivityDocument,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationFee,
    ApplicationParty,
    Permit,
    PermitType,
    PermitTypeDocument,
    PermitTypeField,
)
from .selectors import application_party_filter

LIST_RELATED = ("permit_type", "municipality", "owner_person", "owner_establishment",
                "filing_office__establishment", "case")


def application_list_for_party(*, user) -> QuerySet[Application]:
    """Every application the user is a party to (owner, named party, filer or one of the
    filing office's people), newest first. Staff's view of their municipality is not here:
    this is "my applications"."""
    person = person_for_user(user)
    if person is None:
        return Application.objects.none()
    return (Application.objects.filter(application_party_filter(person))
            .select_related(*LIST_RELATED).order_by("-created_at", "-id"))


@dataclass
class ApplicationPage:
    """What the parties' page of one application shows (each list one query)."""

    application: Application
    parties: list[ApplicationParty] = field(default_factory=list)
    documents: list[ApplicationDocument] = field(default_factory=list)
    fees: list[ApplicationFee] = field(default_factory=list)
    events: list[ApplicationEvent] = field(default_factory=list)
    fields: list[PermitTypeField] = field(default_factory=list)


def application_page_get(*, application: Application) -> ApplicationPage:
    # A licence's activities ask for documents of their own: their names too.
    names = {d.kind: d for d in application_documents_wanted(application)}
    documents = list(application.documents.filter(superseded_at__isnull=True).order_by("kind"))
    for document in documents:
        # What the type calls the kind, for `{{ document|localized:"kind_name" }}`.
        named = names.get(document.kind)
        document.kind_name_ar = named.name_ar if named else document.kind
        document.kind_name_en = named.name_en if named else document.kind
    return ApplicationPage(
        application=application,
        parties=list(application.parties.select_related("person", "office__establishment",
                                                        "establishment").order_by("id")),
        documents=documents,
        fees=list(application.fees.select_related("bill").order_by("billed_at", "id")),
        events=list(application.events.order_by("-seq")[:50]),
        fields=list(application.permit_type.fields.all()),
    )


@dataclass(frozen=True)
class DecisionLinks:
    """Where a decided application leads the reader of its page."""

    permit_number: str | None = None  # issued: the permit it issued (or renewed, amended…)
    objection_due_on: dt.date | None = None  # rejected: a party may object until this day


def application_decision_links(*, application: Application, user) -> DecisionLinks:
    """An issued application's permit (everyone who may read the application may read it:
    its parties and the municipality's staff); a rejected one's objection page, for its
    parties while the 60 days run (staff who only see it do not object). One query at most."""
    if application.status == ApplicationStatus.ISSUED:
        if application.kind == ApplicationKind.NEW:
            # The permit it issued, not a certificate hanging from it (an excavation's clearance).
            permits = Permit.objects.filter(application=application, parent__isnull=True)
        else:
            permits = Permit.objects.filter(pk=application.permit_id)
        return DecisionLinks(permit_number=permits.values_list("number", flat=True).first())
    if application.status == ApplicationStatus.REJECTED and application.decided_at:
        from .services.lifecycle import objection_due_on

        due_on = objection_due_on(business_date(application.decided_at))
        person = person_for_user(user)
        if (person is not None and business_date(clock.now()) <= due_on
                and Application.objects.filter(application_party_filter(person),
                                               pk=application.pk).exists()):
            return DecisionLinks(objection_due_on=due_on)
    return DecisionLinks()


def application_document_get(*, application: Application, document_id: int
                             ) -> ApplicationDocument | None:
    return application.documents.filter(pk=document_id).first()


def application_documents_wanted(application: Application
                                 ) -> list[PermitTypeDocument | ActivityDocument]:
    """The documents an application asks for: its type's, then (for a licence) those its
    activities ask for, in the activities' order; a kind asked for twice counts once (the
    type's, else the first activity's, required if any of them requires it). Three queries."""
    wanted: list = list(application.permit_type.documents.all())
    if not application.permit_type.uses_activities:
        return wanted
    by_kind = {d.kind: d for d in wanted}
    rows = (ActivityDocument.objects
            .filter(activity__in=application.activities.values("activity_id"))
            .select_related("activity").order_by("activity__code"))
    order = {code: index for index, code in enumerate(
        application.activities.order_by("order", "id").values_list("activity__code",
                                                                   flat=True))}
    for row in sorted(rows, key=lambda d: (order.get(d.activity.code, 99), d.order, d.pk)):
        known = by_kind.get(row.kind)
        if known is None:
            by_kind[row.kind] = row
            wanted.append(row)
        elif row.required and not known.required:
            known.required = True  # this instance only: an activity makes it required
    return wanted


def permit_type_for_apply(*, permit_type_id: int) -> PermitType:
    """A type with its questions and documents, read once for a page."""
    return (PermitType.objects.select_related("eservice")
            .prefetch_related(Prefetch("fields", queryset=PermitTypeField.objects.order_by(
                "step", "order", "id")), "documents", "parties", "fee_rules")
            .get(pk=permit_type_id))


def startable_permit_rollouts(*, user) -> list[EServiceRollout]:
    """(type, municipality) pairs the user may start a permit application in, by rollout."""
    person = person_for_user(user)
    return list(eservice_rollouts_startable(user=user, person=person)
                .filter(eservice__permit_type__is_active=True)
                .select_related("eservice__permit_type", "municipality")
                .order_by("eservice__permit_type__display_order", "eservice__permit_type__code",
                          "municipality__code"))


def municipality_by_code(code: str) -> Municipality | None:
    return Municipality.objects.filter(code=code, is_active=True).first()
