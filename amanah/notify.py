"""Notifications: one recorded message per event, recipient and channel, sent after the commit.

A business service calls `notification_request` inside its own transaction. The texts are
rendered there and then, from the event's templates (data, both languages) in the
recipient's language: the message says the facts as they were when the event happened, the
row shows the person exactly what they were sent, and the sending task only delivers. The
rows are inserted with ON CONFLICT DO NOTHING on (key, channel, recipient), so an event
requested twice is recorded once; a rollback leaves no row and sends nothing. After the
commit the task `amanah.notification_send` delivers one row through its channel's backend
(SMS_BACKEND, EMAIL_NOTIFICATION_BACKEND) under the row's lock, so running it twice sends
once; a backend error is retried with backoff and given up after NOTIFICATION_MAX_ATTEMPTS.
`amanah.notification_sweep` sends the queued rows whose task was lost.
"""

import datetime as dt
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils.module_loading import import_string

from . import clock
from .dispatch import task_on_commit
from .enums import NotificationChannel, NotificationStatus
from .errors import DomainError
from .models import ACTIVE_NOTIFICATION_TEMPLATES, Notification, NotificationTemplate, Person, User
from .notifications import SmsMessage, sms_backend
from .statuses import StatusTransitions, row_lock_ensure

logger = logging.getLogger("amanah.notify")


# --- Events and what their texts may say ----------------------------------------------------

@dataclass(frozen=True)
class Placeholder:
    meaning_ar: str
    meaning_en: str
    example_ar: str
    example_en: str


CASE_NUMBER = Placeholder("رقم المعاملة", "The transaction's number", "RYD-2026-000123",
                          "RYD-2026-000123")
STATE = Placeholder("المرحلة التي بلغتها المعاملة", "The step the transaction is now in",
                    "قيد الدراسة", "In review")
MESSAGE = Placeholder("رسالة الموظف إلى مقدم الطلب (فارغة إن لم يكتب شيئاً)",
                      "The message staff wrote to the applicant (empty when none)",
                      "يرجى إرفاق المخطط", "Please attach the site plan")
SERVICE = Placeholder("اسم الخدمة", "The service's name", "رخصة بناء", "Building permit")
BILL_NUMBER = Placeholder("رقم الفاتورة (رقم السداد)", "The bill's number (to pay by)",
                          "100000000017", "100000000017")
AMOUNT = Placeholder("المبلغ بالريال", "The amount in SAR", "1,000.00 ر.س", "SAR 1,000.00")
DESCRIPTION = Placeholder("وصف الفاتورة", "What the bill is for", "رسوم رخصة بناء",
                          "Building permit fee")
DUE_DATE = Placeholder("تاريخ الاستحقاق", "The due date", "12 جمادى الآخرة 1448 هـ",
                       "12 Jumada al-Akhirah 1448 AH")
EXPIRY_DATE = Placeholder("تاريخ انتهاء الفاتورة", "The date the bill expires",
                          "15 جمادى الآخرة 1448 هـ", "15 Jumada al-Akhirah 1448 AH")
DAYS_LEFT = Placeholder("الأيام الباقية", "Days left", "3", "3")
DUE_AMOUNT = Placeholder("المبلغ المستحق على الفاتورة", "The amount the bill asks for",
                         "150.00 ر.س", "SAR 150.00")
REASON = Placeholder("سبب حفظ المبلغ", "Why the money is held",
                     "وهو أقل من المستحق، فلم تُسدَّد الفاتورة",
                     "less than the amount due, so the bill is not paid")
DEPARTMENT = Placeholder("الإدارة التي لديها المعاملة", "The department holding the case",
                         "إدارة الرخص", "Permits department")
DEADLINE = Placeholder("موعد إنجاز المرحلة", "When the step is due", "3 ديسمبر 2026 م 14:00",
                       "3 December 2026 14:00")


@dataclass(frozen=True)
class EventSpec:
    label_ar: str
    label_en: str
    audience_ar: str
    audience_en: str
    placeholders: dict[str, Placeholder]

    def label(self, language: str) -> str:
        return self.label_en if language.startswith("en") else self.label_ar

    def audience(self, language: str) -> str:
        return self.audience_en if language.startswith("en") else self.audience_ar


_APPLICANT = ("مقدم الطلب", "The applicant")
_PAYER = ("دافع الفاتورة (أو ممثلو المنشأة)", "The payer (or the establishment's representatives)")
_STAFF = ("الموظف المكلّف ورئيس الإدارة", "The assignee and the head of the department")
_CASE = {"case_number": CASE_NUMBER, "service": SERVICE, "state": STATE, "message": MESSAGE}
_BILL = {"bill_number": BILL_NUMBER, "amount": AMOUNT, "description": DESCRIPTION}
_SLA = {"case_number": CASE_NUMBER, "service": SERVICE, "state": STATE,
        "department": DEPARTMENT, "deadline": DEADLINE}

EVENTS: dict[str, EventSpec] = {
    "case.submitted": EventSpec("تقديم معاملة", "Transaction submitted", *_APPLICANT, _CASE),
    "case.returned": EventSpec("إعادة المعاملة لمقدم الطلب",
                               "Transaction returned to the applicant", *_APPLICANT, _CASE),
    "case.decided": EventSpec("البت في المعاملة (قبول، رفض، إغلاق)",
                              "Transaction decided (approved, rejected, closed)", *_APPLICANT,
                              _CASE),
    "case.updated": EventSpec("رسالة أو خطوة أخرى في المعاملة",
                              "Another step or a message on the transaction", *_APPLICANT, _CASE),
    "bill.issued": EventSpec("إصدار فاتورة", "Bill issued", *_PAYER,
                             {**_BILL, "due_date": DUE_DATE, "expiry_date": EXPIRY_DATE}),
    "bill.paid": EventSpec("سداد فاتورة", "Bill paid", *_PAYER, _BILL),
    "bill.expiring": EventSpec("قرب انتهاء فاتورة", "Bill about to expire", *_PAYER,
                               {**_BILL, "expiry_date": EXPIRY_DATE, "days_left": DAYS_LEFT}),
    "bill.expired": EventSpec("انتهاء فاتورة دون سداد", "Bill expired unpaid", *_PAYER,
                              {**_BILL, "expiry_date": EXPIRY_DATE}),
    "payment.suspense": EventSpec("حفظ مبلغ مدفوع في الحساب المعلّق",
                                  "Payment held in suspense", *_PAYER,
                                  {"bill_number": BILL_NUMBER, "amount": AMOUNT,
                                   "due_amount": DUE_AMOUNT, "reason": REASON}),
    "sla.at_risk": EventSpec("اقتراب موعد إنجاز معاملة", "Transaction deadline at risk", *_STAFF,
                             _SLA),
    "sla.overdue": EventSpec("تأخر معاملة عن موعدها", "Transaction overdue", *_STAFF, _SLA),
}

_TOKEN = re.compile(r"\{([^{}]*)\}")


def template_text_check(*, event: str, text: str, field: str) -> None:
    """Refuse a text using a placeholder its event does not provide (or a stray brace)."""
    allowed = EVENTS[event].placeholders
    for name in _TOKEN.findall(text):
        if name not in allowed:
            raise DomainError(
                "notification.unknown_placeholder",
                f"العنصر «{{{name}}}» غير متاح لهذا الحدث. المتاح: "
                f"{'، '.join('{' + n + '}' for n in allowed)}.",
                f"The placeholder {{{name}}} is not available for this event. Available: "
                f"{', '.join('{' + n + '}' for n in allowed)}.", field=field)
    if "{" in _TOKEN.sub("", text) or "}" in _TOKEN.sub("", text):
        raise DomainError("notification.stray_brace",
                          "القوسان { } لا يُستخدمان إلا حول اسم عنصر، مثل {case_number}.",
                          "Braces { } are only used around a placeholder's name, like "
                          "{case_number}.", field=field)


def text_render(text: str, values: dict[str, str]) -> str:
    """Placeholders replaced by their values; lines left empty by an empty value removed."""
    rendered = _TOKEN.sub(lambda match: values.get(match.group(1), ""), text)
    lines = [line.rstrip() for line in rendered.strip().splitlines()]
    return "\n".join(line for line in lines if line)


def example_values(event: str, language: str) -> dict[str, str]:
    return {name: (p.example_en if language.startswith("en") else p.example_ar)
            for name, p in EVENTS[event].placeholders.items()}


# --- Recipients ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    """A person (citizen, payer) or a member of staff (a user, through their person if any)."""

    person: Person | None = None
    user: User | None = None

    @classmethod
    def of_person(cls, person: Person) -> "Recipient":
        return cls(person=person)

    @classmethod
    def of_user(cls, user: User) -> "Recipient":
        return cls(user=user)

    @property
    def key(self) -> str:
        return f"person:{self.person.pk}" if self.person is not None else f"user:{self.user.pk}"

    def _person(self) -> Person | None:
        if self.person is not None:
            return self.person
        return getattr(self.user, "person", None) if self.user is not None else None

    @property
    def language(self) -> str:
        person = self._person()
        return "en" if person is not None and (person.language or "").startswith("en") else "ar"

    def address(self, channel: str) -> str:
        person = self._person()
        if channel == NotificationChannel.SMS:
            return (person.mobile if person is not None else "") or ""
        if self.user is not None and self.user.email:
            return self.user.email
        return (person.email if person is not None else "") or ""


def recipients_of(*, person: Person | None = None, establishment=None) -> list[Recipient]:
    """Who hears about something of a person, or of an establishment (its representatives)."""
    if person is not None:
        return [Recipient.of_person(person)]
    if establishment is not None:
        return [Recipient.of_person(p) for p in establishment.representatives.order_by("pk")]
    return []


# A value is a text, or a text per language ({"ar": …, "en": …}).
ContextValue = str | dict[str, str]


def _values_for(context: dict[str, ContextValue], language: str) -> dict[str, str]:
    return {name: (value.get(language) or value.get("ar", "")) if isinstance(value, dict)
            else str(value) for name, value in context.items()}


# --- Requesting -------------------------------------------------------------------------

_INSERT_COLUMNS = ("event", "key", "channel", "recipient_key", "person_id", "user_id",
                   "address", "language", "subject", "body", "status", "attempts",
                   "last_error", "created_at")


def _insert_unless_conflict(rows: list[tuple]) -> list[tuple[int, str]]:
    """All rows in one INSERT … ON CONFLICT DO NOTHING; (id, status) of those inserted."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _INSERT_COLUMNS)
    one_row = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
    sql = (f"INSERT INTO {table} ({columns}) VALUES {', '.join([one_row] * len(rows))} "  # noqa: S608 - identifiers from model metadata, values bound
           "ON CONFLICT (key, channel, recipient_key) DO NOTHING RETURNING id, status")
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        return list(cursor.fetchall())


def notification_request(*, event: str, key: str, recipients: list[Recipient],
                         context: dict[str, ContextValue]) -> list[int]:
    """Record one message per recipient and active channel of `event`, once per `key`, and
    send each after the commit. Call it inside the transaction that makes the change."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    if not recipients:
        return []
    templates = ACTIVE_NOTIFICATION_TEMPLATES.get().get(event, [])
    now = clock.now()
    rows, seen = [], set()
    for recipient in recipients:
        if recipient.key in seen:
            continue
        seen.add(recipient.key)
        language = recipient.language
        values = _values_for(context, language)
        for template in templates:
            address = recipient.address(template.channel)
            english = language == "en"
            subject = text_render(template.subject_en if english else template.subject_ar, values)
            body = text_render(template.body_en if english else template.body_ar, values)
            status = NotificationStatus.QUEUED if address else \
                NotificationStatus.SKIPPED_NO_ADDRESS
            rows.append((event, key[:120], template.channel, recipient.key,
                         recipient.person.pk if recipient.person is not None else None,
                         recipient.user.pk if recipient.user is not None else None,
                         address, language, subject[:200], body, status, 0, "", now))
    if not rows:
        return []
    inserted = _insert_unless_conflict(rows)
    for notification_id, status in inserted:
        if status == NotificationStatus.QUEUED:
            task_on_commit("amanah.notification_send", notification_id=notification_id)
    return [notification_id for notification_id, _ in inserted]


# --- Sending ----------------------------------------------------------------------------

@dataclass(frozen=True)
class EmailOut:
    to: str
    subject: str
    body: str


class DjangoMailBackend:
    """The default email channel: Django's send_mail through the configured EMAIL_BACKEND
    (console in development, locmem in tests, SMTP where production configures it)."""

    def send(self, message: EmailOut) -> None:
        send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to],
                  fail_silently=False)


def email_backend():
    return import_string(settings.EMAIL_NOTIFICATION_BACKEND)()


class NotificationNotSent(Exception):
    """The backend failed this time; the task retries (the attempt is already recorded)."""


NOTIFICATION_TRANSITIONS = StatusTransitions("notification", NotificationStatus, {
    NotificationStatus.QUEUED: {NotificationStatus.SENT, NotificationStatus.FAILED},
})


def _notification_relock(notification_id: int) -> Notification:
    return Notification.objects.select_for_update().get(pk=notification_id)


def notification_status_change(*, notification: Notification, to_status: str) -> Notification:
    """The one writer of `Notification.status`: under the row's lock, only from queued to
    sent or failed; the row keeps its attempts, last error and when it was sent."""
    notification = row_lock_ensure(notification, _notification_relock)
    NOTIFICATION_TRANSITIONS.check(notification.status, to_status)
    notification.status = to_status
    if to_status == NotificationStatus.SENT:
        notification.sent_at = clock.now()
    notification.save(update_fields=["status", "sent_at", "attempts", "last_error",
                                     "last_attempt_at"])
    return notification


def _deliver(notification: Notification) -> None:
    if notification.channel == NotificationChannel.SMS:
        sms_backend().send(SmsMessage(to=notification.address, body=notification.body))
    else:
        email_backend().send(EmailOut(to=notification.address, subject=notification.subject,
                                      body=notification.body))


def notification_send(*, notification_id: int) -> str:
    """Deliver one queued message once: the row is locked while the backend is called, so a
    second run of the task waits or passes by and then finds it sent."""
    from .statuses import row_lock_mark

    with transaction.atomic():
        notification = (Notification.objects.select_for_update(skip_locked=True)
                        .filter(pk=notification_id).first())
        if notification is None:
            return "busy"  # another run holds it (or it is gone): that run decides
        row_lock_mark(notification)
        if notification.status != NotificationStatus.QUEUED:
            return notification.status
        notification.attempts += 1
        notification.last_attempt_at = clock.now()
        try:
            _deliver(notification)
        except Exception as error:  # any backend's failure is recorded, never lost
            notification.last_error = f"{type(error).__name__}: {error}"[:500]
            if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                logger.error("notification %s failed after %s attempts: %s", notification.pk,
                             notification.attempts, notification.last_error)
                notification_status_change(notification=notification,
                                           to_status=NotificationStatus.FAILED)
                return NotificationStatus.FAILED
            notification.save(update_fields=["attempts", "last_error", "last_attempt_at"])
            failed = notification.last_error
        else:
            notification.last_error = ""
            notification_status_change(notification=notification,
                                       to_status=NotificationStatus.SENT)
            return NotificationStatus.SENT
    # Raised after the commit, so the attempt and its error are kept for the retry.
    raise NotificationNotSent(failed)


# Queued rows older than this with no attempt as recent are the sweeper's: their task was
# lost (broker down at the commit, worker killed), or it gave up retrying.
SWEEP_AFTER = dt.timedelta(minutes=2)
SWEEP_RETRY_AFTER = dt.timedelta(minutes=10)


def notification_sweep(*, limit: int = 200) -> int:
    """Periodic: send queued messages whose task was lost; answers how many were sent."""
    from django.db.models import Q

    now = clock.now()
    ids = list(Notification.objects.filter(status=NotificationStatus.QUEUED,
                                           created_at__lt=now - SWEEP_AFTER)
               .filter(Q(last_attempt_at__isnull=True)
                       | Q(last_attempt_at__lt=now - SWEEP_RETRY_AFTER))
               .order_by("pk").values_list("pk", flat=True)[:limit])
    sent = 0
    for notification_id in ids:
        try:
            sent += notification_send(notification_id=notification_id) == NotificationStatus.SENT
        except NotificationNotSent:
            continue
    return sent


# --- Reads ------------------------------------------------------------------------------

def notification_list_for_person(*, person: Person | None, user: User | None,
                                 limit: int | None = 50):
    """A person's messages, newest first (as a citizen, and as staff through their user)."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    if person is not None:
        condition |= Q(person=person)
    if user is not None:
        condition |= Q(user=user)
    queryset = Notification.objects.filter(condition).order_by("-created_at", "-pk")
    return list(queryset[:limit]) if limit else queryset


# --- Editing the texts ------------------------------------------------------------------

def notification_templates_seed() -> int:
    """Rows for every event's default texts that has none (a fresh or flushed database);
    answers how many were made. Never changes a row an admin edited."""
    from .notify_texts import DEFAULT_TEXTS, default_texts

    made = 0
    for event in DEFAULT_TEXTS:
        for channel in NotificationChannel.values:
            made += NotificationTemplate.objects.get_or_create(
                event=event, channel=channel, defaults=default_texts(event, channel))[1]
    return made


TEMPLATE_FIELDS = ("subject_ar", "subject_en", "body_ar", "body_en")


def notification_template_may_edit(user) -> bool:
    """The texts are the Amanah's, for every municipality: superusers and admins of an Amanah
    edit them; a branch's admin may read them only."""
    from .enums import MunicipalityKind, StaffRole
    from .permissions import admin_municipality_ids, staff_memberships

    ids = admin_municipality_ids(user)
    if ids is None:
        return True
    return any(m.role == StaffRole.ADMIN
               and m.department.municipality.kind == MunicipalityKind.AMANAH
               for m in staff_memberships(user))


@transaction.atomic
def notification_template_update(*, template_id: int, actor: User, subject_ar: str,
                                 subject_en: str, body_ar: str, body_en: str,
                                 is_active: bool) -> NotificationTemplate:
    """New words for one event's message; refused whole when a text names a placeholder its
    event does not provide, or a message has no text in one of the languages."""
    from .errors import NotFound, PermissionDenied

    if not notification_template_may_edit(actor):
        raise PermissionDenied("notification.not_allowed",
                               "تعديل نصوص الإشعارات لمشرفي الأمانة فقط.",
                               "Only the Amanah's administrators may edit notification texts.")
    template = NotificationTemplate.objects.select_for_update().filter(pk=template_id).first()
    if template is None:
        raise NotFound("notification.template_not_found", "النص غير موجود.",
                       "No such notification text.")
    values = {"subject_ar": subject_ar.strip(), "subject_en": subject_en.strip(),
              "body_ar": body_ar.strip(), "body_en": body_en.strip()}
    for field in ("body_ar", "body_en"):
        if not values[field]:
            raise DomainError("notification.text_required", "النص مطلوب باللغتين.",
                              "The text is required in both languages.", field=field)
    if template.channel == NotificationChannel.EMAIL:
        for field in ("subject_ar", "subject_en"):
            if not values[field]:
                raise DomainError("notification.subject_required",
                                  "عنوان البريد مطلوب باللغتين.",
                                  "The email's subject is required in both languages.",
                                  field=field)
    for field, text in values.items():
        template_text_check(event=template.event, text=text, field=field)
    for field, text in values.items():
        setattr(template, field, text)
    template.is_active = is_active
    template._history_user = actor
    template.save()
    return template
