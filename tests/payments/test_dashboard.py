"""The collections dashboard: exact totals per day, service, municipality and channel, scoped
to the staff member's municipalities, with a fixed number of queries."""

import datetime as dt
import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from amanah.enums import OwningApp, StaffRole
from payments.services import payment_record
from tests.factories import EServiceFactory

from .factories import UNKNOWN_ACCOUNT, at_riyadh
from .pages_helpers import client_for, world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _paid(bill, *, at, channel):
    payment_record(sptn=f"SP{uuid.uuid4().int % 10**16:016d}", amount=bill.amount,
                   billing_account=bill.billing_account, bank_id="RJHISARI", channel=channel,
                   method="ACTDEB", processed_at=at)


@pytest.fixture
def collections(world, clock):
    clock.set(at_riyadh(2026, 11, 30, 12, 0))
    signage = EServiceFactory(code="signage_permit", name_ar="رخصة لوحة",
                              name_en="Signage permit", owning_app=OwningApp.PAYMENTS)
    _paid(world.bill(amount="150.00"), at=at_riyadh(2026, 11, 28, 10, 0), channel="INTERNET")
    _paid(world.bill(amount="200.50", eservice=signage), at=at_riyadh(2026, 11, 30, 9, 0),
          channel="ATM")
    # 23:30 in Riyadh is still the 30th there, though already the 1st nowhere near
    _paid(world.bill(amount="99.50", municipality=world.other_branch),
          at=at_riyadh(2026, 11, 30, 23, 30), channel="MOBILE")
    # outside the default fortnight
    _paid(world.bill(amount="1000.00"), at=at_riyadh(2026, 11, 10, 10, 0), channel="ATM")
    # money for no known bill: in suspense, counted apart
    payment_record(sptn="SP-SUSPENSE-1", amount=Decimal("10.00"), billing_account=UNKNOWN_ACCOUNT,
                   bank_id="NCBKSAJE", channel="ATM", method="CASH",
                   processed_at=at_riyadh(2026, 11, 29, 8, 0))
    # a bill never paid counts for nothing
    world.bill(amount="500.00")
    return world


def _rows(rows):
    return [(r.key, r.count, r.total) for r in rows]


def test_totals_for_the_amanah_finance_head_are_exact(client, collections):
    # given the Amanah's finance head, who oversees every municipality
    head = collections.staff("finance", StaffRole.HEAD, collections.amanah)
    # when they open the dashboard with the default window (the last 14 days)
    response = client_for(client, head).get(reverse("payments:finance_dashboard"))
    summary = response.context["summary"]
    # then every total is exact
    assert (summary.date_from, summary.date_to) == (dt.date(2026, 11, 17), dt.date(2026, 11, 30))
    assert (summary.total, summary.count) == (Decimal("450.00"), 3)
    assert (summary.suspense_total, summary.suspense_count) == (Decimal("10.00"), 1)
    days = {r.key: (r.count, r.total) for r in summary.per_day}
    assert len(days) == 14
    assert days["2026-11-28"] == (1, Decimal("150.00"))
    assert days["2026-11-30"] == (2, Decimal("300.00"))
    assert sum(c for c, _ in days.values()) == 3
    assert _rows(summary.per_service) == [("misc_fee", 2, Decimal("249.50")),
                                          ("signage_permit", 1, Decimal("200.50"))]
    assert _rows(summary.per_municipality) == [("KHB", 2, Decimal("350.50")),
                                               ("QTF", 1, Decimal("99.50"))]
    assert _rows(summary.per_channel) == [("ATM", 1, Decimal("200.50")),
                                          ("INTERNET", 1, Decimal("150.00")),
                                          ("MOBILE", 1, Decimal("99.50"))]
    # and the page shows them, with the chart drawn on the server
    html = response.content.decode()
    assert '<span class="kpi-value" id="kpi-total">450.00 ر.س</span>' in html
    assert html.count('class="chart-bar"') == 14
    assert "<script src=\"http" not in html


def test_branch_cashier_sees_only_their_municipality(client, collections):
    cashier = collections.staff("finance", StaffRole.CASHIER, collections.branch)
    summary = client_for(client, cashier).get(reverse("payments:finance_dashboard")
                                              ).context["summary"]
    assert (summary.total, summary.count) == (Decimal("350.50"), 2)
    assert _rows(summary.per_municipality) == [("KHB", 2, Decimal("350.50"))]
    # money for no known bill belongs to no municipality yet, so every desk sees it
    assert summary.suspense_total == Decimal("10.00")


def test_a_chosen_window(client, collections):
    head = collections.staff("finance", StaffRole.HEAD, collections.amanah)
    response = client_for(client, head).get(reverse("payments:finance_dashboard"),
                                            {"from": "2026-11-01", "to": "2026-11-28"})
    summary = response.context["summary"]
    assert (summary.total, summary.count) == (Decimal("1150.00"), 2)
    assert len(summary.per_day) == 28


def test_a_reversed_window_is_mended_and_a_malformed_one_refused_not_a_500(client, collections):
    head = collections.staff("finance", StaffRole.HEAD, collections.amanah)
    client = client_for(client, head)
    reversed_ = client.get(reverse("payments:finance_dashboard"),
                           {"from": "2026-11-30", "to": "2026-11-28"}).context["summary"]
    assert (reversed_.date_from, reversed_.date_to) == (dt.date(2026, 11, 28),
                                                        dt.date(2026, 11, 30))
    # (issue 8: an impossible day is said next to its field; the page still shows)
    malformed = client.get(reverse("payments:finance_dashboard"),
                           {"from": "yesterday", "to": "2026-13-45"})
    assert malformed.status_code == 400
    assert set(malformed.context["range_form"].errors) == {"from", "to"}
    # a huge window is cut to the last 92 days
    wide = client.get(reverse("payments:finance_dashboard"),
                      {"from": "2000-01-01", "to": "2026-11-30"}).context["summary"]
    assert len(wide.per_day) == 92


def test_dashboard_queries_do_not_grow_with_the_data(client, world, clock):
    # given an Amanah finance head
    clock.set(at_riyadh(2026, 11, 30, 12, 0))
    head = world.staff("finance", StaffRole.HEAD, world.amanah)
    client = client_for(client, head)
    url = reverse("payments:finance_dashboard")
    client.get(url)
    _paid(world.bill(amount="10.00"), at=at_riyadh(2026, 11, 29, 10, 0), channel="ATM")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    # when much more was collected, in more services, places and channels
    for n in range(6):
        service = EServiceFactory(code=f"svc_{n}", owning_app=OwningApp.PAYMENTS)
        place = world.other_branch if n % 2 else world.branch
        _paid(world.bill(amount=f"{n + 1}.25", eservice=service, municipality=place),
              at=at_riyadh(2026, 11, 20 + n, 10, 0), channel=["ATM", "POS", "IVR"][n % 3])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    # then the page asked the database the same number of times
    assert len(many) == len(few)


def test_dashboard_alerts_staff_to_bills_sadad_rejected_and_failing_uploads(client, world,
                                                                            clock):
    # given a bill SADAD rejected and one whose upload keeps failing, in the branch, and a
    # rejected bill in another municipality
    from payments.models import SadadOutbox
    from payments.services import bill_mark_rejected

    clock.set(at_riyadh(2026, 11, 30, 12, 0))
    rejected = world.bill(amount="150.00", registered=False)
    bill_mark_rejected(bill_id=rejected.pk, version=1, kind="BillNew", reason="bad official id")
    elsewhere = world.bill(amount="75.00", registered=False, municipality=world.other_branch)
    bill_mark_rejected(bill_id=elsewhere.pk, version=1, kind="BillNew", reason="bad amount")
    stuck = world.bill(amount="60.00", registered=False)
    SadadOutbox.objects.filter(bill=stuck).update(attempts=4, last_error="HTTP 503")
    SadadOutbox.objects.filter(bill__in=[rejected, elsewhere]).update(status="rejected")
    # when the branch's finance head opens the dashboard
    head = world.staff("finance", StaffRole.HEAD)
    response = client_for(client, head).get(reverse("payments:finance_dashboard"))
    # then the alert block lists the branch's rejected bill and the failing upload, only
    assert response.status_code == 200
    assert [b.billing_account for b in response.context["rejected"]] == [
        rejected.billing_account]
    assert [u.bill_id for u in response.context["failing"]] == [stuck.pk]
    page = response.content.decode()
    alerts = page[page.index('id="finance-alerts"'):page.index("</section>",
                                                               page.index('id="finance-alerts"'))]
    assert rejected.billing_account in alerts
    assert "bad official id" in alerts
    assert stuck.billing_account in alerts
    assert elsewhere.billing_account not in alerts


def test_dashboard_shows_no_alert_block_when_nothing_needs_attention(client, collections):
    # given collections but no rejected bill and no failing upload
    head = collections.staff("finance", StaffRole.HEAD, collections.amanah)
    # when the dashboard is opened
    response = client_for(client, head).get(reverse("payments:finance_dashboard"))
    # then there is no alert block
    assert (response.context["rejected"], response.context["failing"]) == ([], [])
    assert 'id="finance-alerts"' not in response.content.decode()


def _bar_xs(html: str) -> list[float]:
    """The x of every day's bar, in the order the days come (earliest first)."""
    return [float(x) for x in re.findall(r'<rect class="chart-bar" x="([\d.]+)"', html)]


def test_the_day_chart_reads_right_to_left_in_arabic_and_left_to_right_in_english(
        client, collections):
    # given the Amanah's finance head and a fortnight of collections
    head = collections.staff("finance", StaffRole.HEAD, collections.amanah)
    signed_in = client_for(client, head)
    # when they open the dashboard in Arabic and in English
    pages = {}
    for language in ("ar", "en"):
        with translation.override(language):
            pages[language] = signed_in.get(reverse("payments:finance_dashboard")
                                             ).content.decode()
    arabic, english = _bar_xs(pages["ar"]), _bar_xs(pages["en"])
    # then in Arabic the first day's bar is right of the last day's, each day left of the one
    # before, and the value axis is on the right; in English it is the other way round
    assert len(arabic) == len(english) == 14
    assert arabic[0] > arabic[-1]
    assert arabic == sorted(arabic, reverse=True)
    assert english[0] < english[-1]
    assert english == sorted(english)
    assert 'text-anchor="start">0</text>' in pages["ar"]
    assert 'text-anchor="end">0</text>' in pages["en"]
    # and the chart is still plain SVG drawn on the server
    assert "<script" not in pages["ar"].split('<svg class="chart"', 1)[1].split("</svg>", 1)[0]


def test_the_period_is_said_in_words_and_a_small_axis_keeps_its_half_way_mark(client, world):
    # given the Amanah's finance head and nothing collected at all
    head = world.staff("finance", StaffRole.HEAD, world.amanah)
    signed_in = client_for(client, head)
    # when they open a two-day window in Arabic and in English
    pages = {}
    for language in ("ar", "en"):
        with translation.override(language):
            pages[language] = signed_in.get(reverse("payments:finance_dashboard"), {
                "from": "2026-11-29", "to": "2026-11-30"}).content.decode()
    # then the period reads "from … to …", since each date is already "Hijri — Gregorian"
    assert re.search(r'<p class="muted" id="dashboard-period">من .+ إلى .+</p>', pages["ar"])
    assert re.search(r'<p class="muted" id="dashboard-period">From .+ to .+</p>', pages["en"])
    # and the empty chart's axis runs 0, 0.5, 1 rather than 0, 0, 1
    assert re.findall(r'text-anchor="end">([\d.,]+)</text>', pages["en"]) == ["0", "0.5", "1"]
