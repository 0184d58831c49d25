"""The parties an application names, and the owner's consent.

Parties are added and removed only while the application is a draft, by the filer's side (the
office that prepares it, or the owner and their agents for types the owner files). The owner —
or an agent of the owner holding a valid authorisation — consents before an office's
application reaches the municipality (part APPLY's submission sets awaiting_consent; giving
consent continues that submission, declining sends the application back to the office).

ApplicationParty.consent has one writer here: `party_consent_change`.
"""

import datetime as dt

from django.db import transaction

from amanah import clock
from amanah.dates import business_date
from amanah.dispatch import task_on_commit
from amanah.errors import Conflict, DomainError, PermissionDenied
from amanah.identity import digits_normalise, national_id_normalise, unified_number_normalise
from amanah.models import Establishment, Person
from amanah.notifications import sms_send
from amanah.permissions import person_for_user

from ..enums import (
    OFFICE_ROLES,
    ApplicationEventKind,
    ApplicationStatus,
    ConsentStatus,
    OfficeKind,
    PartyRole,
)
from ..models import Application, ApplicationEvent, ApplicationParty, RegisteredOffice
from ..selectors import applications_visible_to
from .applications import (
    application_event_append,
    application_lock,
    application_not_found,
    application_save,
    application_status_change,
)

C = ConsentStatus

# from consent → the consents it may move to. Consent is asked at submission (pending), given
# or declined by the owner; an application taken back to draft needs it asked afresh.
CONSENT_MOVES: dict[str, frozenset[str]] = {
    C.NOT_NEEDED: frozenset({C.PENDING}),
    C.PENDING: frozenset({C.GIVEN, C.DECLINED, C.NOT_NEEDED}),
    C.DECLINED: frozenset({C.PENDING, C.NOT_NEEDED}),
    C.GIVEN: frozenset(),
}

# The kind of registered establishment each office role must be.
OFFICE_KIND_FOR_ROLE = {
    PartyRole.DESIGN_OFFICE: OfficeKind.ENGINEERING_OFFICE,
    PartyRole.SUPERVISING_OFFICE: OfficeKind.ENGINEERING_OFFICE,
    PartyRole.CONTRACTOR: OfficeKind.CONTRACTOR,
}
# Roles an application names once; an owner may have several agents.
SINGLE_ROLES = frozenset({PartyRole.OWNER, *OFFICE_ROLES})
PERSON_ROLES = frozenset({PartyRole.OWNER, PartyRole.AGENT, PartyRole.DELEGATE})
# The people who speak for the owner: an agent (with a valid authorisation) or the delegate of
# an establishment that owns.
OWNER_SIDE_ROLES = frozenset({PartyRole.AGENT, PartyRole.DELEGATE})

REASON_MAX_LENGTH = 1000
AUTHORISATION_NUMBER_MAX_LENGTH = 30
AUTHORISATION_SCOPE_MAX_LENGTH = 200


def today() -> dt.date:
    return business_date(clock.now())


# --- Who is who on an application -----------------------------------------------------------


def person_works_for(person: Person, establishment_id: int | None) -> bool:
    """Is `person` one of the establishment's people (its representatives)?"""
    if person is None or establishment_id is None:
        return False
    return Establishment.representatives.through.objects.filter(
        person_id=person.pk, establishment_id=establishment_id).exists()


def authorisation_is_valid_on(party: ApplicationParty, day: dt.date) -> bool:
    return party.authorisation_expires_on is not None and party.authorisation_expires_on >= day


def application_is_filer_side(application: Application, user) -> bool:
    """May `user` prepare this application: its creator, the people of its filing office, or —
    for a type the owner files — the owner, the owning establishment's people and the owner's
    agents (with a valid authorisation) and delegate."""
    if not getattr(user, "is_authenticated", False):
        return False
    if application.created_by_id == user.pk:
        return True
    person = person_for_user(user)
    if person is None:
        return False
    if application.filing_office_id is not None:
        return RegisteredOffice.objects.filter(
            pk=application.filing_office_id,
            establishment__representatives=person).exists()
    if application.owner_person_id == person.pk:
        return True
    if person_works_for(person, application.owner_establishment_id):
        return True
    return any(party.role == PartyRole.DELEGATE
               or authorisation_is_valid_on(party, today())
               for party in application.parties.filter(person=person, role__in=OWNER_SIDE_ROLES))


def consent_speaker_role(application: Application, user) -> str | None:
    """The role in which `user` may give or decline the owner's consent, or None: the owner
    themselves, a person of the owning establishment, its delegate, or an agent of the owner
    whose authorisation is valid today."""
    person = person_for_user(user)
    if person is None:
        return None
    if application.owner_person_id is not None and application.owner_person_id == person.pk:
        return PartyRole.OWNER
    if person_works_for(person, application.owner_establishment_id):
        return PartyRole.DELEGATE
    for party in application.parties.filter(person=person, role__in=OWNER_SIDE_ROLES):
        if party.role == PartyRole.DELEGATE and application.owner_establishment_id is not None:
            return PartyRole.DELEGATE
        if party.role == PartyRole.AGENT and authorisation_is_valid_on(party, today()):
            return PartyRole.AGENT
    return None


def application_owner_party(application: Application) -> ApplicationParty | None:
    return (application.parties.select_related("person", "establishment")
            .filter(role=PartyRole.OWNER).first())


def application_owner_ids(application: Application) -> set[str]:
    """The ID the owner is known by (national ID / iqama, or unified number): from the owner
    party, else from the application's owner columns."""
    owner = application_owner_party(application)
    if owner is not None:
        person, establishment = owner.person, owner.establishment
    else:
        person, establishment = application.owner_person, application.owner_establishment
    return {x for x in (getattr(person, "national_id", None),
                        getattr(establishment, "unified_number", None)) if x}


# --- Refusals ------------------------------------------------------------------------------


def not_a_draft() -> Conflict:
    return Conflict("permits.application_not_draft",
                    "لا يمكن تعديل الطلب بعد تقديمه؛ يعدَّل الطلب وهو مسودة فقط.",
                    "The application can only be changed while it is a draft.")


def not_the_filer() -> PermissionDenied:
    return PermissionDenied("permits.not_the_filer",
                            "يعدّ هذا الطلبَ المكتبُ الذي يقدّمه؛ لا يمكنك تعديله.",
                            "Only those preparing this application can change it.")


def application_for_filer_side(application_id: int, user, *,
                               expected_version: int | None = None) -> Application:
    """The application locked for `user` on its filer's side, whatever its status: 404 when
    they may not see it, 403 when they see it but do not prepare it, 409 when it changed since
    their page was loaded (call inside atomic)."""
    if not applications_visible_to(user).filter(pk=application_id).exists():
        raise application_not_found()
    application = application_lock(application_id)
    if not application_is_filer_side(application, user):
        raise not_the_filer()
    version_check(application, expected_version)
    return application


def application_for_filer(*, application_id: int, user,
                          expected_version: int | None = None) -> Application:
    """The draft, locked, if `user` is on its filer's side (as application_for_filer_side),
    and 409 once it is no longer a draft. Call inside a transaction."""
    application = application_for_filer_side(application_id, user,
                                              expected_version=expected_version)
    if application.status != ApplicationStatus.DRAFT:
        raise not_a_draft()
    return application


def version_check(application: Application, expected_version: int | None) -> None:
    if expected_version is not None and application.row_version != expected_version:
        # The same refusal application_lock gives, after the access checks (so a stale
        # version never tells a stranger that the application exists).
        application_lock(application.pk, expected_version=expected_version)


# --- Adding and removing parties -----------------------------------------------------------


def _required(value, *, field: str, message_ar: str, message_en: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"permits.{field}_required", message_ar, message_en, field=field)
    return value


def _person_by_id(national_id: str | None) -> Person:
    number = national_id_normalise(_required(
        national_id, field="national_id", message_ar="اكتب رقم الهوية أو الإقامة.",
        message_en="Enter the national ID or iqama number."))
    person = Person.objects.filter(national_id=number).first()
    if person is None:
        raise DomainError("permits.person_unknown",
                          "لا يوجد مستخدم مسجّل في البوابة بهذا الرقم؛ يسجّل أولاً ثم يضاف.",
                          "No one with this ID is registered in the portal; they sign up "
                          "first, then can be added.", field="national_id")
    return person


def _establishment_by_number(unified_number: str) -> Establishment:
    number = unified_number_normalise(unified_number)
    establishment = Establishment.objects.filter(unified_number=number).first()
    if establishment is None:
        raise DomainError("permits.establishment_unknown",
                          "لا توجد منشأة مسجّلة بهذا الرقم الموحد.",
                          "No establishment is registered with this unified number.",
                          field="unified_number")
    return establishment


def _office_for_role(role: str, licence_number: str | None) -> RegisteredOffice:
    number = digits_normalise(_required(
        licence_number, field="office_licence_number",
        message_ar="اكتب رقم ترخيص المكتب أو المقاول.",
        message_en="Enter the office's or contractor's licence number.")).upper()
    office = (RegisteredOffice.objects.select_related("establishment")
              .filter(licence_number=number).first())
    if office is None:
        raise DomainError("permits.office_unknown",
                          "لا يوجد مكتب أو مقاول مسجّل بهذا الترخيص.",
                          "No office or contractor is registered with this licence number.",
                          field="office_licence_number")
    if not office.is_active:
        raise DomainError("permits.office_inactive",
                          "تسجيل هذا المكتب أو المقاول موقوف.",
                          "This office's or contractor's registration is suspended.",
                          field="office_licence_number")
    if office.kind != OFFICE_KIND_FOR_ROLE[role]:
        if OFFICE_KIND_FOR_ROLE[role] == OfficeKind.CONTRACTOR:
            raise DomainError("permits.office_wrong_kind",
                              "هذا الترخيص لمكتب هندسي، والمطلوب هنا مقاول.",
                              "This licence is an engineering office's; a contractor is needed "
                              "here.", field="office_licence_number")
        raise DomainError("permits.office_wrong_kind",
                          "هذا الترخيص لمقاول، والمطلوب هنا مكتب هندسي.",
                          "This licence is a contractor's; an engineering office is needed "
                          "here.", field="office_licence_number")
    if office.licence_expires_on < today():
        raise DomainError("permits.office_licence_expired",
                          "انتهى ترخيص هذا المكتب أو المقاول.",
                          "This office's or contractor's licence has expired.",
                          field="office_licence_number")
    return office


def _authorisation_check(number: str, scope: str, expires_on: dt.date | None) -> tuple[str, str]:
    number = digits_normalise(_required(
        number, field="authorisation_number", message_ar="اكتب رقم الوكالة.",
        message_en="Enter the authorisation (power of attorney) number."))
    if len(number) > AUTHORISATION_NUMBER_MAX_LENGTH:
        raise DomainError("permits.authorisation_number_too_long",
                          "رقم الوكالة أطول من المسموح.",
                          "The authorisation number is too long.", field="authorisation_number")
    scope = _required(scope, field="authorisation_scope",
                      message_ar="اكتب ما تشمله الوكالة.",
                      message_en="Enter what the authorisation covers.")
    if len(scope) > AUTHORISATION_SCOPE_MAX_LENGTH:
        raise DomainError("permits.authorisation_scope_too_long",
                          "نطاق الوكالة أطول من المسموح.",
                          "The authorisation's scope is too long.", field="authorisation_scope")
    if expires_on is None:
        raise DomainError("permits.authorisation_expires_on_required",
                          "اكتب تاريخ انتهاء الوكالة.",
                          "Enter the date the authorisation expires.",
                          field="authorisation_expires_on")
    # Named now, the agent acts later (consent may come days after): a day that has already
    # begun is not "in the future".
    if expires_on <= today():
        raise DomainError("permits.authorisation_expired",
                          "الوكالة منتهية؛ يلزم وكالة سارية بعد اليوم.",
                          "The authorisation has expired; it must be valid beyond today.",
                          field="authorisation_expires_on")
    return number, scope


def _deed_owner_check(application: Application, owner_id: str, field: str) -> None:
    """A parcel already set fixes who the owner is: its deed's owner."""
    if not application.permit_type.deed_owner_applies:
        return  # the deed's owner need not be the applicant (a shop licence: the lease is)
    if application.parcel_id is not None and application.parcel.owner_id != owner_id:
        raise DomainError("permits.deed_owner_mismatch",
                          "المالك في الصك ليس المالك المذكور في الطلب.",
                          "The owner on the deed is not the owner named on the application.",
                          field=field)


@transaction.atomic
def application_party_add(*, application_id: int, user, role: str,
                          national_id: str | None = None,
                          office_licence_number: str | None = None,
                          unified_number: str | None = None, authorisation_number: str = "",
                          authorisation_scope: str = "",
                          authorisation_expires_on: dt.date | None = None,
                          expected_version: int | None = None) -> ApplicationParty:
    """Name a party on a draft: only a role the type lists, once; an agent with a valid
    authorisation; an office or contractor registered, active, licensed and of the role's
    kind; the owner must be the parcel's deed owner if a parcel is set."""
    application = application_for_filer(application_id=application_id, user=user,
                                         expected_version=expected_version)
    if role not in PartyRole.values:
        raise DomainError("permits.party_role_unknown", "اختر صفة الطرف.",
                          "Choose the party's role.", field="role")
    if not application.permit_type.parties.filter(role=role).exists():
        raise DomainError("permits.party_role_not_for_type",
                          "هذه الصفة ليست من أطراف هذا النوع من الطلبات.",
                          "This kind of application does not name a party in this role.",
                          field="role")
    existing = list(application.parties.all())
    if role in SINGLE_ROLES and any(p.role == role for p in existing):
        raise DomainError("permits.party_role_taken",
                          "هذه الصفة مسندة لطرف آخر؛ احذفه أولاً لتغييره.",
                          "Another party already holds this role; remove it first to change it.",
                          field="role")
    party = ApplicationParty(application=application, role=role)
    owner_id, id_field = "", "national_id"
    if role in OFFICE_ROLES:
        office = _office_for_role(role, office_licence_number)
        party.office, party.establishment = office, office.establishment
        who = office.licence_number
    elif role == PartyRole.OWNER and (unified_number or "").strip() and not (
            national_id or "").strip():
        establishment = _establishment_by_number(unified_number)
        party.establishment = establishment
        owner_id = who = establishment.unified_number
        id_field = "unified_number"
    else:
        person = _person_by_id(national_id)
        party.person, who = person, person.national_id
        if role == PartyRole.OWNER:
            owner_id = person.national_id
        elif role == PartyRole.AGENT:
            if person.pk == application.owner_person_id:
                raise DomainError("permits.agent_is_owner",
                                  "الوكيل هو المالك نفسه؛ لا حاجة إلى إضافته وكيلاً.",
                                  "The agent is the owner themselves.", field="national_id")
            (party.authorisation_number,
             party.authorisation_scope) = _authorisation_check(
                authorisation_number, authorisation_scope, authorisation_expires_on)
            party.authorisation_expires_on = authorisation_expires_on
        elif role == PartyRole.DELEGATE:
            if application.owner_establishment_id is None:
                raise DomainError("permits.delegate_needs_establishment",
                                  "يضاف مفوض المنشأة عندما يكون المالك منشأة.",
                                  "An establishment delegate is named when an establishment "
                                  "owns.", field="role")
            if not person_works_for(person, application.owner_establishment_id):
                raise DomainError("permits.delegate_not_of_owner",
                                  "هذا الشخص ليس من ممثلي المنشأة المالكة.",
                                  "This person does not represent the owning establishment.",
                                  field="national_id")
    if any(p.role == role and ((party.person_id and p.person_id == party.person_id)
                               or (party.office_id and p.office_id == party.office_id)
                               or (party.establishment_id and not party.office_id
                                   and p.establishment_id == party.establishment_id))
           for p in existing):
        raise DomainError("permits.party_duplicate", "هذا الطرف مضاف بهذه الصفة من قبل.",
                          "This party is already named in this role.",
                          field="office_licence_number" if role in OFFICE_ROLES else id_field)
    fields = []
    if role == PartyRole.OWNER:
        _deed_owner_check(application, owner_id, id_field)
        application.owner_person = party.person
        application.owner_establishment = party.establishment
        fields = ["owner_person", "owner_establishment"]
    party.save()
    application_event_append(application, kind=ApplicationEventKind.PARTY_ADDED, actor=user,
                             payload={"party": party.pk, "role": role, "who": who})
    application_save(application, fields)
    return party


@transaction.atomic
def application_party_remove(*, application_id: int, user, party_id: int,
                             expected_version: int | None = None) -> None:
    """Remove a party from a draft; never the one filing it, and never the owner while their
    agents or delegate are still named."""
    application = application_for_filer(application_id=application_id, user=user,
                                        expected_version=expected_version)
    parties = list(application.parties.select_related("person", "office"))
    party = next((p for p in parties if p.pk == party_id), None)
    if party is None:
        raise DomainError("permits.party_not_found", "هذا الطرف غير موجود في الطلب.",
                          "There is no such party on this application.", status=404)
    is_filer = ((party.office_id is not None and party.office_id == application.filing_office_id)
                or (application.filing_office_id is None and party.role == PartyRole.OWNER))
    if is_filer:
        raise DomainError("permits.party_is_filer",
                          "لا يمكن حذف الطرف الذي يقدّم الطلب.",
                          "The party filing the application cannot be removed.")
    if party.role == PartyRole.OWNER and any(p.role in OWNER_SIDE_ROLES for p in parties):
        raise DomainError("permits.owner_has_representatives",
                          "احذف وكلاء المالك ومفوضه أولاً.",
                          "Remove the owner's agents and delegate first.")
    fields = []
    if party.role == PartyRole.OWNER:
        application.owner_person = application.owner_establishment = None
        fields = ["owner_person", "owner_establishment"]
    payload = {"party": party.pk, "role": party.role,
               "who": (party.office.licence_number if party.office_id
                       else getattr(party.person, "national_id", "")
                       or getattr(party.establishment, "unified_number", ""))}
    party.delete()
    application_event_append(application, kind=ApplicationEventKind.PARTY_REMOVED, actor=user,
                             payload=payload)
    application_save(application, fields)


# --- Consent -------------------------------------------------------------------------------


def party_consent_change(*, application: Application, party: ApplicationParty, to_consent: str,
                         actor=None, reason: str = "", by: str = "") -> ApplicationEvent:
    """The one writer of ApplicationParty.consent. The caller holds the application's lock
    (which guards its parties) and saves nothing else of the party. `by`: the role in which
    the actor spoke for the owner (owner, agent, delegate)."""
    from_consent = party.consent
    if to_consent not in CONSENT_MOVES.get(from_consent, frozenset()):
        raise Conflict("permits.consent_move_refused",
                       "لا يمكن تنفيذ هذا الإجراء على الموافقة في حالتها الحالية.",
                       "This cannot be done to the consent in its current state.")
    party.consent = to_consent
    party.consent_at = clock.now() if to_consent in (C.GIVEN, C.DECLINED) else None
    party.save(update_fields=["consent", "consent_at"])
    event = application_event_append(
        application, kind=ApplicationEventKind.CONSENT, actor=actor, reason=reason,
        payload={"party": party.pk, "from": from_consent, "to": to_consent,
                 **({"by": by} if by else {})})
    application_save(application, [])
    return event


def _application_for_consent(*, application_id: int, user,
                             expected_version: int | None) -> tuple[Application, str]:
    if not applications_visible_to(user).filter(pk=application_id).exists():
        raise application_not_found()
    application = application_lock(application_id)
    role = consent_speaker_role(application, user)
    if role is None:
        raise PermissionDenied("permits.consent_owner_only",
                               "الموافقة للمالك أو وكيله بوكالة سارية فقط.",
                               "Only the owner, or their agent with a valid authorisation, "
                               "can consent.")
    version_check(application, expected_version)
    if application.status != ApplicationStatus.AWAITING_CONSENT:
        raise Conflict("permits.consent_not_awaited",
                       "الطلب لا ينتظر موافقة المالك الآن.",
                       "The application is not waiting for the owner's consent.")
    return application, role


def _owner_party_for_consent(application: Application) -> ApplicationParty:
    party = application_owner_party(application)
    if party is None or party.consent != C.PENDING:
        raise Conflict("permits.consent_not_awaited",
                       "الطلب لا ينتظر موافقة المالك الآن.",
                       "The application is not waiting for the owner's consent.")
    return party


def _submission_continue():
    """Part APPLY's continuation of a submission that waited for consent (imported when it is
    needed: the consent pages work before and after it is merged, and say so when missing)."""
    try:
        from .submission import application_submission_continue
    except ImportError as missing:
        raise DomainError("permits.submission_unavailable",
                          "تعذّر إرسال الطلب إلى البلدية الآن؛ حاول لاحقاً.",
                          "The application cannot be sent to the municipality now; please try "
                          "again later.", status=503) from missing
    return application_submission_continue


@transaction.atomic
def application_consent_give(*, application_id: int, user,
                             expected_version: int | None = None) -> Application:
    """The owner (or their agent) consents: recorded on the owner party, and the submission
    that waited for it continues in the same transaction — if it is refused now (a
    prerequisite no longer met), nothing is recorded and the refusal is shown."""
    submission_continue = _submission_continue()
    application, role = _application_for_consent(application_id=application_id, user=user,
                                                 expected_version=expected_version)
    owner = _owner_party_for_consent(application)
    party_consent_change(application=application, party=owner, to_consent=C.GIVEN, actor=user,
                         by=role)
    submission_continue(application_id=application.pk)
    return Application.objects.get(pk=application.pk)


@transaction.atomic
def application_consent_decline(*, application_id: int, user, reason: str,
                                expected_version: int | None = None) -> Application:
    """The owner (or their agent) declines, saying why: the application goes back to its
    office (status consent_declined) and the office is told by SMS."""
    application, role = _application_for_consent(application_id=application_id, user=user,
                                                 expected_version=expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("permits.decline_reason_required",
                          "اكتب سبب الرفض ليعرفه المكتب.",
                          "Say why you decline, so the office knows what to change.",
                          field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError("permits.decline_reason_too_long",
                          "السبب أطول من المسموح (١٠٠٠ حرف).",
                          "The reason is too long (1,000 characters at most).", field="reason")
    owner = _owner_party_for_consent(application)
    party_consent_change(application=application, party=owner, to_consent=C.DECLINED,
                         actor=user, reason=reason, by=role)
    event = application_status_change(application=application,
                                      to_status=ApplicationStatus.CONSENT_DECLINED, actor=user,
                                      reason=reason, payload={"by": role})
    # Best effort, like the other SMS of the portal: the office also sees the refusal and its
    # reason in its workspace whenever it looks.
    task_on_commit("permits.consent_declined_notify", application_id=application.pk,
                   event_id=event.pk)
    return application


@transaction.atomic
def application_draft_reopen(*, application_id: int, user,
                             expected_version: int | None = None) -> Application:
    """The office takes back an application waiting for the owner, or one the owner declined,
    to revise it as a draft; the owner is asked again when it is submitted again."""
    if not applications_visible_to(user).filter(pk=application_id).exists():
        raise application_not_found()
    application = application_lock(application_id)
    if not application_is_filer_side(application, user):
        raise not_the_filer()
    version_check(application, expected_version)
    if application.status not in (ApplicationStatus.AWAITING_CONSENT,
                                  ApplicationStatus.CONSENT_DECLINED):
        raise Conflict("permits.reopen_refused",
                       "يعاد إلى المسودة الطلبُ المنتظر موافقة المالك أو الذي رفضه فقط.",
                       "Only an application waiting for the owner, or declined by them, can go "
                       "back to draft.")
    owner = application_owner_party(application)
    if owner is not None and owner.consent in (C.PENDING, C.DECLINED):
        party_consent_change(application=application, party=owner, to_consent=C.NOT_NEEDED,
                             actor=user)
    application_status_change(application=application, to_status=ApplicationStatus.DRAFT,
                              actor=user)
    return application


# --- Telling people ------------------------------------------------------------------------


def office_people(application: Application) -> list[Person]:
    """Who an SMS to the office preparing the application goes to: its people (the creator
    when no office files it), each mobile once."""
    if application.filing_office_id is not None:
        people = Person.objects.filter(
            establishments__registered_office__pk=application.filing_office_id)
    else:
        people = Person.objects.filter(user_id=application.created_by_id)
    by_mobile = {person.mobile: person for person in people.order_by("pk") if person.mobile}
    return [by_mobile[mobile] for mobile in sorted(by_mobile)]


def consent_declined_notify(*, application_id: int, event_id: int) -> int:
    """SMS to the office: the owner declined, and why, each person in their own language
    (permits.notify's "consent_declined" template). Returns how many were sent."""
    from ..notify import party_sms_body

    event = (ApplicationEvent.objects.select_related("application__permit_type")
             .filter(pk=event_id, application_id=application_id).first())
    if event is None:
        return 0
    application = event.application
    values = {"reference": application.reference, "service_ar": application.permit_type.name_ar,
              "service_en": application.permit_type.name_en, "reason": event.reason[:200]}
    people = office_people(application)
    for person in people:
        sms_send(to=person.mobile, body=party_sms_body(template="consent_declined",
                                                       language=person.language, values=values))
    return len(people)
