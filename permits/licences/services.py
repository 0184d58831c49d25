"""Licence drafts: the establishments a person may file for, the activities a licence asks
for, the path they decide (instant against a self-declaration, or reviewed through a case) and
the self-declaration itself.

ApplicationActivity rows are written only by `licence_activities_set` (with an ACTIVITIES_SET
event); the LicenceDeclaration only by `licence_declaration_sign`, inside the submission.
"""

import hashlib
from dataclasses import dataclass, field

from django.db import transaction

from amanah.errors import DomainError
from amanah.models import Establishment, Person
from amanah.permissions import person_for_user
from workflow.services.definitions import definition_resolve

from ..enums import ApplicationEventKind
from ..models import Activity, Application, ApplicationActivity, LicenceDeclaration
from ..services.applications import application_event_append, application_save
from ..services.fees import application_activities
from ..services.parties import application_for_filer

MAX_ACTIVITIES = 5
FIELD = "activities"


def establishments_of(person: Person | None) -> list[Establishment]:
    """The establishments `person` represents (may file for), by name."""
    if person is None:
        return []
    return list(Establishment.objects.filter(representatives=person)
                .order_by("name_ar", "pk"))


# --- Activities -------------------------------------------------------------------------------


def _activities_refusal(ar: str, en: str) -> DomainError:
    return DomainError("permits.activities_invalid", ar, en, field=FIELD)


@transaction.atomic
def licence_activities_set(*, application_id: int, user, activity_codes: list[str],
                           expected_version: int | None = None) -> Application:
    """Set the activities a licence draft asks for (1 to 5 active catalogue activities, in
    the order given), replacing the previous ones; the filer's side only, while a draft."""
    application = application_for_filer(application_id=application_id, user=user,
                                        expected_version=expected_version)
    if not application.permit_type.uses_activities:
        raise _activities_refusal("هذه الخدمة لا تُحدَّد فيها أنشطة.",
                                  "This service does not take activities.")
    codes = []
    for code in activity_codes or []:
        code = str(code).strip()
        if code and code not in codes:
            codes.append(code)
    if not codes:
        raise _activities_refusal("اختر نشاطًا واحدًا على الأقل.",
                                  "Choose at least one activity.")
    if len(codes) > MAX_ACTIVITIES:
        raise _activities_refusal(f"يمكن اختيار {MAX_ACTIVITIES} أنشطة على الأكثر.",
                                  f"Choose at most {MAX_ACTIVITIES} activities.")
    found = {a.code: a for a in Activity.objects.filter(code__in=codes, is_active=True)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        listed = "، ".join(unknown)
        raise _activities_refusal(f"نشاط غير موجود في دليل الأنشطة: {listed}.",
                                  f"Not an activity of the catalogue: {', '.join(unknown)}.")
    before = list(application.activities.order_by("order", "id")
                  .values_list("activity__code", flat=True))
    ApplicationActivity.objects.filter(application=application).delete()
    ApplicationActivity.objects.bulk_create(
        [ApplicationActivity(application=application, activity=found[code], order=order)
         for order, code in enumerate(codes, start=1)])
    application_event_append(application, kind=ApplicationEventKind.ACTIVITIES_SET, actor=user,
                             payload={"activities": codes, "previous": before})
    application_save(application, [])
    return application


# --- The path ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LicencePath:
    """How a licence application goes: instant (every activity instant; no case) or reviewed
    on `procedure_code` because of `reviewed_activities`."""

    instant: bool
    reviewed_activities: list[Activity] = field(default_factory=list)
    procedure_code: str = ""


def _states(code: str, municipality) -> int:
    """How many steps the procedure `code` has where the application is filed (0 when it is
    not published there: it cannot win)."""
    try:
        return definition_resolve(code=code, municipality=municipality).states.count()
    except DomainError:
        return 0


def licence_path(application: Application) -> LicencePath:
    """Instant when every chosen activity is (and there is at least one); otherwise reviewed on
    the procedure the reviewed activities name — the one with more steps (ties: the first
    code), the type's own when none names one."""
    activities = application_activities(application)
    reviewed = [a for a in activities if not a.is_instant]
    default = application.permit_type.workflow_code
    if activities and not reviewed:
        return LicencePath(instant=True, reviewed_activities=[], procedure_code="")
    named = sorted({a.procedure_code for a in reviewed if a.procedure_code})
    if not named:
        return LicencePath(instant=False, reviewed_activities=reviewed, procedure_code=default)
    counts = {code: _states(code, application.municipality) for code in named}
    best = min(named, key=lambda code: (-counts[code], code))
    return LicencePath(instant=False, reviewed_activities=reviewed,
                       procedure_code=best if counts[best] else default)


# --- The self-declaration ---------------------------------------------------------------------


def licence_declaration_texts(application: Application) -> tuple[str, str]:
    """(Arabic, English) of the self-declaration the delegate signs: each activity's text, in
    the order chosen, under its name and code."""
    activities = application_activities(application)
    text_ar = "\n".join(f"{a.name_ar} ({a.code}): {a.self_declaration_ar}".strip()
                        for a in activities)
    text_en = "\n".join(f"{a.name_en or a.name_ar} ({a.code}): {a.self_declaration_en}".strip()
                        for a in activities)
    return text_ar, text_en


def declaration_digest(text_ar: str, text_en: str) -> str:
    return hashlib.sha256(f"{text_ar}\n---\n{text_en}".encode()).hexdigest()


def licence_declaration_sign(*, application: Application, user) -> LicenceDeclaration:
    """Record the self-declaration signed at submission (the caller holds the application's
    lock and saves it): the exact texts, their digest, who signed; a DECLARATION_SIGNED
    event. Once per application."""
    if LicenceDeclaration.objects.filter(application=application).exists():
        raise DomainError("permits.declaration_already_signed",
                          "سبق توقيع الإقرار لهذا الطلب.",
                          "The declaration of this application is already signed.",
                          field="declaration")
    person = person_for_user(user)
    if person is None:
        raise DomainError("permits.declaration_required",
                          "يوقّع الإقرارَ مفوضُ المنشأة.",
                          "The establishment's delegate signs the declaration.",
                          field="declaration")
    text_ar, text_en = licence_declaration_texts(application)
    digest = declaration_digest(text_ar, text_en)
    declaration = LicenceDeclaration.objects.create(
        application=application, text_ar=text_ar, text_en=text_en, text_sha256=digest,
        answers_version=application.answers_version, signed_by=person)
    application_event_append(application, kind=ApplicationEventKind.DECLARATION_SIGNED,
                             actor=user, payload={"sha256": digest,
                                                  "declaration": declaration.pk})
    return declaration
