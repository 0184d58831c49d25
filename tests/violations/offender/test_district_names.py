"""A district is stored by its code; the notice page, the reports and the notice PDF name it."""

import pytest

from tests.permits.factories import district_make
from violations.notice import notice_html

from ..factories import fine_issued_make, violations_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clock):
    world = violations_world()
    district_make(world.municipality, code="north")  # حي الشمال / North district
    world.fine = fine_issued_make(world)
    return world


@pytest.mark.parametrize("language, name", [("ar", "حي الشمال"), ("en", "North district")])
def test_the_notice_page_names_the_district_in_the_page_s_language(client, world, language,
                                                                   name):
    client.force_login(world.delegate.user)
    body = client.get(f"/{language}/violations/{world.fine.number}/").content.decode()
    assert f"— {name}</dd>" in body


def test_the_reports_name_the_district(client, world):
    client.force_login(world.approver)
    body = client.get("/en/violations/reports/").content.decode()
    assert "<td>North district</td>" in body
    assert "<td>north</td>" not in body


def test_the_notice_pdf_names_the_district_in_both_languages(world):
    html = notice_html(world.fine)
    assert "حي الشمال" in html and "North district" in html


def test_a_district_with_no_name_on_record_shows_its_code(client, world):
    # given a notice about a district permits does not know
    type(world.fine).objects.filter(pk=world.fine.pk).update(district="south-x")
    client.force_login(world.delegate.user)
    body = client.get(f"/en/violations/{world.fine.number}/").content.decode()
    assert "— south-x</dd>" in body
