"""The licence on the permit page (activities, trade name, establishment, sub-permits, what
sub-permits it may still get), a sub-permit's link to its licence, renewing for 1–3 years,
cancelling at the holder's request with its quote and confirmation, starting a sub-permit,
and the staff list of sample inspections — in Arabic and English, with errors next to the
field and nothing written on a refusal."""

import datetime as dt

import pytest

from amanah.dates import RIYADH
from permits.models import Application, Permit, PermitEvent

from .factories import BARBER, GROCERY, licence_issue_make, licence_world
from .pages_helpers import sample_queue, sub_permit_make

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=RIYADH)


@pytest.fixture
def world(clock):
    clock.set(NOW)
    return licence_world()


def _rows():
    return (list(Application.objects.order_by("pk").values_list("pk", "status")),
            list(Permit.objects.order_by("pk").values_list("pk", "status", "row_version")),
            PermitEvent.objects.count())


def test_the_licence_page_shows_its_activities_and_sub_permits_in_arabic(client, world):
    # given a grocery and barber licence with a signage sub-permit
    licence = licence_issue_make(world, activities=(GROCERY, BARBER))
    sign = sub_permit_make(world, licence)
    client.force_login(world.delegate.user)
    # when the delegate opens it in Arabic
    response = client.get(f"/ar/permits/permit/{licence.number}/")
    body = response.content.decode()
    # then the licence part names the trade name, establishment, activities and sub-permit
    assert response.status_code == 200
    assert '<h2 id="h-licence">الرخصة</h2>' in body
    assert "بقالة النخيل" in body
    assert "مؤسسة النخيل التجارية" in body
    assert '<span dir="ltr">471101</span> — بقالة' in body
    assert '<span dir="ltr">960201</span> — حلاقة رجالية' in body
    assert sign.number in body
    # and the holder may add the signage permit the grocery allows, or cancel the licence
    assert f"/ar/permits/licence/{licence.number}/sub-permits/signage_permit/" in body
    assert "إضافة تصريح فرعي: رخصة لوحة تجارية" in body
    assert f"/ar/permits/licence/{licence.number}/cancel/" in body


def test_the_licence_page_in_english_for_staff_has_no_holder_actions(client, world):
    licence = licence_issue_make(world, activities=(BARBER,))
    client.force_login(world.head)
    body = client.get(f"/en/permits/permit/{licence.number}/").content.decode()
    assert '<h2 id="h-licence">The licence</h2>' in body
    assert "Men&#x27;s barber" in body
    assert "No sub-permits." in body
    # a barber's licence allows no sub-permit, and staff do not act as the holder
    assert "/sub-permits/" not in body
    assert "/licence/" not in body  # neither cancel nor add (staff decide on the permit)


def test_a_sub_permit_links_its_licence(client, world):
    licence = licence_issue_make(world)
    sign = sub_permit_make(world, licence)
    client.force_login(world.delegate.user)
    body = client.get(f"/en/permits/permit/{sign.number}/").content.decode()
    assert '<h2 id="h-licence">The licence it depends on</h2>' in body
    assert f'href="/en/permits/permit/{licence.number}/"' in body


def test_renewing_a_licence_asks_for_the_years_with_the_fees_of_each(client, world, clock):
    # given a licence of 60 m² ending in 30 days (inside the 90-day window)
    licence = licence_issue_make(world)
    Permit.objects.filter(pk=licence.pk).update(valid_until=NOW.date() + dt.timedelta(days=30))
    client.force_login(world.delegate.user)
    # when the delegate opens the renewal page
    response = client.get(f"/en/permits/permit/{licence.number}/renew/")
    body = response.content.decode()
    # then they choose 1, 2 or 3 years, each with its fee (600.00 a year at 10.00 per m²)
    assert response.status_code == 200
    assert response.context["year_totals"] == [(1, 600), (2, 1200), (3, 1800)]
    assert "Renew for" in body
    assert 'name="years" value="3"' in body


def test_renewing_without_the_years_is_refused_next_to_the_field(client, world):
    licence = licence_issue_make(world)
    Permit.objects.filter(pk=licence.pk).update(valid_until=NOW.date() + dt.timedelta(days=30))
    client.force_login(world.delegate.user)
    before = _rows()
    response = client.post(f"/ar/permits/permit/{licence.number}/renew/", {})
    body = response.content.decode()
    assert response.status_code == 400
    assert '<p class="field-error" id="id_years_error">' in body
    assert "اختر مدة التجديد: سنة أو سنتان أو ثلاث سنوات." in body
    assert _rows() == before


def test_renewing_for_two_years_starts_the_renewal(client, world):
    licence = licence_issue_make(world)
    Permit.objects.filter(pk=licence.pk).update(valid_until=NOW.date() + dt.timedelta(days=30))
    client.force_login(world.delegate.user)
    response = client.post(f"/en/permits/permit/{licence.number}/renew/", {"years": "2"})
    assert response.status_code == 302
    renewal = Application.objects.get(permit=licence)
    assert renewal.answers["validity_years"] == "2"


def test_cancelling_shows_the_quote_then_asks_to_confirm(client, world):
    # given a licence valid for about a year
    licence = licence_issue_make(world)
    client.force_login(world.delegate.user)
    # when the delegate opens the cancel page, then writes a reason
    page = client.get(f"/en/permits/licence/{licence.number}/cancel/")
    before = _rows()
    confirm = client.post(f"/en/permits/licence/{licence.number}/cancel/",
                          {"reason": "Closing the shop"})
    # then the quote is shown, and the reason is repeated for a confirmation; nothing written
    assert page.status_code == 200
    assert "<h1>Cancel this licence</h1>" in page.content.decode()
    assert page.context["quote"].months_left == 12
    assert confirm.status_code == 200
    assert confirm.context["confirming"] is True
    assert "Please confirm that you want to cancel this licence." in confirm.content.decode()
    assert _rows() == before


def test_cancelling_without_a_reason_is_refused_next_to_the_field(client, world):
    licence = licence_issue_make(world)
    client.force_login(world.delegate.user)
    before = _rows()
    response = client.post(f"/ar/permits/licence/{licence.number}/cancel/", {"reason": ""})
    assert response.status_code == 400
    assert 'id="id_reason_error"' in response.content.decode()
    assert _rows() == before


def test_confirming_the_cancellation_requests_it(client, world):
    licence = licence_issue_make(world)
    client.force_login(world.delegate.user)
    response = client.post(f"/en/permits/licence/{licence.number}/cancel/",
                           {"reason": "Closing the shop", "confirm": "True"})
    assert response.status_code == 302
    assert response["Location"] == f"/en/permits/permit/{licence.number}/"
    assert Application.objects.filter(permit=licence, kind="cancellation").count() == 1


def test_starting_a_sub_permit_is_offered_for_the_types_the_activities_allow(client, world):
    licence = licence_issue_make(world)
    client.force_login(world.delegate.user)
    response = client.get(f"/en/permits/licence/{licence.number}/sub-permits/signage_permit/")
    assert response.status_code == 200
    assert "<h1>Add a sub-permit: Shop sign permit</h1>" in response.content.decode()
    # a type the activities do not allow does not exist here
    assert client.get(f"/en/permits/licence/{licence.number}/sub-permits/"
                      "extended_hours/").status_code == 404


def test_starting_a_sub_permit_makes_a_draft_naming_the_licence(client, world):
    licence = licence_issue_make(world)
    client.force_login(world.delegate.user)
    response = client.post(f"/en/permits/licence/{licence.number}/sub-permits/signage_permit/")
    draft = Application.objects.get(permit_type=world.signage_type)
    assert response.status_code == 302
    assert (draft.permit_id, draft.owner_establishment_id) == (licence.pk,
                                                               world.establishment.pk)


def test_staff_see_the_sample_inspections_waiting_in_their_municipality(client, world):
    licence = licence_issue_make(world)
    sample_queue(world, licence)
    client.force_login(world.head)
    response = client.get("/ar/permits/staff/sample-inspections/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>عينات التفتيش المنتظرة</h1>" in body
    assert licence.number in body
    assert "بقالة (20%)" in body
    english = client.get("/en/permits/staff/sample-inspections/").content.decode()
    assert "<h1>Sample inspections waiting</h1>" in english
