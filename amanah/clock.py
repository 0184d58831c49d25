"""The one source of "now" for business rules, so that tests can move time without sleeping."""

import datetime as dt

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen if _frozen is not None else timezone.now()


def freeze(moment: dt.datetime | None) -> None:
    """Tests only: pin now() to an aware moment, or release it with None."""
    global _frozen
    if moment is not None and timezone.is_naive(moment):
        raise ValueError("the clock takes aware datetimes")
    _frozen = moment
