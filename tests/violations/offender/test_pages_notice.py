"""The notice page and "my violations" as the offender reads them: the fine's computation in
plain words, the bill with biller code and a pay link, objections and their outcome,
penalties in plain words, the warning's deadline; and the list's filters and actions."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.dates import RIYADH, dual_date_format
from payments.models import Bill
from violations.enums import ObjectionDecision, ObjectionStatus, PenaltyLift, PenaltyStatus
from violations.models import Objection, ObjectionLine, Penalty

from ..factories import (
    fine_issued_make,
    submitted_inspection_make,
    violations_world,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=RIYADH)


@pytest.fixture
def world(clock):
    clock.set(NOW)
    world = violations_world()
    world.fine = fine_issued_make(world, no=("FINE", "SERIOUS"))
    world.bill = Bill.objects.get(payable_ref=world.fine.number)
    return world


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_fine_is_explained_line_by_line_with_its_bill(client, world):
    # when the delegate opens the fine in English
    body = _page(client, world.delegate.user, f"/en/violations/{world.fine.number}/")
    # then each line says how its fine was reached
    assert ("The fine for this item in a class 2 municipality is between SAR 500.00 and "
            "SAR 1,000.00.") in body
    assert "Small establishment: 50.00% of the maximum, and never below the minimum: " \
           "SAR 500.00." in body
    assert "Occurrence number 1 within the look-back period: multiplied by 1." in body
    assert "The cap for repeated fines is SAR 1,500.00; it was not reached." in body
    assert "Fine: SAR 5,000.00." in body
    # and the bill shows the biller code, its number, amount and due date, with a pay link
    assert f'href="/en/payments/bills/{world.bill.billing_account}/"' in body
    assert '<td dir="ltr">090</td>' in body
    assert "SAR 5,500.00" in body
    # and objections are open until the latest objection day among the payable lines
    assert "Objections accepted until" in body
    # and no object link while the objections part has no page yet (or its page, once it has)
    from violations.views.offender import object_url
    expected = object_url(world.fine.number)
    assert (expected in body) if expected else ("/object" not in body)


def test_the_arabic_page_explains_the_fine_in_arabic(client, world):
    body = _page(client, world.delegate.user, f"/ar/violations/{world.fine.number}/")
    assert "غرامة هذا البند في بلدية من الفئة 2 بين 500.00 ر.س و1,000.00 ر.س." in body
    assert "مراقب البلدية" in body


def test_penalties_and_objections_are_said_in_plain_words(client, world):
    # given a closure running 3 days on the SERIOUS line, a suspension until paid on FINE,
    # and an objection to the FINE line reduced to 250
    lines = {x.item_code: x for x in world.fine.lines.all()}
    Penalty.objects.create(line=lines["SERIOUS"], kind="closure", lifts_on=PenaltyLift.SERVED,
                           days=3, status=PenaltyStatus.ACTIVE,
                           starts_on=dt.date(2026, 12, 2), ends_on=dt.date(2026, 12, 5))
    Penalty.objects.create(line=lines["FINE"], kind="licence_suspension",
                           lifts_on=PenaltyLift.PAID, target_kind="permit",
                           target_ref="CL-M911-1448-000001", status=PenaltyStatus.PENDING)
    objection = Objection.objects.create(number="VO-M911-1448-000001", violation=world.fine,
                                         filed_by=world.delegate.user,
                                         status=ObjectionStatus.DECIDED)
    ObjectionLine.objects.create(objection=objection, line=lines["FINE"], reason="wrong",
                                 decision=ObjectionDecision.REDUCED,
                                 reduced_amount=Decimal("250.00"), decision_note="first time")
    # when the delegate opens the notice
    body = _page(client, world.delegate.user, f"/en/violations/{world.fine.number}/")
    # then the closure's dates, the suspension's condition and the objection's outcome show
    assert "Closure of the premises from" in body and "(In force)." in body
    assert ("Suspension of the licence or permit (licence or permit CL-M911-1448-000001) "
            "until the fine is paid (Not yet in force).") in body
    assert "VO-M911-1448-000001" in body
    assert "Partly accepted: the fine is reduced — SAR 250.00 — first time" in body


def test_a_warning_shows_its_deadline_and_no_amount(client, world):
    _, (warning,) = submitted_inspection_make(world, offender="person", no=("WARN",))
    body = _page(client, world.citizen.user, f"/en/violations/{warning.number}/")
    # 7 days to correct the WARN item, from 1 December
    assert warning.correction_due == dt.date(2026, 12, 8)
    assert f"<dt>Correct by</dt><dd>{dual_date_format(warning.correction_due, 'en')}</dd>" in body
    assert "Fine:" not in body and "Amount due" not in body


def test_my_violations_lists_filters_and_offers_pay(client, world):
    # given a warning against the delegate's establishment too, and a warning against the
    # delegate as a person
    submitted_inspection_make(world, no=("WARN",))
    # when the delegate opens their list, then the establishment's page
    client.force_login(world.delegate.user)
    everything = client.get("/en/violations/mine/").content.decode()
    chosen = client.get(f"/en/violations/mine/?e={world.establishment.unified_number}")
    person_only = client.get("/en/violations/mine/?e=person").content.decode()
    # then the fine shows its amount due and a pay link to its bill
    assert world.fine.number in everything
    assert f'href="/en/payments/bills/{world.bill.billing_account}/"' in everything
    assert "SAR 5,500.00" in everything
    assert everything.count('href="/en/violations/W-') == 1
    # and the establishment's page shows the same notices with its compliance section
    assert chosen.status_code == 200
    assert world.fine.number in chosen.content.decode()
    # and its compliance points: 100 − 25 (SERIOUS fine) − 10 (FINE fine) − 5 (WARN warning)
    chosen_body = chosen.content.decode()
    assert 'id="compliance-points">60</strong> / 100 — Medium risk' in chosen_body
    assert "A routine inspection is planned about every 180 days." in chosen_body
    assert '<li>Serious fines (1): <span dir="ltr">-25</span></li>' in chosen_body
    assert '<li>Other fines (1): <span dir="ltr">-10</span></li>' in chosen_body
    assert '<li>Warnings (1): <span dir="ltr">-5</span></li>' in chosen_body
    assert "<li>Correct the open warning before its deadline</li>" in chosen_body
    # and none is against them as a person
    assert "No violation is recorded against you." in person_only
    # and an establishment they do not represent is not found
    assert client.get("/en/violations/mine/?e=7999999999").status_code == 404
