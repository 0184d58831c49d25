"""The staff reports: counts and amounts by item, district, inspector and status, the
collection rate per month with its chart, only for the municipalities the user is staff of."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from amanah.dates import RIYADH
from payments.models import Bill

from ..factories import fine_issued_make, submitted_inspection_make, violations_world

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=RIYADH)


@pytest.fixture
def world(clock):
    clock.set(NOW)
    world = violations_world()
    # a fine of 5,500 (FINE 500 + SERIOUS 5,000), half of it paid; a warning (WARN); a fine
    # awaiting approval (FINE, repeated: 1,000)
    world.fine = fine_issued_make(world, no=("FINE", "SERIOUS"))
    Bill.objects.filter(payable_ref=world.fine.number).update(amount_paid=Decimal("2750.00"))
    submitted_inspection_make(world, no=("WARN",))
    submitted_inspection_make(world, no=("FINE",))
    return world


def _text(response) -> str:
    return response.content.decode()


def _row(body: str, table: str, first_cell: str) -> list[str]:
    section = body.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                        row, re.S)]
        if cells and first_cell in cells[0]:
            return cells
    raise AssertionError(f"no row {first_cell!r} in {table}")


def test_the_inspector_reads_counts_amounts_and_the_collection_rate(client, world):
    # given the world's notices, and the inspector of the municipality
    client.force_login(world.inspector)
    # when they open the reports in English
    response = client.get("/en/violations/reports/")
    body = _text(response)
    # then each breakdown counts the notices and the issued amounts
    assert response.status_code == 200
    assert _row(body, "by-item", "SERIOUS") == ["SERIOUS — Expired food on sale", "0", "1",
                                                "SAR 5,000.00"]
    # FINE: one issued (500) and one awaiting approval (not counted in the amount)
    assert _row(body, "by-item", "FINE") == ["FINE — Goods displayed on the pavement", "0",
                                             "2", "SAR 500.00"]
    assert _row(body, "by-item", "WARN") == ["WARN — Dirty shop front", "1", "0",
                                             "SAR 0.00"]
    assert _row(body, "by-district", "north") == ["north", "1", "2", "SAR 5,500.00"]
    name = world.inspector.get_full_name() or world.inspector.username
    assert _row(body, "by-inspector", name) == [name, "1", "2", "SAR 5,500.00"]
    assert _row(body, "by-status", "Warning") == ["Warning", "Warned: correction due", "1",
                                                  "SAR 0.00"]
    # and half of the billed 5,500 is collected, this month
    assert _row(body, "per-month", "2026-12") == ["2026-12", "SAR 5,500.00", "SAR 2,750.00",
                                                  "50.0%"]
    assert 'id="kpi-rate">50.0%' in body
    # and the chart is an inline SVG with one bar for the month
    assert body.count('<rect class="chart-bar"') == 1
    assert "<title>2026-12: 50.00</title>" in body


def test_an_inspector_of_another_municipality_sees_none_of_it(client, world):
    client.force_login(world.other_inspector)
    body = _text(client.get("/en/violations/reports/"))
    assert "SERIOUS" not in body and "north" not in body
    assert 'id="kpi-billed">SAR 0.00' in body


def test_a_municipality_the_user_is_not_staff_of_is_not_found(client, world):
    client.force_login(world.inspector)
    response = client.get(f"/en/violations/reports/?m={world.other_municipality.pk}")
    assert response.status_code == 404


@pytest.mark.parametrize(("who", "expected"), [
    ("inspector", 200), ("approver", 200), ("legal_reviewer", 200), ("other_inspector", 200),
    ("cashier", 404), ("citizen", 404), ("delegate", 404), ("anonymous", 302)])
def test_who_may_open_the_reports(client, world, who, expected):
    user = {"citizen": world.citizen.user, "delegate": world.delegate.user,
            "anonymous": None}.get(who) or getattr(world, who, None)
    if user is not None:
        client.force_login(user)
    assert client.get("/ar/violations/reports/").status_code == expected


def test_a_date_range_narrows_the_report_and_a_bad_date_is_said_next_to_its_field(client,
                                                                                   world):
    client.force_login(world.inspector)
    body = _text(client.get("/en/violations/reports/?from=2026-10-01&to=2026-11-30"))
    assert "SERIOUS" not in body
    response = client.get("/en/violations/reports/?from=2026-13-45")
    assert response.status_code == 400
    assert 'aria-invalid="true"' in _text(response)


def test_an_admin_reports_on_every_municipality_and_may_choose_any(client, world):
    # given the other municipality's own fine, recorded by its inspector
    from amanah.models import User

    admin = User.objects.create_superuser("violations.admin", "admin@example.sa",
                                          "Admin-Pass-2026")
    client.force_login(admin)
    # when the admin opens the reports for all, then for the other municipality (nothing)
    everything = _text(client.get("/en/violations/reports/"))
    other = client.get(f"/en/violations/reports/?m={world.other_municipality.pk}")
    # then all of ours shows, and the other municipality's report is empty, not refused
    assert _row(everything, "by-item", "SERIOUS")[2] == "1"
    assert other.status_code == 200
    assert "SERIOUS" not in _text(other)


@pytest.mark.parametrize(("who", "entries"), [
    ("delegate", (True, False)), ("inspector", (False, True)), ("cashier", (False, False))])
def test_the_menu_offers_my_violations_to_citizens_and_reports_to_violations_staff(
        client, world, who, entries):
    user = world.delegate.user if who == "delegate" else getattr(world, who)
    client.force_login(user)
    body = _text(client.get("/en/violations/mine/" if who == "delegate"
                            else "/en/violations/reports/" if who == "inspector"
                            else "/en/payments/finance/"))
    assert ('href="/en/violations/mine/"' in body,
            'href="/en/violations/reports/"' in body) == entries


def test_the_arabic_report_captions_its_chart_in_arabic_and_keeps_a_decimal_point(client,
                                                                                  world):
    # given the inspector, reading the reports in Arabic
    client.force_login(world.inspector)
    body = client.get("/ar/violations/reports/").content.decode()
    # then the chart's caption is Arabic (a "%" in {% translate %} would have missed it)
    assert '<figcaption class="muted small">نسبة التحصيل الشهرية (٪)</figcaption>' in body
    assert "Collection rate per month" not in body
    # and the rate is written as on every other page, with a decimal point
    assert 'id="kpi-rate">50.0%' in body
