"""The holiday calendar page: a holiday added reaches the SLA calendar at once; past days are
refused; removal is confirmed; only the Amanah's admins change it."""

import datetime as dt

import pytest

from amanah.enums import MunicipalityKind, StaffRole
from tests.factories import DepartmentFactory, MunicipalityFactory, StaffMembershipFactory
from tests.payments.factories import at_riyadh
from workflow.models import Holiday
from workflow.working_time import holidays_all

pytestmark = pytest.mark.django_db

PAGE = "/en/transactions/holidays/"


@pytest.fixture
def amanah():
    return MunicipalityFactory(code="AMN", kind=MunicipalityKind.AMANAH, parent=None)


def admin_of(municipality):
    return StaffMembershipFactory(department=DepartmentFactory(municipality=municipality),
                                  role=StaffRole.ADMIN).user


@pytest.fixture
def amanah_admin(amanah):
    return admin_of(amanah)


@pytest.fixture
def branch_admin(amanah):
    return admin_of(MunicipalityFactory(code="BR1", parent=amanah))


@pytest.fixture
def today(clock):
    clock.set(at_riyadh(2026, 3, 1, 10))
    return dt.date(2026, 3, 1)


def calendar():
    return list(Holiday.objects.values_list("date", "name_en").order_by("date"))


def test_a_holiday_added_is_on_the_sla_calendar_at_once(client, amanah_admin, today):
    assert dt.date(2026, 3, 20) not in holidays_all()  # the process's copy is loaded
    client.force_login(amanah_admin)
    response = client.post(PAGE, {"date_from": "2026-03-20", "date_to": "2026-03-22",
                                  "name_ar": "عيد الفطر", "name_en": "Eid al-Fitr"}, follow=True)
    assert response.status_code == 200
    assert calendar() == [(dt.date(2026, 3, d), "Eid al-Fitr") for d in (20, 21, 22)]
    assert {dt.date(2026, 3, d) for d in (20, 21, 22)} <= holidays_all()
    assert [str(m) for m in response.context["messages"]] == [
        "3 days from 1 Shawwal 1447 AH — 20 March 2026 to 3 Shawwal 1447 AH — 22 March 2026 "
        "are now holidays; the SLA clock will not count them."]
    history = Holiday.history.filter(date=dt.date(2026, 3, 20)).get()
    assert history.history_user == amanah_admin


def test_a_past_day_is_refused_next_to_its_field_and_changes_nothing(client, amanah_admin,
                                                                      today):
    client.force_login(amanah_admin)
    response = client.post(PAGE, {"date_from": "2026-02-28", "name_ar": "يوم",
                                  "name_en": "A day"})
    assert response.status_code == 400
    assert response.context["form"].errors["date_from"] == [
        "A past day cannot change: the SLA figures for it were already reported. Choose today "
        "or a later day."]
    assert calendar() == []
    assert response.content.decode().count("<title>Error:") == 1


def test_a_day_already_a_holiday_is_refused(client, amanah_admin, today):
    Holiday.objects.create(date=dt.date(2026, 3, 5), name_ar="أ", name_en="A")
    client.force_login(amanah_admin)
    response = client.post(PAGE, {"date_from": "2026-03-04", "date_to": "2026-03-06",
                                  "name_ar": "ب", "name_en": "B"})
    assert response.status_code == 400
    assert "is already a holiday" in response.context["form"].errors["date_from"][0]
    assert calendar() == [(dt.date(2026, 3, 5), "A")]


def test_removal_is_confirmed_then_done(client, amanah_admin, today):
    holiday = Holiday.objects.create(date=dt.date(2026, 3, 5), name_ar="أ", name_en="Founding")
    assert dt.date(2026, 3, 5) in holidays_all()
    client.force_login(amanah_admin)
    url = f"{PAGE}{holiday.pk}/remove/"
    page = client.get(url)
    assert page.status_code == 200
    assert ("will no longer be a holiday: the SLA clock of every case will count it as a "
            "working day.") in page.content.decode()
    assert calendar() == [(dt.date(2026, 3, 5), "Founding")]
    response = client.post(url)
    assert response.status_code == 302
    assert calendar() == []
    assert dt.date(2026, 3, 5) not in holidays_all()


def test_a_past_holiday_cannot_be_removed(client, amanah_admin, today):
    holiday = Holiday.objects.create(date=dt.date(2026, 2, 22), name_ar="أ", name_en="Founding")
    client.force_login(amanah_admin)
    response = client.post(f"{PAGE}{holiday.pk}/remove/")
    assert response.status_code == 400
    assert calendar() == [(dt.date(2026, 2, 22), "Founding")]


def test_a_branch_admin_reads_the_calendar_but_cannot_change_it(client, branch_admin, today):
    holiday = Holiday.objects.create(date=dt.date(2026, 3, 5), name_ar="أ", name_en="A")
    client.force_login(branch_admin)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "/remove/" not in page.content.decode()
    assert client.post(PAGE, {"date_from": "2026-03-10", "name_ar": "ب",
                              "name_en": "B"}).status_code == 403
    assert client.post(f"{PAGE}{holiday.pk}/remove/").status_code == 403
    assert calendar() == [(dt.date(2026, 3, 5), "A")]


def test_staff_who_are_not_admins_are_refused(client, today):
    clerk = StaffMembershipFactory(role=StaffRole.CLERK).user
    client.force_login(clerk)
    assert client.get(PAGE).status_code == 403
