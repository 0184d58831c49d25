"""The obligations registry: what a person or establishment (or what sits on a parcel) is still
owed to the municipality — an overdue bill, an unpaid fine — for prerequisites such as "no
unpaid fines" and for telling a citizen why they are refused and how to settle it.

amanah imports no app: the apps that know debts (payments, violations) register a provider in
their `AppConfig.ready()`, and whoever checks a prerequisite asks `obligations_for`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse


@dataclass(frozen=True, kw_only=True)
class Obligation:
    code: str  # stable, "<app>.<what>": "payments.bill_overdue"
    reason_ar: str  # a sentence the citizen reads: which, how much, since when
    reason_en: str
    reference: str  # the number the citizen quotes: a bill number, a violation number
    category: str  # chosen by the provider, lower case: "fine", "fee"
    amount: Decimal | None = None
    pay_url_name: str | None = None  # where to pay it, when it can be paid online
    pay_url_args: tuple = ()
    parcel_ref: str | None = None  # set when the obligation concerns a parcel

    def reason(self, language: str = "ar") -> str:
        return self.reason_en if language.startswith("en") else self.reason_ar

    @property
    def pay_url(self) -> str | None:
        if not self.pay_url_name:
            return None
        return reverse(self.pay_url_name, args=self.pay_url_args)


# fn(*, person=None, establishment=None, parcel_ref=None, categories=None) -> list[Obligation]
ObligationProvider = Callable[..., list[Obligation]]

_providers: dict[str, ObligationProvider] = {}


def obligation_provider_register(name: str, fn: ObligationProvider) -> None:
    """Register (or replace, e.g. on autoreload) the provider called `name`. It returns the
    obligations of any of the subjects it is given, in a deterministic order, only of
    `categories` when that is not None, and [] for a subject it knows nothing about."""
    _providers[name] = fn


def obligations_for(*, person=None, establishment=None, parcel_ref: str | None = None,
                    categories: Iterable[str] | None = None) -> list[Obligation]:
    """Everything still owed by the person, by the establishment, or on the parcel (any that
    are given), from every provider: providers in the order of their names, each one's
    obligations in its own order. `categories` (e.g. {"fine"}) keeps only those."""
    if person is None and establishment is None and not parcel_ref:
        raise ValueError("obligations_for needs a person, an establishment or a parcel_ref")
    wanted = frozenset(categories) if categories is not None else None
    if wanted is not None and not wanted:
        return []
    found: list[Obligation] = []
    # A provider that fails is not skipped: a prerequisite must not pass because the app that
    # knows the debt could not be asked.
    for name in sorted(_providers):
        obligations = _providers[name](person=person, establishment=establishment,
                                       parcel_ref=parcel_ref, categories=wanted)
        found.extend(o for o in obligations if wanted is None or o.category in wanted)
    return found
