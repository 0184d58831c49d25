"""The rollout matrix, the scorecards and the thresholds pages: who sees what, labelled
selects, confirmation in words, refusals that change nothing, fixed query counts."""

import re
from decimal import Decimal

import pytest

from amanah.enums import RolloutState, StaffRole, ThresholdBound
from amanah.models import EServiceRollout, PilotThreshold
from amanah.rollout import rollout_state_set
from tests.factories import EServiceFactory, EServiceRolloutFactory

from .fixtures import at

pytestmark = pytest.mark.django_db

MATRIX = "/en/staff/rollout/"
CHANGE = "/en/staff/rollout/change/"
SCORECARDS = "/en/staff/rollout/scorecards/"
THRESHOLDS = "/en/staff/rollout/thresholds/"


def _khobar(world, eservice):
    return EServiceRollout.objects.get(eservice=eservice, municipality=world.branch)


# --- The matrix -----------------------------------------------------------------------------

def test_every_select_of_the_matrix_has_an_accessible_name(client, world, eservice,
                                                          amanah_admin):
    client.force_login(amanah_admin)
    html = client.get(MATRIX).content.decode()
    selects = re.findall(r"<select[^>]*>", html)
    # one per e-service (2) and municipality (3), each named after its cell
    assert len(selects) == 6
    assert all('aria-label="State of ' in select for select in selects)
    assert 'aria-label="State of General correspondence in Khobar"' in html
    assert 'aria-label="State of Complaint in Eastern Amanah"' in html
    # and the table scrolls inside its own focusable, labelled region
    assert re.search(r'<div class="rollout-region" role="region" aria-labelledby="matrix-caption"'
                     r' tabindex="0">', html)


def test_the_arabic_matrix_names_its_selects_in_arabic(client, world, amanah_admin):
    client.force_login(amanah_admin)
    html = client.get("/ar/staff/rollout/").content.decode()
    assert 'aria-label="حالة المراسلات العامة في بلدية الخبر"' in html


def test_a_branch_admin_sees_only_their_branch_column(client, world, dammam_admin):
    client.force_login(dammam_admin)
    html = client.get(MATRIX).content.decode()
    assert "in Dammam" in html
    assert "in Khobar" not in html and "in Eastern Amanah" not in html


def test_a_branch_admin_cannot_change_another_branch(client, world, eservice, dammam_admin):
    client.force_login(dammam_admin)
    history_before = _khobar(world, eservice).history.count()
    response = client.post(CHANGE, {"eservice": eservice.pk, "municipality": world.branch.pk,
                                     "state": RolloutState.OFF, "confirmed": "True"})
    assert response.status_code == 403
    assert "You may not change the rollout in Khobar." in response.content.decode()
    assert _khobar(world, eservice).state == RolloutState.LIVE
    assert _khobar(world, eservice).history.count() == history_before


@pytest.mark.parametrize("role", [StaffRole.CLERK, StaffRole.HEAD])
def test_staff_who_are_not_admins_may_not_open_the_matrix(client, world, role):
    client.force_login(world.staff("customer_service", role))
    assert client.get(MATRIX).status_code == 403
    assert client.post(CHANGE, {}).status_code == 403


def test_a_change_asks_for_confirmation_in_words_then_shows_in_the_history(
        client, world, eservice, amanah_admin):
    client.force_login(amanah_admin)
    rollout_state_set(eservice=eservice, municipality=world.branch, state=RolloutState.PILOT,
                      actor=amanah_admin, reason="Pilot first")
    fields = {"eservice": eservice.pk, "municipality": world.branch.pk,
              "state": RolloutState.LIVE}
    # when the admin asks to switch the pilot live
    asked = client.post(CHANGE, fields)
    # then the page asks first, in words, and nothing changed yet
    assert asked.status_code == 200
    assert ("Switch General correspondence to live in Khobar? All residents will be able to "
            "use it.") in asked.content.decode()
    assert _khobar(world, eservice).state == RolloutState.PILOT
    # when confirmed, with a reason
    done = client.post(CHANGE, {**fields, "confirmed": "True", "reason": "Pilot went well"})
    assert done.status_code == 302
    assert _khobar(world, eservice).state == RolloutState.LIVE
    # then the history says who changed what, from what to what, and why
    html = client.get(MATRIX).content.decode()
    history = html[html.index('id="rollout-history"'):]
    body = history[history.index("<tbody>"):]
    first_row = body[:body.index("</tr>")]
    assert amanah_admin.get_full_name() in first_row
    assert "General correspondence" in first_row and "Khobar" in first_row
    assert re.search(r"badge-pilot.*badge-live", first_row, re.S)
    assert "Pilot went well" in first_row


def test_the_matrix_shows_a_pilot_below_its_thresholds_and_refuses_it(
        client, known, clock, amanah_admin):
    world, eservice = known
    clock.set(at(11, 20, 10))
    PilotThreshold.objects.create(eservice=eservice, metric="adoption",
                                  bound=ThresholdBound.MIN, value=Decimal("85"), min_cases=3)
    client.force_login(amanah_admin)
    html = client.get(MATRIX).content.decode()
    assert "✗ Below the thresholds" in html
    assert "Filed online: 80% (needs at least 85%)" in html
    refused = client.post(CHANGE, {"eservice": eservice.pk, "municipality": world.branch.pk,
                                   "state": RolloutState.LIVE, "confirmed": "True"})
    assert refused.status_code == 409
    assert "the pilot is below its thresholds" in refused.content.decode()
    assert _khobar(world, eservice).state == RolloutState.PILOT


def test_the_matrix_costs_the_same_queries_with_more_services(
        client, world, amanah_admin, django_assert_num_queries):
    client.force_login(amanah_admin)
    EServiceRollout.objects.filter(municipality=world.branch).update(state=RolloutState.PILOT)
    client.get(MATRIX)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(MATRIX).status_code == 200
        return len(captured)

    few = count()
    for n in range(6):
        service = EServiceFactory(code=f"extra-{n}")
        for municipality in (world.amanah, world.branch, world.other_branch):
            EServiceRolloutFactory(eservice=service, municipality=municipality,
                                   state=RolloutState.PILOT)
    assert count() == few


# --- The scorecards ---------------------------------------------------------------------------

def test_an_admin_sees_each_municipality_side_by_side_pilot_first(client, known, clock,
                                                                 amanah_admin):
    world, eservice = known
    clock.set(at(11, 30, 12))
    client.force_login(amanah_admin)
    html = client.get(SCORECARDS, {"eservice": eservice.pk, "date_from": "2026-11-01",
                                   "date_to": "2026-11-30", "metric": "adoption"}
                      ).content.decode()
    table = html[html.index('id="scorecard-table"'):]
    header = table[:table.index("</thead>")]
    # the pilot (Khobar) first, then the live ones
    assert header.index("Khobar") < header.index("Dammam")
    row = {label: re.findall(r'<td class="rollout-figure">([^<]*)</td>',
                             table[table.index(label):].split("</tr>")[0])
           for label in ("Filed online", "Median time", "90th percentile time",
                         "Closed within the SLA", "Bills paid", "Collections")}
    assert row["Filed online"][:2] == ["75%", "50%"]
    assert row["Median time"][:2] == ["4.0 h", "9.0 h"]
    assert row["90th percentile time"][:2] == ["51.2 h", "10.6 h"]
    assert row["Closed within the SLA"][:2] == ["67%", "100%"]
    assert row["Bills paid"][:2] == ["50%", "100%"]
    assert row["Collections"][:2] == ["SAR 100.00", "SAR 300.00"]
    # and the chart tells pilots from live ones by pattern and colour, with a text alternative
    assert 'fill="url(#scorecard-pilot-hatch)"' in html and 'fill="#1f6f43"' in html
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-label="Filed online by municipality[^"]*'
                     r'Khobar: 75%', html)


def test_a_head_of_department_sees_their_municipality_only(client, known):
    world, eservice = known
    client.force_login(world.staff("customer_service", StaffRole.HEAD, world.other_branch))
    html = client.get(SCORECARDS, {"eservice": eservice.pk}).content.decode()
    header = html[html.index('id="scorecard-table"'):html.index("</thead>")]
    assert "Dammam" in header and "Khobar" not in header


def test_a_clerk_may_not_see_the_scorecards(client, world):
    client.force_login(world.staff("customer_service", StaffRole.CLERK))
    assert client.get(SCORECARDS).status_code == 403


def test_the_scorecards_cost_the_same_queries_with_more_municipalities(
        client, known, amanah_admin):
    world, eservice = known
    client.force_login(amanah_admin)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(SCORECARDS, {"eservice": eservice.pk}).status_code == 200
        return len(captured)

    few = count()
    from tests.factories import MunicipalityFactory
    for n in range(5):
        EServiceRolloutFactory(eservice=eservice, state=RolloutState.PILOT,
                               municipality=MunicipalityFactory(code=f"X{n}",
                                                                parent=world.amanah))
    assert count() == few


def test_bad_dates_are_refused_next_to_the_field(client, world, amanah_admin):
    client.force_login(amanah_admin)
    response = client.get(SCORECARDS, {"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert response.status_code == 200
    assert "The end of the period is before its start." in response.content.decode()


# --- The thresholds ---------------------------------------------------------------------------

def test_an_amanah_admin_sets_a_threshold(client, world, eservice, amanah_admin):
    client.force_login(amanah_admin)
    response = client.post(THRESHOLDS, {"eservice": eservice.pk, "action": "set",
                                        "metric": "adoption", "bound": "min", "value": "80",
                                        "min_cases": "25"})
    assert response.status_code == 302
    threshold = PilotThreshold.objects.get(eservice=eservice)
    assert (threshold.metric, threshold.bound, threshold.value, threshold.min_cases) == (
        "adoption", "min", Decimal("80.00"), 25)
    assert threshold.history.first().history_user == amanah_admin
    assert "At least 80%" in client.get(THRESHOLDS, {"eservice": eservice.pk}).content.decode()


def test_a_share_over_100_is_refused_next_to_the_value_in_both_languages(
        client, world, eservice, amanah_admin):
    client.force_login(amanah_admin)
    fields = {"eservice": eservice.pk, "action": "set", "metric": "adoption", "bound": "min",
              "value": "120", "min_cases": "25"}
    english = client.post(THRESHOLDS, fields)
    arabic = client.post("/ar/staff/rollout/thresholds/", fields)
    assert english.status_code == 400
    assert re.search(r'id="id_value_error">A share cannot be over 100%.', english.content.decode())
    assert 'id="id_value_error">النسبة لا تتجاوز ١٠٠٪.' in arabic.content.decode()
    assert PilotThreshold.objects.count() == 0


def test_a_branch_admin_may_not_set_thresholds(client, world, eservice, dammam_admin):
    client.force_login(dammam_admin)
    response = client.post(THRESHOLDS, {"eservice": eservice.pk, "action": "set",
                                        "metric": "adoption", "bound": "min", "value": "80",
                                        "min_cases": "25"})
    assert response.status_code == 403
    assert PilotThreshold.objects.count() == 0


def test_removing_a_threshold_needs_the_confirmation(client, world, eservice, amanah_admin):
    threshold = PilotThreshold.objects.create(eservice=eservice, metric="returns",
                                              bound=ThresholdBound.MAX, value=Decimal("10"),
                                              min_cases=5)
    client.force_login(amanah_admin)
    client.post(THRESHOLDS, {"eservice": eservice.pk, "action": "remove",
                             "threshold": threshold.pk})
    assert PilotThreshold.objects.count() == 1
    client.post(THRESHOLDS, {"eservice": eservice.pk, "action": "remove",
                             "threshold": threshold.pk, "confirmed": "on"})
    assert PilotThreshold.objects.count() == 0
