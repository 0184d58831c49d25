"""The payable registry: each kind of thing that can be billed says how to describe itself and
what happens once it is paid. Apps that depend on payments (permits, violations) register their
kinds in `AppConfig.ready()`; payments itself never imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PayableKind:
    kind: str
    # describe(ref) -> (description_ar, description_en) for a bill about object `ref`
    describe: Callable[[str], tuple[str, str]]
    # on_paid(bill=..., payment=...) runs inside the transaction that records the payment,
    # so the thing billed moves on atomically with the money; it must not do I/O.
    on_paid: Callable[..., Any]


_registry: dict[str, PayableKind] = {}


def payable_register(kind: str, *, describe: Callable[[str], tuple[str, str]],
                     on_paid: Callable[..., Any]) -> None:
    """Register (or re-register, e.g. on autoreload) how a payable kind behaves."""
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


def _misc_fee_on_paid(*, bill, payment) -> None:
    # A miscellaneous fee (a challan) is settled by the payment itself: nothing else waits on it.
    return None


def register_builtin_kinds() -> None:
    payable_register(MISC_FEE, describe=_misc_fee_describe, on_paid=_misc_fee_on_paid)
