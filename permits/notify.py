"""SMS to an application's parties at the steps that matter to them, sent after the commit.

`party_sms_schedule(application_id=…, template=…, roles=[…])` is called inside the transaction
that made the change; the task `permits.party_sms_send` reads the application and its parties
when it runs and sends one message per mobile through amanah.notifications.sms_send.

Templates are bilingual, in code. Each person gets their `Person.language` (the language they
last signed in with; Arabic until then). Who receives it, by role: a person party at their
mobile; an office or establishment party at the mobiles of the people who work for it.

Best effort, like the workflow's and payments' SMS: nothing records a message for a sweeper to
find yet (the notification outbox, issue 12); every fact sent is also on the application page.
"""

import logging
from collections.abc import Iterable

from celery import shared_task

from amanah.dispatch import task_on_commit
from amanah.models import Person
from amanah.notifications import sms_send

from .enums import PartyRole
from .models import Application, ApplicationParty

logger = logging.getLogger(__name__)

# name → (Arabic, English). Placeholders: {reference}, {service_ar}, {service_en}, and any
# key of the `context` given when scheduling (e.g. {bill}, {amount}, {permit}).
SMS_TEMPLATES: dict[str, tuple[str, str]] = {
    "consent_requested": (
        "أعدّ مكتب هندسي طلب {service_ar} رقم {reference} باسمكم. ادخل البوابة لمراجعته "
        "والموافقة عليه.",
        "An engineering office prepared a {service_en} application {reference} in your name. "
        "Sign in to the portal to review and consent to it."),
    "consent_given": (
        "وافق المالك على الطلب {reference} وأُحيل إلى البلدية.",
        "The owner consented to application {reference}; it is now with the municipality."),
    "consent_declined": (
        "رفض المالك الموافقة على الطلب {reference} ({service_ar}). السبب: {reason}",
        "The owner declined application {reference} ({service_en}). The reason: {reason}"),
    "submitted": (
        "قُدّم طلب {service_ar} رقم {reference} إلى البلدية. رقم المعاملة {case}.",
        "Your {service_en} application {reference} was submitted. Transaction {case}."),
    "fee_billed": (
        "صدرت فاتورة {stage_ar} للطلب {reference} بمبلغ {amount} ريال، رقم الفاتورة (سداد) "
        "{bill}.",
        "{stage_en} of SAR {amount} billed for application {reference}; SADAD bill number "
        "{bill}."),
    "correction_requested": (
        "طلبت البلدية تصحيحًا في الطلب {reference}. ادخل البوابة لإجرائه.",
        "The municipality asked for corrections to application {reference}. Sign in to make "
        "them."),
    "inspection_booked": (
        "حُجز موعد الكشف للطلب {reference}: {when}.",
        "The inspection of application {reference} is booked: {when}."),
    "approved": (
        "اعتُمد الطلب {reference}. سدّد رسوم الإصدار لتصدر الرخصة.",
        "Application {reference} was approved. Pay the issuance fee to have the permit "
        "issued."),
    "issued": (
        "صدرت الرخصة رقم {permit} للطلب {reference}.",
        "Permit {permit} was issued for application {reference}."),
    "rejected": (
        "رُفض الطلب {reference}. السبب مذكور في البوابة.",
        "Application {reference} was rejected. The reason is on the portal."),
    "withdrawn": (
        "سُحب الطلب {reference}.",
        "Application {reference} was withdrawn."),
}

ALL_ROLES = tuple(PartyRole.values)


def sms_template_register(name: str, *, ar: str, en: str) -> None:
    """Add (or replace) a template; another part of permits may need one of its own."""
    SMS_TEMPLATES[name] = (ar, en)


def party_sms_schedule(*, application_id: int, template: str, roles: Iterable[str],
                       context: dict | None = None) -> None:
    """After the current transaction commits, SMS the parties of `roles` with `template`."""
    if template not in SMS_TEMPLATES:
        raise LookupError(f"no SMS template {template!r}")
    roles = sorted({str(r) for r in roles})
    unknown = set(roles) - set(PartyRole.values)
    if unknown:
        raise ValueError(f"unknown party roles {sorted(unknown)}")
    task_on_commit("permits.party_sms_send", application_id=application_id, template=template,
                   roles=roles, context={str(k): str(v) for k, v in (context or {}).items()})


class _Missing(dict):
    def __missing__(self, key):  # a placeholder nobody filled reads as blank, never an error
        return ""


def party_sms_body(*, template: str, language: str, values: dict) -> str:
    ar, en = SMS_TEMPLATES[template]
    return (en if language == "en" else ar).format_map(_Missing(values))


def _recipients(application, roles: set[str]) -> list[tuple[str, str]]:
    """(mobile, language) of everyone the roles name, each mobile once."""
    people: list = []
    establishments: list[int] = []
    parties = (ApplicationParty.objects.filter(application=application, role__in=roles)
               .select_related("person", "office"))
    for party in parties:
        if party.person is not None:
            people.append(party.person)
        establishment_id = party.establishment_id or (party.office.establishment_id
                                                       if party.office else None)
        if establishment_id is not None:
            establishments.append(establishment_id)
    if PartyRole.OWNER in roles and application.owner_person is not None:
        people.append(application.owner_person)
    if establishments:
        people += list(Person.objects.filter(establishments__in=establishments).distinct())
    seen, found = set(), []
    for person in people:
        if person.mobile and person.mobile not in seen:
            seen.add(person.mobile)
            found.append((person.mobile, "en" if person.language == "en"
                          else "ar"))
    return found


@shared_task(name="permits.party_sms_send")
def party_sms_send(application_id: int, template: str, roles: list[str],
                   context: dict | None = None) -> int:
    """Send a template to the parties of `roles`; returns how many messages were sent."""
    application = (Application.objects.select_related("permit_type", "case", "owner_person")
                   .filter(pk=application_id).first())
    if application is None or template not in SMS_TEMPLATES:
        return 0
    permit_type = application.permit_type
    values = {"reference": application.reference, "service_ar": permit_type.name_ar,
              "service_en": permit_type.name_en or permit_type.name_ar,
              "case": application.case.number if application.case_id else "",
              **(context or {})}
    sent = 0
    for mobile, language in _recipients(application, set(roles)):
        sms_send(to=mobile, body=party_sms_body(template=template, language=language,
                                                values=values))
        sent += 1
    return sent
