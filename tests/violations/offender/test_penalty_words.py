"""How a penalty is put in words on the offender's notice page: a suspension that lasts until
the fine is paid has a start and no served period, so no "end" (which fell on the day before the
start, as the browser walk showed)."""

import datetime as dt

from django.utils import translation

from violations.enums import PenaltyKind, PenaltyLift, PenaltyStatus
from violations.models import Penalty
from violations.selectors import penalty_words

START = dt.date(2026, 12, 1)


def _penalty(**values) -> Penalty:
    return Penalty(**{"kind": PenaltyKind.LICENCE_SUSPENSION, "status": PenaltyStatus.ACTIVE,
                      "starts_on": START, **values})


def test_a_penalty_until_paid_names_its_start_and_no_end_before_it():
    # given a suspension lifted on payment, with no days to serve (ends_on = starts_on)
    penalty = _penalty(lifts_on=PenaltyLift.PAID, days=None, ends_on=START)
    # when it is put in words
    with translation.override("en"):
        words = penalty_words(penalty, "en")
    # then it starts on 1 December and runs until the fine is paid; no "until the end of"
    assert words == ("Suspension of the licence or permit from 21 Jumada al-Akhirah 1448 AH — "
                     "1 December 2026, until the fine is paid (In force).")


def test_a_served_penalty_still_names_its_last_day():
    # given a three-day closure (ends_on is the first day it no longer runs)
    penalty = _penalty(kind=PenaltyKind.CLOSURE, lifts_on=PenaltyLift.SERVED, days=3,
                       ends_on=START + dt.timedelta(days=3))
    # then its last day is 3 December
    with translation.override("en"):
        words = penalty_words(penalty, "en")
    assert words == (
        "Closure of the premises from 21 Jumada al-Akhirah 1448 AH — 1 December 2026 until the "
        "end of 23 Jumada al-Akhirah 1448 AH — 3 December 2026 (In force).")
