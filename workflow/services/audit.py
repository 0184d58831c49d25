"""Checking the hash chain of case events: any edit, insertion or removal breaks a link."""

from dataclasses import dataclass

from ..models import Case, CaseEvent


@dataclass(frozen=True)
class AuditResult:
    ok: bool
    checked: int
    case_id: int | None = None
    case_number: str = ""
    event_id: int | None = None
    reason: str = ""


def audit_verify(*, case_id: int | None = None, chunk_size: int = 2000) -> AuditResult:
    """Walk every chain in order; report the first event whose link does not hold."""
    events = CaseEvent.objects.order_by("case_id", "seq")
    cases = Case.objects.order_by("id")
    if case_id is not None:
        events, cases = events.filter(case_id=case_id), cases.filter(pk=case_id)
    heads = dict(cases.values_list("id", "last_event_hash"))
    numbers: dict[int, str] = {}

    def broken(event: CaseEvent | None, case: int, reason: str) -> AuditResult:
        if case not in numbers:
            numbers[case] = Case.objects.filter(pk=case).values_list("number", flat=True).first()
        return AuditResult(False, checked, case, numbers[case] or "",
                           event.pk if event else None, reason)

    checked, current, prev_hash, expected_seq = 0, None, "", 1
    for event in events.iterator(chunk_size=chunk_size):
        if event.case_id != current:
            if current is not None and heads.get(current) != prev_hash:
                return broken(None, current, "the case's newest event is missing or replaced")
            current, prev_hash, expected_seq = event.case_id, "", 1
        if event.seq != expected_seq:
            return broken(event, current, f"sequence jumps from {expected_seq - 1} to {event.seq}")
        if event.prev_hash != prev_hash:
            return broken(event, current, "link to the previous event does not match")
        if event.compute_hash() != event.hash:
            return broken(event, current, "content does not match its hash")
        prev_hash, expected_seq = event.hash, expected_seq + 1
        checked += 1
    if current is not None and heads.get(current) != prev_hash:
        return broken(None, current, "the case's newest event is missing or replaced")
    return AuditResult(True, checked)
