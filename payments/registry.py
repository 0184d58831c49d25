"""The payable registry: each kind of thing that can be billed says how to describe itself and
what happens once it is paid. Apps that depend on payments (permits, violations) register their
kinds in `AppConfig.ready()`; payments itself never imports them.

The rule for `on_paid` (money never waits for, or fails because of, anything else):
- it runs inside the transaction that records the payment, with the bill and the payment
  locked, and records what was paid in its own app's rows (a permit's fee marked paid);
- it takes no other lock and does no I/O: anything further — moving the case on, making a
  certificate, sending an SMS — is only *scheduled*: a case move with
  `workflow.services.case_move_request(case_id=..., action=..., source=...)`, a task with
  `amanah.dispatch.task_on_commit`. Those run after the commit, retry while the case is busy,
  and have sweepers, so a clerk holding the case open cannot hold up or fail a payment;
- if it raises anyway, the payment is still recorded (its effects are rolled back to a
  savepoint), flagged for review and logged: SADAD's money is never refused.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PayableKind:
    kind: str
    # describe(ref) -> (description_ar, description_en) for a bill about object `ref`
    describe: Callable[[str], tuple[str, str]]
    # on_paid(bill=..., payment=...) runs inside the transaction that records the payment; it
    # records what was paid and only schedules the rest (see the module's rule). None: nothing
    # waits on the payment (a miscellaneous fee is settled by the payment itself).
    on_paid: Callable[..., Any] | None


_registry: dict[str, PayableKind] = {}


def payable_register(kind: str, *, describe: Callable[[str], tuple[str, str]],
                     on_paid: Callable[..., Any] | None) -> None:
    """Register (or re-register, e.g. on autoreload) how a payable kind behaves; `on_paid`
    follows the module's rule: record, schedule, never move a case inline."""
    _registry[kind] = PayableKind(kind=kind, describe=describe, on_paid=on_paid)


def payable_get(kind: str) -> PayableKind:
    try:
        return _registry[kind]
    except KeyError:
        raise LookupError(f"no payable kind {kind!r} is registered") from None


def payable_kinds() -> list[str]:
    return sorted(_registry)


MISC_FEE = "misc_fee"


def _misc_fee_describe(ref: str) -> tuple[str, str]:
    return (f"رسوم متنوعة {ref}", f"Miscellaneous fee {ref}")


def register_builtin_kinds() -> None:
    # A miscellaneous fee (a challan) is settled by the payment itself: nothing waits on it.
    payable_register(MISC_FEE, describe=_misc_fee_describe, on_paid=None)
