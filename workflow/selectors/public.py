"""The public status check: a case's progress for anyone who has its number and the
applicant's ID, and nothing else."""

import datetime as dt
import hmac
from dataclasses import dataclass

from amanah.errors import NotFound
from amanah.identity import digits_normalise

from ..enums import CaseChannel, CaseEventKind
from ..models import Case, CaseEvent


@dataclass(frozen=True)
class PublicStep:
    at: dt.datetime
    name_ar: str
    name_en: str
    category: str


@dataclass(frozen=True)
class PublicStatus:
    number: str
    kind_ar: str
    kind_en: str
    state_ar: str
    state_en: str
    category: str
    submitted_at: dt.datetime
    expected_completion: dt.datetime | None
    closed_at: dt.datetime | None
    steps: list[PublicStep]


def case_status_public(*, number: str, national_id: str) -> PublicStatus:
    """Status by case number and the applicant's ID; one answer for "no such case" and
    "wrong ID", so the check cannot be used to discover case numbers."""
    number = digits_normalise(number).upper()
    national_id = digits_normalise(national_id)
    case = (Case.objects.select_related("state", "definition", "applicant_person",
                                        "submitted_by__person")
            .filter(number=number).first())
    owner_ids = []
    if case is not None:
        if case.applicant_person is not None:
            owner_ids.append(case.applicant_person.national_id)
        # A clerk who filed at the counter is not the case's owner.
        submitter = (getattr(case.submitted_by, "person", None)
                     if case.submitted_by and case.channel != CaseChannel.COUNTER else None)
        if submitter is not None:
            owner_ids.append(submitter.national_id)
    matched = any(hmac.compare_digest(owner.encode(), national_id.encode())
                  for owner in owner_ids)
    if case is None or not national_id or not matched:
        raise NotFound("workflow.status_not_found",
                       "لا توجد معاملة بهذا الرقم لصاحب هذه الهوية.",
                       "No transaction with this number for this ID.")
    steps = [PublicStep(e.at, e.to_state.name_ar, e.to_state.name_en,
                        e.to_state.category)
             for e in CaseEvent.objects.filter(case=case, to_state__isnull=False)
             .exclude(kind=CaseEventKind.TRANSFERRED).select_related("to_state").order_by("seq")]
    return PublicStatus(case.number, case.definition.name_ar, case.definition.name_en,
                        case.state.name_ar, case.state.name_en, case.category,
                        case.submitted_at, case.due_at, case.closed_at, steps)
