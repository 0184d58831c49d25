"""The penalty registry: how a penalty decided in one app reaches a thing another app owns.

Violations decides that a licence is suspended or a shop closed for N days; permits owns the
licence. Neither imports the other: permits registers, for the target kind "permit", how to
apply a penalty to a permit by its number and how to lift it, and violations calls through here.
Both functions run inside the caller's transaction and take the caller's actor and reason;
`apply` and `lift` must be safe to call when the target is already in the requested state.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PenaltyTarget:
    kind: str
    # apply(*, ref, penalty_kind, reason_ar, reason_en, actor) -> str  (what it did, for the record)
    apply: Callable[..., str]
    # lift(*, ref, reason_ar, reason_en, actor) -> str
    lift: Callable[..., str]
    # describe(ref) -> (label_ar, label_en), e.g. ("رخصة محل CL-KHB-1448-000003", "Shop licence …")
    describe: Callable[[str], tuple[str, str]] | None = None


_targets: dict[str, PenaltyTarget] = {}


def penalty_target_register(kind: str, *, apply: Callable[..., Any], lift: Callable[..., Any],
                            describe: Callable[[str], tuple[str, str]] | None = None) -> None:
    """Register (or replace, e.g. on autoreload) the target kind `kind`."""
    _targets[kind] = PenaltyTarget(kind=kind, apply=apply, lift=lift, describe=describe)


def penalty_target_get(kind: str) -> PenaltyTarget:
    try:
        return _targets[kind]
    except KeyError:
        raise LookupError(f"no penalty target {kind!r} is registered") from None


def penalty_target_kinds() -> list[str]:
    return sorted(_targets)
