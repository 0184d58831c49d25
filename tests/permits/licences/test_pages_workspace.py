"""The establishment workspace: what the delegate sees of their establishment (licences with
their activities and sub-permits, open applications and bills, deadlines, who may act for
it), the switcher between establishments, and that nobody sees another establishment's."""

import datetime as dt

import pytest

from amanah.dates import RIYADH
from permits.enums import PermitStatus

from .factories import BARBER, GROCERY, licence_issue_make, licence_world

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=RIYADH)
URL = "/{lang}/permits/establishment/"


@pytest.fixture
def world(clock):
    clock.set(NOW)
    return licence_world()


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_the_delegate_sees_the_establishments_licence_in_arabic(client, world):
    # given a licence of the establishment for a grocery and a barber's
    licence = licence_issue_make(world, activities=(GROCERY, BARBER))
    # when its delegate opens the workspace in Arabic
    response = _get(client, world.delegate.user, URL.format(lang="ar"))
    # then it names the establishment, the licence with its trade name, activities and days
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>مؤسسة النخيل التجارية</h1>" in body
    assert licence.number in body
    assert "بقالة النخيل" in body
    assert "بقالة، حلاقة رجالية" in body
    assert [r.days_to_expiry for r in response.context["w"].licence_rows] == [
        (licence.valid_until - NOW.date()).days]
    assert response.context["w"].licence_rows[0].status == PermitStatus.VALID


def test_the_workspace_in_english(client, world):
    licence_issue_make(world)
    response = _get(client, world.delegate.user, URL.format(lang="en"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Al Nakheel Trading</h1>" in body
    assert "Establishment workspace" in body
    assert "Grocery" in body
    assert "Who may act for it" in body
