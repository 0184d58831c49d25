"""Drafting an application: who may start one, answers saved step by step, documents uploaded
through the upload service, and withdrawing a draft.

Only the filer's side edits a draft: the person who started it, their colleagues at the filing
office, or the owner when the owner files. Everyone else who may see it (the owner of an
office's draft) reads it; anyone who may not see it gets the same 404 as for no application.
"""

import os
from collections.abc import Mapping

from django.db import transaction

from amanah import clock
from amanah.dates import business_date
from amanah.errors import Conflict, DomainError, NotFound, PermissionDenied
from amanah.identity import national_id_normalise
from amanah.models import Establishment, Municipality, Person
from amanah.permissions import person_for_user
from amanah.rollout import eservice_start_check
from amanah.uploads import KNOWN_TYPES, UploadPolicy, upload_check

from ..apply_selectors import application_documents_wanted
from ..enums import (
    ApplicationEventKind,
    ApplicationStatus,
    FiledBy,
    OfficeKind,
    PartyRole,
)
from ..forms import AnswerError, step_answers_clean, type_steps
from ..models import (
    ActivityDocument,
    Application,
    ApplicationDocument,
    ApplicationParty,
    Permit,
    PermitType,
    PermitTypeDocument,
    RegisteredOffice,
)
from .applications import (
    application_event_append,
    application_save,
    application_status_change,
)
from .parties import (
    application_for_filer,
    application_for_filer_side,
)

# The kind of registered office that files each type, and the role it takes on the application.
OFFICE_FOR = {
    FiledBy.DESIGN_OFFICE: (OfficeKind.ENGINEERING_OFFICE, PartyRole.DESIGN_OFFICE),
    FiledBy.CONTRACTOR: (OfficeKind.CONTRACTOR, PartyRole.CONTRACTOR),
}
WITHDRAWABLE = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.AWAITING_CONSENT})


class AnswersInvalid(DomainError):
    """A step's answers broke their fields' rules; `errors` says which, in both languages."""

    def __init__(self, errors: list[AnswerError]):
        first = errors[0]
        super().__init__("permits.answers_invalid", first.message_ar, first.message_en,
                         field=first.field)
        self.errors = errors


# --- Who is on the filer's side ---------------------------------------------------------------
# The rule itself is part PARTIES' (services/parties.py: the creator, the filing office's
# people, or for an owner-filed type the owner's side); drafting and submitting share it.


def offices_of(person: Person, *, kind: str | None = None) -> list[RegisteredOffice]:
    """The active, in-date registered offices `person` works for (of `kind` when given)."""
    offices = (RegisteredOffice.objects
               .filter(establishment__representatives=person, is_active=True,
                       licence_expires_on__gte=business_date(clock.now()))
               .select_related("establishment").order_by("establishment__name_ar", "pk"))
    if kind is not None:
        offices = offices.filter(kind=kind)
    return list(offices)


# --- Starting a draft -------------------------------------------------------------------------


def _owner_find(national_id: str | None) -> Person:
    if not national_id:
        raise DomainError("permits.owner_required", "أدخل رقم هوية المالك.",
                          "Enter the owner's ID number.", field="owner_national_id")
    try:
        number = national_id_normalise(national_id)
    except DomainError as invalid:
        raise DomainError(invalid.code, invalid.message_ar, invalid.message_en,
                          field="owner_national_id") from None
    owner = Person.objects.filter(national_id=number).first()
    if owner is None:
        raise DomainError("permits.owner_unknown",
                          "لا يوجد مستفيد مسجل بهذا الرقم؛ يسجّل المالك في البوابة أولاً.",
                          "No one is registered with this ID number; the owner must sign up "
                          "on the portal first.", field="owner_national_id")
    return owner


def _filing_office(person: Person, filed_by: str, office_id: int | None) -> RegisteredOffice:
    kind, _role = OFFICE_FOR[filed_by]
    offices = offices_of(person, kind=kind)
    if office_id is not None:
        chosen = next((o for o in offices if o.pk == office_id), None)
        if chosen is None:
            raise PermissionDenied("permits.office_not_yours",
                                   "لست من منسوبي هذا المكتب، أو أن ترخيصه غير ساري.",
                                   "You do not work for this office, or its licence is not in "
                                   "force.", field="office")
        return chosen
    if not offices:
        if kind == OfficeKind.CONTRACTOR:
            raise PermissionDenied("permits.contractor_required",
                                   "يقدّم هذه الخدمة مقاول مرخّص ساري الترخيص.",
                                   "A contractor with a licence in force files this service.",
                                   field="permit_type")
        raise PermissionDenied("permits.office_required",
                               "يقدّم هذه الخدمة مكتب هندسي مرخّص ساري الترخيص.",
                               "A licensed engineering office with a licence in force files "
                               "this service.", field="permit_type")
    if len(offices) > 1:
        raise DomainError("permits.office_choose", "اختر المكتب الذي تقدّم باسمه.",
                          "Choose the office you file for.", field="office")
    return offices[0]


def _base_permit(permit_type: PermitType, owner: Person | None, number: str | None, *,
                 establishment: Establishment | None = None) -> Permit | None:
    """The permit an application on an existing one names: of the base type, held by the
    owner (the person, or the establishment for an establishment's sub-permit)."""
    if permit_type.base_permit_type_id is None:
        return None
    if not number:
        raise DomainError("permits.base_permit_required",
                          f"أدخل رقم {permit_type.base_permit_type.name_ar} الذي يتعلق به الطلب.",
                          f"Enter the number of the {permit_type.base_permit_type.name_en} "
                          "this application is about.", field="base_permit_number")
    held = ({"holder_establishment": establishment} if establishment is not None
            else {"holder_person": owner})
    permit = Permit.objects.filter(number=number.strip()[:32],
                                   permit_type_id=permit_type.base_permit_type_id,
                                   **held).first()
    if permit is None:
        raise DomainError("permits.base_permit_unknown",
                          "لا توجد رخصة بهذا الرقم باسم المالك.",
                          "The owner holds no permit with this number.",
                          field="base_permit_number")
    return permit


def _filing_establishment(person: Person, establishment_id: int | None) -> Establishment:
    """The establishment a representative files for: the one named, which they must
    represent, or the only one they represent."""
    establishments = list(Establishment.objects.filter(representatives=person)
                          .order_by("name_ar", "pk"))
    if establishment_id is not None:
        chosen = next((e for e in establishments if e.pk == establishment_id), None)
        if chosen is None:
            raise PermissionDenied("permits.not_a_representative",
                                   "لست من ممثلي هذه المنشأة.",
                                   "You do not represent this establishment.",
                                   field="establishment")
        return chosen
    if len(establishments) == 1:
        return establishments[0]
    if not establishments:
        raise PermissionDenied("permits.not_a_representative",
                               "تقدّم هذه الخدمة منشأة، ولست ممثلًا لأي منشأة.",
                               "An establishment files this service, and you represent none.",
                               field="establishment")
    raise DomainError("permits.establishment_required", "اختر المنشأة التي تقدّم باسمها.",
                      "Choose the establishment you file for.", field="establishment")


@transaction.atomic
def application_draft_create(*, user, permit_type_code: str,
                             municipality: Municipality | None = None,
                             on_behalf_of_owner_id: str | None = None,
                             office_id: int | None = None,
                             base_permit_number: str | None = None,
                             establishment_id: int | None = None) -> Application:
    """Start a draft of a type where its rollout allows: the owner files for themself; an
    office or contractor type is filed by a person working for such an office (which one:
    `office_id`, when they work for several), for an owner found by national ID; an
    establishment's type (a shop licence, its sub-permits) by one of its representatives for
    it (which one: `establishment_id`, when they represent several), as its delegate."""
    person = person_for_user(user)
    if person is None:
        raise PermissionDenied("permits.citizens_only",
                               "تقديم طلبات الرخص متاح للمواطنين والمقيمين ومنسوبي المكاتب.",
                               "Permit applications are made by citizens, residents and the "
                               "people of licensed offices.")
    permit_type = (PermitType.objects.select_related("eservice", "base_permit_type")
                   .filter(code=permit_type_code, is_active=True).first())
    if permit_type is None:
        raise NotFound("permits.type_not_found", "لا توجد خدمة بهذا الرمز.",
                       "There is no such service.", field="permit_type")
    municipality = municipality or person.municipality
    if municipality is None:
        raise DomainError("permits.municipality_required", "اختر البلدية.",
                          "Choose the municipality.", field="municipality")
    office = None
    establishment = None
    if permit_type.filed_by == FiledBy.ESTABLISHMENT:
        establishment = _filing_establishment(person, establishment_id)
        owner = None
    elif permit_type.filed_by == FiledBy.OWNER:
        owner = person
        if on_behalf_of_owner_id and _owner_find(on_behalf_of_owner_id).pk != person.pk:
            raise PermissionDenied("permits.owner_files",
                                   "يقدّم المالك هذه الخدمة بنفسه.",
                                   "The owner files this service themself.",
                                   field="owner_national_id")
    else:
        office = _filing_office(person, permit_type.filed_by, office_id)
        owner = _owner_find(on_behalf_of_owner_id)
    permit = _base_permit(permit_type, owner, base_permit_number, establishment=establishment)
    eservice_start_check(eservice=permit_type.eservice, municipality=municipality, user=user,
                         person=owner or person, field="permit_type")
    application = Application(permit_type=permit_type, municipality=municipality,
                              owner_person=owner, owner_establishment=establishment,
                              filing_office=office, created_by=user, permit=permit,
                              # A sub-permit (a shop's sign) is for the licence's own place:
                              # the shop's deed and location are not asked for again.
                              parcel=permit.parcel if permit is not None
                              and permit_type.is_sub_permit else None)
    created = application_event_append(
        application, kind=ApplicationEventKind.CREATED, actor=user,
        to_status=ApplicationStatus.DRAFT,
        payload={"type": permit_type.code, "office": office.licence_number if office else "",
                 **({"establishment": establishment.unified_number} if establishment else {})})
    application.save()
    created.application = application
    created.save()
    if establishment is not None:
        # The establishment owns; the representative who files acts for it as its delegate.
        parties = [ApplicationParty(application=application, role=PartyRole.OWNER,
                                    establishment=establishment),
                   ApplicationParty(application=application, role=PartyRole.DELEGATE,
                                    person=person, establishment=establishment)]
    else:
        parties = [ApplicationParty(application=application, role=PartyRole.OWNER,
                                    person=owner)]
    if office is not None:
        parties.append(ApplicationParty(application=application,
                                        role=OFFICE_FOR[permit_type.filed_by][1], office=office,
                                        establishment=office.establishment))
    ApplicationParty.objects.bulk_create(parties)
    return application


# --- Answers ----------------------------------------------------------------------------------


@transaction.atomic
def application_answers_save(*, application_id: int, user, step: int, data: Mapping,
                             expected_version: int | None = None) -> Application:
    """Validate one step's answers and merge them into the draft's (answers to questions the
    new answers hide are dropped); the filer's side only, while it is a draft."""
    application = application_for_filer(application_id=application_id, user=user,
                                        expected_version=expected_version)
    fields = list(application.permit_type.fields.all())
    if step not in type_steps(fields):
        raise DomainError("permits.step_unknown", "هذه الخطوة غير موجودة في النموذج.",
                          "The form has no such step.", field="step")
    if not isinstance(data, Mapping):
        raise DomainError("permits.answers_invalid", "الإجابات غير صحيحة.",
                          "The answers are not valid.", field="answers")
    answers, errors = step_answers_clean(fields=fields, step=step, data=data,
                                         answers=application.answers or {})
    if errors:
        raise AnswersInvalid(errors)
    before = application.answers or {}
    changed = sorted(key for key in set(before) | set(answers)
                     if before.get(key) != answers.get(key))
    save_fields = ["last_step"]
    if changed:
        application.answers = answers
        application.answers_version += 1
        save_fields += ["answers", "answers_version"]
    application.last_step = max(application.last_step, step)
    application_event_append(application, kind=ApplicationEventKind.ANSWERS_SAVED, actor=user,
                             payload={"step": step, "changed": changed,
                                      "answers_version": application.answers_version})
    application_save(application, save_fields)
    return application


# --- Documents --------------------------------------------------------------------------------


def document_policy(document: PermitTypeDocument | ActivityDocument) -> UploadPolicy:
    """The upload service's policy for a document kind of a type (its types and size)."""
    types = frozenset(t for t in (document.content_types or []) if t in KNOWN_TYPES)
    if not types:
        raise DomainError("permits.document_kind_misconfigured",
                          "لم تُحدد أنواع الملفات المقبولة لهذا المستند؛ تواصل مع البلدية.",
                          "The accepted file types of this document are not set; please "
                          "contact the municipality.", field="file")
    return UploadPolicy(content_types=types, max_bytes=max(1, document.max_bytes),
                        label_ar=document.name_ar, label_en=document.name_en)


def application_document_upload(*, application_id: int, user, kind: str, file,
                                expected_version: int | None = None) -> ApplicationDocument:
    """Check a document with the upload service against its kind's policy and store it as the
    draft's current one of that kind; a previous one is kept, superseded (version + 1)."""
    with transaction.atomic():
        # Who and what first, so that a stranger's upload is refused before it is read.
        application = application_for_filer(application_id=application_id, user=user)
        document = next((d for d in application_documents_wanted(application)
                         if d.kind == kind), None)
        if document is None:
            raise DomainError("permits.document_kind_unknown",
                              "هذا المستند غير مطلوب لهذه الخدمة.",
                              "This service does not ask for such a document.", field="kind")
        policy = document_policy(document)
    # The check reads and re-encodes the whole file: outside the application's lock.
    checked = upload_check(file=file, policy=policy, field="file")
    try:
        with transaction.atomic():
            application = application_for_filer(application_id=application_id, user=user,
                                                expected_version=expected_version)
            current = (ApplicationDocument.objects.select_for_update()
                       .filter(application=application, kind=kind, superseded_at__isnull=True)
                       .first())
            latest = (ApplicationDocument.objects.filter(application=application, kind=kind)
                      .order_by("-version").values_list("version", flat=True).first() or 0)
            now = clock.now()
            if current is not None:
                current.superseded_at = now
                current.save(update_fields=["superseded_at"])
            stored = ApplicationDocument(
                application=application, kind=kind, version=latest + 1,
                original_name=checked.display_name, content_type=checked.content_type,
                size=checked.size, sha256=checked.sha256, uploaded_by=user, uploaded_at=now)
            try:
                stored.file.save(checked.stored_name, checked.as_file(), save=False)
                stored.save()
            except BaseException:
                # The row did not make it: leave no file behind that no row points to.
                if stored.file.name:
                    stored.file.delete(save=False)
                raise
            application_event_append(
                application, kind=ApplicationEventKind.DOCUMENT_UPLOADED, actor=user, at=now,
                payload={"kind": kind, "version": stored.version, "sha256": checked.sha256,
                         "name": checked.display_name, "file": os.path.basename(
                             stored.file.name)})
            application_save(application, [])
    finally:
        checked.close()
    return stored


# --- Withdrawing ------------------------------------------------------------------------------


@transaction.atomic
def application_withdraw(*, application_id: int, user, reason: str = "",
                         expected_version: int | None = None) -> Application:
    """The filer's side withdraws a draft (or one still awaiting the owner's consent); a
    submitted application is withdrawn through its case."""
    application = application_for_filer_side(application_id, user,
                                             expected_version=expected_version)
    if application.status not in WITHDRAWABLE:
        raise Conflict("permits.withdraw_through_case",
                       "الطلب لدى البلدية؛ يُسحب من صفحة المعاملة.",
                       "The application is with the municipality; withdraw it from its "
                       "transaction's page.")
    application_status_change(application=application, to_status=ApplicationStatus.WITHDRAWN,
                              actor=user, reason=(reason or "")[:1000])
    return application
