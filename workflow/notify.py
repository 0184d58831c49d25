"""What the workflow tells people, through amanah's notifications (amanah/notify.py).

Called inside the transaction that writes the event: the message is recorded with it and
sent after the commit, once per event (the key is the event's id). The applicant is told
only the event's `message` — the model's own split of what the applicant reads from the
internal note (the presenters read the same property) — and nothing of an internal event.
"""

from amanah.dates import dual_date_format
from amanah.notify import Recipient, notification_request, recipients_of

from .enums import CaseEventKind, StatusCategory
from .models import Case, CaseEvent, Escalation

DECIDED = frozenset({StatusCategory.APPROVED, StatusCategory.REJECTED, StatusCategory.CLOSED})


def _named(thing) -> dict[str, str]:
    if thing is None:
        return {"ar": "", "en": ""}
    return {"ar": thing.name_ar, "en": thing.name_en or thing.name_ar}


def _applicant_event_code(event: CaseEvent) -> str:
    if event.kind == CaseEventKind.SUBMITTED:
        return "case.submitted"
    category = event.to_state.category if event.to_state_id else None
    if event.kind == CaseEventKind.TRANSITION and category == StatusCategory.AWAITING_APPLICANT:
        return "case.returned"
    if event.kind == CaseEventKind.TRANSITION and category in DECIDED:
        return "case.decided"
    return "case.updated"


def case_applicant_notify(*, case: Case, event: CaseEvent) -> list[int]:
    """The applicant (or the establishment's representatives) hears about `event`."""
    # Not imported from presenters: they sit above the services that call this.
    if event.is_internal:
        return []
    recipients = recipients_of(person=case.applicant_person,
                               establishment=case.applicant_establishment)
    state = event.to_state if event.to_state_id else case.state
    return notification_request(
        event=_applicant_event_code(event), key=f"case-event:{event.pk}", recipients=recipients,
        context={"case_number": case.number, "service": _named(case.definition),
                 "state": _named(state), "message": event.message})


def case_event_notify(*, event_id: int) -> list[int]:
    """As above, for an event known by its id (the `notify_applicant` effect)."""
    event = (CaseEvent.objects.select_related(
        "case__applicant_person", "case__applicant_establishment", "case__state",
        "case__definition", "to_state", "department", "to_department", "from_department")
        .filter(pk=event_id).first())
    if event is None:
        return []
    return case_applicant_notify(case=event.case, event=event)


def _staff_recipients(case: Case, head) -> list[Recipient]:
    users = [user for user in (case.assignee, head) if user is not None]
    return [Recipient.of_user(user) for user in users]


def _sla_context(case: Case) -> dict:
    due = case.state_due_at or case.due_at
    return {"case_number": case.number, "service": _named(case.definition),
            "state": _named(case.state), "department": _named(case.department),
            "deadline": ({"ar": dual_date_format(due, "ar"), "en": dual_date_format(due, "en")}
                         if due else "")}


def case_sla_at_risk_notify(*, case: Case, head) -> list[int]:
    """The assignee and the head of the department: this step's deadline is close."""
    return notification_request(
        event="sla.at_risk",
        key=f"case-at-risk:{case.pk}:{case.state_entered_at.isoformat()}",
        recipients=_staff_recipients(case, head), context=_sla_context(case))


def escalation_notify(*, escalation: Escalation) -> list[int]:
    """The assignee and the head the case was escalated to: it is overdue."""
    case = escalation.case
    return notification_request(
        event="sla.overdue", key=f"escalation:{escalation.pk}",
        recipients=_staff_recipients(case, escalation.escalated_to), context=_sla_context(case))
