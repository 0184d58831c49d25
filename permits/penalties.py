"""The permits side of the penalty registry: target "permit", reached by a permit's number.

A penalty (closure, licence suspension) decided elsewhere suspends the permit and its valid
sub-permits, with a reason naming the notice, as a staff suspension would; lifting reinstates
only a suspension that a penalty made (the last status event says so), never one staff made.
Both run in the caller's transaction and are safe to repeat.
"""

from amanah.penalties import penalty_target_register

from .enums import PermitEventKind
from .enums import PermitStatus as P
from .models import Permit
from .services.lifecycle import permit_status_cascade
from .services.permits import permit_lock

PENALTY_MARK = "penalty"


def _locked(ref: str) -> Permit | None:
    pk = Permit.objects.filter(number=ref).values_list("pk", flat=True).first()
    return permit_lock(pk) if pk is not None else None


def _reason(reason_ar: str, reason_en: str) -> str:
    return f"{reason_ar} — {reason_en}" if reason_en else reason_ar


def permit_penalty_apply(*, ref: str, penalty_kind: str, reason_ar: str, reason_en: str,
                         actor) -> str:
    """Suspend the valid permit `ref` and its valid sub-permits for a penalty."""
    permit = _locked(ref)
    if permit is None:
        return "no such permit"
    if permit.status == P.SUSPENDED:
        return "already suspended"
    if permit.status != P.VALID:
        return f"not valid ({permit.status})"
    permit_status_cascade(permit, actor=actor, reason=_reason(reason_ar, reason_en),
                          to_status=P.SUSPENDED, kind=PermitEventKind.SUSPENDED,
                          children_when=lambda child: child.status == P.VALID,
                          payload={PENALTY_MARK: penalty_kind})
    return "suspended"


def _suspended_by_penalty(permit: Permit, *, with_parent: bool = False) -> bool:
    last = permit.events.filter(to_status=P.SUSPENDED).order_by("-seq").first()
    payload = (last.payload or {}) if last is not None else {}
    return (permit.status == P.SUSPENDED and PENALTY_MARK in payload
            and (not with_parent or payload.get("with_parent") is not None))


def permit_penalty_lift(*, ref: str, reason_ar: str, reason_en: str, actor) -> str:
    """Reinstate the permit `ref` (and the sub-permits suspended with it) if a penalty
    suspended it; a suspension staff made stays."""
    permit = _locked(ref)
    if permit is None:
        return "no such permit"
    if not _suspended_by_penalty(permit):
        return "not suspended by a penalty"
    permit_status_cascade(permit, actor=actor, reason=_reason(reason_ar, reason_en),
                          to_status=P.VALID, kind=PermitEventKind.REINSTATED,
                          children_when=lambda child: _suspended_by_penalty(
                              child, with_parent=True),
                          payload={PENALTY_MARK: "lifted"})
    return "reinstated"


def permit_penalty_describe(ref: str) -> tuple[str, str]:
    return (f"الرخصة {ref}", f"Permit {ref}")


def register() -> None:
    penalty_target_register("permit", apply=permit_penalty_apply, lift=permit_penalty_lift,
                            describe=permit_penalty_describe)
