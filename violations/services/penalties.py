"""Penalties beyond the fine: created and applied at approval, lifted when served, when paid,
or both, as the item says; cancelled with their line when an objection is accepted.

Closure and licence suspension reach the offender's licence or permit through the penalty
registry (target "permit", registered by permits); removal and confiscation reach nothing and
are only recorded. A target stays suspended while another penalty on it is still active.
Every change is made under the notice's lock through `records.penalty_status_change`.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q

from amanah import clock
from amanah.dates import business_date
from amanah.penalties import penalty_target_get

from ..enums import SUSPENDING_PENALTIES, LineStatus, PenaltyKind, PenaltyLift, PenaltyStatus
from ..models import Penalty, Violation, ViolationLine
from .records import penalty_status_change, violation_lock

PERMIT_TARGET = "permit"
SERVED_RULES = (PenaltyLift.SERVED, PenaltyLift.SERVED_AND_PAID)
PAID_RULES = (PenaltyLift.PAID, PenaltyLift.SERVED_AND_PAID)


def _reasons(violation: Violation, penalty: Penalty, *, lifted: bool = False) -> tuple[str, str]:
    kind = PenaltyKind(penalty.kind)
    from django.utils import translation

    with translation.override("ar"):
        label_ar = str(kind.label)
    with translation.override("en"):
        label_en = str(kind.label)
    if lifted:
        return (f"رفع عقوبة المخالفة {violation.number}: {label_ar}",
                f"Penalty of violation {violation.number} lifted: {label_en}")
    return (f"عقوبة المخالفة {violation.number}: {label_ar}",
            f"Penalty of violation {violation.number}: {label_en}")


def penalties_create(*, violation: Violation, actor) -> list[Penalty]:
    """At approval: a penalty for each payable line whose item has one, in force from today
    (closure and suspension applied to the notice's licence or permit)."""
    today = business_date(clock.now())
    made = []
    lines = (violation.lines.select_related("item")
             .filter(status=LineStatus.PAYABLE, penalty__isnull=True)
             .exclude(item__penalty_kind="").order_by("id"))
    for line in lines:
        item = line.item
        reaches = item.penalty_kind in SUSPENDING_PENALTIES and bool(violation.permit_number)
        penalty = Penalty.objects.create(
            line=line, kind=item.penalty_kind, lifts_on=item.penalty_lifts_on or PenaltyLift.PAID,
            days=item.penalty_days, target_kind=PERMIT_TARGET if reaches else "",
            target_ref=violation.permit_number if reaches else "",
            status=PenaltyStatus.PENDING)
        penalty.starts_on = today
        penalty.ends_on = today + dt.timedelta(days=item.penalty_days or 0)
        result = "recorded"
        if reaches:
            reason_ar, reason_en = _reasons(violation, penalty)
            result = penalty_target_get(PERMIT_TARGET).apply(
                ref=penalty.target_ref, penalty_kind=penalty.kind, reason_ar=reason_ar,
                reason_en=reason_en, actor=actor)
        penalty_status_change(violation=violation, penalty=penalty, to_status=PenaltyStatus.ACTIVE,
                              actor=actor, payload={"result": result},
                              extra_fields=["starts_on", "ends_on"])
        made.append(penalty)
    return made


def _is_due(penalty: Penalty, line: ViolationLine, today: dt.date) -> bool:
    served = penalty.ends_on is not None and penalty.ends_on <= today
    paid = line.status == LineStatus.PAID
    return {PenaltyLift.SERVED: served, PenaltyLift.PAID: paid,
            PenaltyLift.SERVED_AND_PAID: served and paid}.get(penalty.lifts_on, False)


def _target_release(*, violation: Violation, penalty: Penalty, actor) -> str:
    if not penalty.target_kind:
        return "nothing to reach"
    others = (Penalty.objects.filter(target_kind=penalty.target_kind,
                                     target_ref=penalty.target_ref, status=PenaltyStatus.ACTIVE)
              .exclude(pk=penalty.pk))
    if others.exists():
        return "kept: another penalty is active on it"
    reason_ar, reason_en = _reasons(violation, penalty, lifted=True)
    return penalty_target_get(penalty.target_kind).lift(
        ref=penalty.target_ref, reason_ar=reason_ar, reason_en=reason_en, actor=actor)


def _lift(*, violation: Violation, penalty: Penalty, actor, to_status: str, why: str) -> None:
    # The target is released unless another active penalty (not this one) still holds it.
    result = ""
    if penalty.status == PenaltyStatus.ACTIVE:
        result = _target_release(violation=violation, penalty=penalty, actor=actor)
    penalty.lifted_at = clock.now()
    penalty_status_change(violation=violation, penalty=penalty, to_status=to_status, actor=actor,
                          reason=why, payload={"result": result}, extra_fields=["lifted_at"])


def penalties_on_line_paid(*, violation: Violation, line: ViolationLine, actor) -> bool:
    """The line was paid: lift its penalty if it lifts on payment (and is served, if both)."""
    penalty = Penalty.objects.select_for_update().filter(line=line).first()
    if penalty is None or penalty.status != PenaltyStatus.ACTIVE:
        return False
    if not _is_due(penalty, line, business_date(clock.now())):
        return False
    _lift(violation=violation, penalty=penalty, actor=actor, to_status=PenaltyStatus.LIFTED,
          why="paid")
    return True


def penalties_on_line_cancelled(*, violation: Violation, line: ViolationLine, actor) -> bool:
    """The line was cancelled on objection: its penalty is cancelled (lifted if in force)."""
    penalty = Penalty.objects.select_for_update().filter(line=line).first()
    if penalty is None or penalty.status not in (PenaltyStatus.PENDING, PenaltyStatus.ACTIVE):
        return False
    _lift(violation=violation, penalty=penalty, actor=actor, to_status=PenaltyStatus.CANCELLED,
          why="line cancelled on objection")
    return True


def penalty_lift_due(*, today: dt.date | None = None, limit: int = 500) -> int:
    """Daily (and the sweeper of the after-payment task): lift every active penalty whose
    rule is met — served by today, its line paid, or both. Returns how many were lifted."""
    today = today or business_date(clock.now())
    served = Q(lifts_on=PenaltyLift.SERVED, ends_on__lte=today)
    paid = Q(lifts_on=PenaltyLift.PAID, line__status=LineStatus.PAID)
    both = Q(lifts_on=PenaltyLift.SERVED_AND_PAID, ends_on__lte=today,
             line__status=LineStatus.PAID)
    candidates = list(Penalty.objects.filter(status=PenaltyStatus.ACTIVE)
                      .filter(served | paid | both).order_by("ends_on", "pk")
                      .values_list("pk", "line__violation_id")[:limit])
    lifted = 0
    for penalty_id, violation_id in candidates:
        with transaction.atomic():
            violation = violation_lock(violation_id)
            penalty = (Penalty.objects.select_for_update(of=("self",)).select_related("line")
                       .get(pk=penalty_id))
            if penalty.status != PenaltyStatus.ACTIVE or not _is_due(penalty, penalty.line,
                                                                     today):
                continue
            _lift(violation=violation, penalty=penalty, actor=None,
                  to_status=PenaltyStatus.LIFTED,
                  why="served" if penalty.lifts_on == PenaltyLift.SERVED else "served and paid"
                  if penalty.lifts_on == PenaltyLift.SERVED_AND_PAID else "paid")
            lifted += 1
    return lifted
