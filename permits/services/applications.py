"""The application's row lock, its events and its one status writer."""

import datetime as dt

from amanah import clock
from amanah.errors import Conflict, NotFound

from ..enums import ApplicationEventKind, ApplicationStatus
from ..models import Application, ApplicationEvent

S = ApplicationStatus

# from status → the statuses it may move to. Anything else is refused.
APPLICATION_MOVES: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.AWAITING_CONSENT, S.IN_REVIEW, S.WITHDRAWN}),
    S.AWAITING_CONSENT: frozenset({S.IN_REVIEW, S.CONSENT_DECLINED, S.DRAFT, S.WITHDRAWN}),
    # A declined application goes back to its office to be revised and offered again.
    S.CONSENT_DECLINED: frozenset({S.DRAFT}),
    S.IN_REVIEW: frozenset({S.AWAITING_CORRECTION, S.AWAITING_FEE, S.ISSUED, S.REJECTED,
                            S.WITHDRAWN}),
    S.AWAITING_CORRECTION: frozenset({S.IN_REVIEW, S.REJECTED, S.WITHDRAWN}),
    S.AWAITING_FEE: frozenset({S.ISSUED, S.WITHDRAWN}),
    S.ISSUED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}


def application_not_found() -> NotFound:
    return NotFound("permits.application_not_found", "الطلب غير موجود.",
                    "There is no such application.")


def application_lock(application_id: int, *, expected_version: int | None = None) -> Application:
    """The application's row, locked for the rest of the transaction (call inside atomic)."""
    application = (Application.objects.select_for_update(of=("self",))
                   .select_related("permit_type", "municipality")
                   .filter(pk=application_id).first())
    if application is None:
        raise application_not_found()
    if expected_version is not None and application.row_version != expected_version:
        raise Conflict("permits.application_changed",
                       "تغيّر الطلب منذ فتحته؛ أعد تحميل الصفحة وحاول مرة أخرى.",
                       "The application changed since you opened it; reload and try again.")
    return application


def application_event_append(application: Application, *, kind: str, actor=None,
                             at: dt.datetime | None = None, from_status: str = "",
                             to_status: str = "", reason: str = "",
                             payload: dict | None = None) -> ApplicationEvent:
    """Append the next link of the application's chain; the caller holds the row lock (or is
    creating the row) and saves the application in the same transaction."""
    event = ApplicationEvent(kind=kind, actor=actor if getattr(actor, "pk", None) else None,
                             at=at or clock.now(), from_status=from_status, to_status=to_status,
                             reason=reason or "", payload=payload or {},
                             application_kind=application.kind)
    event.link(application)
    if application.pk is not None:
        event.application = application
        event.save()
    return event


def application_save(application: Application, fields: list[str]) -> None:
    """Save the named columns with the chain head and the version bump every change makes."""
    application.row_version += 1
    application.updated_at = clock.now()
    application.save(update_fields=[*fields, "last_event_seq", "last_event_hash", "row_version",
                                    "updated_at"])


def application_status_change(*, application: Application, to_status: str, actor=None,
                              reason: str = "", payload: dict | None = None) -> ApplicationEvent:
    """The one writer of Application.status: the caller holds the row lock (application_lock)."""
    from_status = application.status
    if to_status not in APPLICATION_MOVES.get(from_status, frozenset()):
        raise Conflict("permits.application_status_refused",
                       "لا يمكن تنفيذ هذا الإجراء على الطلب في حالته الحالية.",
                       "This cannot be done to the application in its current status.")
    at = clock.now()
    application.status = to_status
    fields = ["status"]
    if to_status in (S.IN_REVIEW,) and application.submitted_at is None:
        application.submitted_at = at
        fields.append("submitted_at")
    if to_status in (S.ISSUED, S.REJECTED):
        application.decided_at = at
        fields.append("decided_at")
        if reason:
            application.decision_reason = reason
            fields.append("decision_reason")
    event = application_event_append(application, kind=ApplicationEventKind.STATUS_CHANGED,
                                     actor=actor, at=at, from_status=from_status,
                                     to_status=to_status, reason=reason, payload=payload)
    application_save(application, fields)
    return event
