"""Submitting an application: everything checked at once, then either the owner is asked to
consent or the municipality receives it (a case opened, the application fee billed, the
parties told by SMS). A refusal writes nothing: no case, no bill, no event, still a draft.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from amanah.errors import Conflict, DomainError, PermissionDenied
from amanah.permissions import person_for_user
from amanah.rollout import eservice_start_check
from workflow.services import case_submit

from ..apply_selectors import application_documents_wanted
from ..enums import (
    ApplicationEventKind,
    ApplicationStatus,
    ConsentStatus,
    FeeStage,
    PartyRole,
)
from ..forms import answers_errors, document_is_shown, field_label, visible_keys
from ..models import Application, ApplicationEvent, ApplicationParty, PermitTypeDocument
from ..notify import party_sms_schedule
from ..prerequisites import Refusal, prerequisites_check
from .applications import application_lock, application_save, application_status_change
from .excavation import case_priority_for, emergency_refusals
from .fees import application_fee_bill, stage_label
from .parties import application_for_filer_side, application_owner_party, party_consent_change

S = ApplicationStatus


class SubmissionRefused(DomainError):
    """The application cannot go yet; `refusals` lists every reason, each with where to act."""

    def __init__(self, refusals: list[Refusal]):
        lines_ar = "\n".join(r.reason_ar for r in refusals)
        lines_en = "\n".join(r.reason_en for r in refusals)
        super().__init__("permits.submission_refused",
                         f"لا يمكن تقديم الطلب بعد:\n{lines_ar}",
                         f"The application cannot be submitted yet:\n{lines_en}")
        self.refusals = refusals


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _completeness(application: Application) -> list[Refusal]:
    permit_type = application.permit_type
    answers = application.answers or {}
    fields = list(permit_type.fields.all())
    refusals = []
    step_of = {f.key: f.step for f in fields}
    by_key = {f.key: f for f in fields}
    for error in answers_errors(fields=fields, answers=answers):
        field = by_key[error.field]
        refusals.append(Refusal(
            error.code,
            f"«{field_label(field, 'ar')}»: {error.message_ar}",
            f"“{field_label(field, 'en')}”: {error.message_en}",
            link=_url("permits:apply_step", application.reference, step_of[error.field]),
            field=error.field))
    if application.parcel_id is None:
        refusals.append(Refusal("permits.parcel_missing", "لم تُحدد قطعة الأرض (الصك والموقع).",
                                "The parcel (deed and location) is not set.",
                                link=_url("permits:apply_parcel", application.reference),
                                field="parcel"))
    visible = visible_keys(fields, answers)
    current = set(application.documents.filter(superseded_at__isnull=True)
                  .values_list("kind", flat=True))
    for document in application_documents_wanted(application):
        # An activity's document has no condition: it is asked for with the activity.
        shown = (not isinstance(document, PermitTypeDocument)
                 or document_is_shown(document, fields, answers, visible))
        if document.required and document.kind not in current and shown:
            refusals.append(Refusal("permits.document_missing",
                                    f"لم يُرفع مستند «{document.name_ar}».",
                                    f"The document “{document.name_en}” is not uploaded.",
                                    link=_url("permits:apply_documents", application.reference),
                                    field=f"document:{document.kind}"))
    named = set(application.parties.values_list("role", flat=True))
    for party in permit_type.parties.all():
        if party.required and party.role not in named:
            role = PartyRole(party.role)
            refusals.append(Refusal("permits.party_missing",
                                    f"لم يُحدد طرف مطلوب: {_role_label(role, 'ar')}.",
                                    f"A required party is missing: {_role_label(role, 'en')}.",
                                    field=f"party:{party.role}"))
    return refusals


def _role_label(role: PartyRole, language: str) -> str:
    with translation.override(language):
        return str(role.label)


def _rollout(application: Application, user) -> list[Refusal]:
    try:
        eservice_start_check(eservice=application.permit_type.eservice,
                             municipality=application.municipality, user=user,
                             person=application.owner_person, field="permit_type")
    except DomainError as refused:
        return [Refusal(refused.code, refused.message_ar, refused.message_en,
                        field=refused.field)]
    return []


def application_submission_refusals(application: Application, user) -> list[Refusal]:
    """Everything that stands in the way of submitting, all at once: the service offered here
    (rollout), every required answer, document and party, the parcel, and the type's
    prerequisites (e.g. no unpaid fines), each with its reason. Reads only."""
    return [*_rollout(application, user), *_completeness(application),
            *prerequisites_check(application=application),
            # Part EXCAVATION: an emergency filing within the type's hours of the digging.
            *emergency_refusals(application)]


def declaration_refusals(application: Application, declaration_accepted: bool
                         ) -> list[Refusal]:
    """An instant licence goes only with the self-declaration accepted (the texts shown on the
    review page, signed at submission)."""
    if not application.permit_type.uses_activities or declaration_accepted:
        return []
    from ..licences.services import licence_path

    if not licence_path(application).instant:
        return []
    return [Refusal("permits.declaration_required",
                    "يلزم الإقرار بصحة البيانات واستيفاء الاشتراطات قبل التقديم.",
                    "The self-declaration must be accepted before submitting.",
                    field="declaration")]


def _needs_consent(application: Application, user) -> bool:
    if not application.permit_type.owner_consent_required:
        return False
    person = person_for_user(user)
    return person is None or person.pk != application.owner_person_id


def _to_municipality(application: Application, *, actor, filer) -> Application:
    """Open the case (applicant: the owner; submitted by the filer), move the application to
    the municipality, bill its application fee where the type has one, tell the parties."""
    permit_type = application.permit_type
    kind = permit_type.workflow_code
    if permit_type.uses_activities:
        from ..licences.services import licence_path

        path = licence_path(application)
        if path.instant:
            return _instant_licence(application, actor=actor, filer=filer)
        kind = path.procedure_code  # the procedure the reviewed activities name
    case = case_submit(kind=kind, municipality=application.municipality,
                       subject=f"{permit_type.name_ar} — {application.reference}",
                       # The case page shows the subject and details as written, whatever the
                       # page's language: say it in both.
                       description=f"{permit_type.name_ar} / {permit_type.name_en} — "
                                   f"{application.reference}",
                       submitted_by=filer,
                       applicant_person=application.owner_person,
                       applicant_establishment=application.owner_establishment,
                       # Part EXCAVATION: emergency work opens an urgent case.
                       priority=case_priority_for(application))
    application.case = case
    application_save(application, ["case"])
    application_status_change(application=application, to_status=S.IN_REVIEW, actor=actor,
                              payload={"case": case.number})
    if permit_type.fee_rules.filter(stage=FeeStage.APPLICATION).exists():
        fee = application_fee_bill(application=application, stage=FeeStage.APPLICATION,
                                   actor=actor)
        party_sms_schedule(application_id=application.pk, template="fee_billed",
                           roles=[PartyRole.OWNER],
                           context={"bill": fee.bill.billing_account, "amount": fee.amount,
                                    "stage_ar": stage_label(FeeStage.APPLICATION, "ar"),
                                    "stage_en": stage_label(FeeStage.APPLICATION, "en")})
    party_sms_schedule(application_id=application.pk, template="submitted",
                       roles=PartyRole.values)
    return application


def approval_fee_stages(application: Application) -> list[str]:
    """What approving an application bills (an instant licence: what submitting it bills):
    the stage lifecycle.approval_fee_stage names (the issuance fee, or an amendment's), and
    with a licence's issuance fee its signage fee when a signage area is answered. Only
    stages the type bills; none: the permit is issued without a payment."""
    from .lifecycle import approval_fee_stage

    stage = approval_fee_stage(application)
    stages = [stage] if stage is not None else []
    if (application.permit_type.uses_activities and stage == FeeStage.ISSUANCE
            and _positive((application.answers or {}).get("signage_area_m2"))
            and application.permit_type.fee_rules.filter(stage=FeeStage.SIGNAGE).exists()):
        stages.append(FeeStage.SIGNAGE)
    return stages


def _positive(value) -> bool:
    try:
        return Decimal(str(value)) > 0
    except (InvalidOperation, TypeError, ValueError):
        return False


def fee_billed_sms(application: Application, fee) -> None:
    party_sms_schedule(application_id=application.pk, template="fee_billed",
                       roles=[PartyRole.OWNER],
                       context={"bill": fee.bill.billing_account, "amount": fee.amount,
                                "stage_ar": stage_label(fee.stage, "ar"),
                                "stage_en": stage_label(fee.stage, "en")})


def _instant_licence(application: Application, *, actor, filer) -> Application:
    """The instant path: the delegate's self-declaration recorded, the application in review
    and at once awaiting its fees — no case, no staff — with the issuance (and signage) fee
    billed; the lifecycle settler of kind NEW issues the licence when they are paid."""
    from ..licences.services import licence_declaration_sign

    licence_declaration_sign(application=application, user=filer)
    application_status_change(application=application, to_status=S.IN_REVIEW, actor=actor,
                              payload={"instant": True})
    application_status_change(application=application, to_status=S.AWAITING_FEE, actor=actor,
                              payload={"instant": True})
    stages = approval_fee_stages(application)
    for stage in stages:
        fee_billed_sms(application, application_fee_bill(application=application, stage=stage,
                                                         actor=actor))
    if not stages:
        # Nothing to pay (a municipality that charges no fee): issued now, as if paid.
        from ..licences.instant import licence_instant_settle

        licence_instant_settle(application, actor=None)
    return application


@transaction.atomic
def application_submit(*, application_id: int, user, expected_version: int | None = None,
                       declaration_accepted: bool = False) -> Application:
    """Submit a draft, refusing with every reason at once (nothing is written then). A type
    that needs the owner's consent, filed by someone else, waits for it (awaiting_consent, the
    owner told by SMS); otherwise the municipality receives it at once. An instant licence
    needs `declaration_accepted` (its self-declaration, signed now) and is billed at once,
    without a case."""
    application = application_for_filer_side(application_id, user,
                                             expected_version=expected_version)
    if application.status != S.DRAFT:
        raise Conflict("permits.already_submitted",
                       "قُدّم هذا الطلب من قبل.", "This application was already submitted.")
    refusals = [*application_submission_refusals(application, user),
                *declaration_refusals(application, declaration_accepted)]
    if refusals:
        raise SubmissionRefused(refusals)
    if _needs_consent(application, user):
        owner = application_owner_party(application)
        party_consent_change(application=application, party=owner,
                             to_consent=ConsentStatus.PENDING, actor=user)
        application_status_change(application=application, to_status=S.AWAITING_CONSENT,
                                  actor=user)
        party_sms_schedule(application_id=application.pk, template="consent_requested",
                           roles=[PartyRole.OWNER])
        return application
    return _to_municipality(application, actor=user, filer=user)


def _consent_asked_by(application: Application):
    """The user who submitted the application for the owner's consent (its filer)."""
    event = (ApplicationEvent.objects
             .filter(application=application, kind=ApplicationEventKind.STATUS_CHANGED,
                     to_status=S.AWAITING_CONSENT, actor__isnull=False)
             .select_related("actor").order_by("-seq").first())
    return event.actor if event is not None else application.created_by


@transaction.atomic
def application_submission_continue(*, application_id: int) -> Application:
    """The owner consented: the submission goes on to the municipality, as if just
    submitted (the same checks again, time has passed). For part PARTIES' consent service,
    inside its transaction after it recorded the consent (the owner party's `consent` GIVEN):
    a refusal then rolls the consent back with it, and the owner reads the reasons.

    Locks the application (the caller may hold it already; reload your instance after this
    call, its chain head has moved). No case is locked: the one this opens is new."""
    application = application_lock(application_id)
    if application.status != S.AWAITING_CONSENT:
        raise Conflict("permits.not_awaiting_consent",
                       "الطلب لا ينتظر موافقة المالك.",
                       "The application is not waiting for the owner's consent.")
    consented = ApplicationParty.objects.filter(application=application, role=PartyRole.OWNER,
                                                consent=ConsentStatus.GIVEN).exists()
    if not consented:
        raise PermissionDenied("permits.consent_missing", "لم يوافق المالك على الطلب بعد.",
                               "The owner has not consented to the application yet.")
    filer = _consent_asked_by(application)
    refusals = application_submission_refusals(application, filer)
    if refusals:
        raise SubmissionRefused(refusals)
    return _to_municipality(application, actor=None, filer=filer)
