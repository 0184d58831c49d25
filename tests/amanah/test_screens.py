"""Screens a working day can live in: service hours from one setting (footer, SLA calendar,
analytics text), the error summary linked to its fields, "Error:" in the title."""

import datetime as dt
import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import translation

from amanah.dates import RIYADH
from amanah.enums import StaffRole
from amanah.service_hours import service_hours
from tests.workflow.factories import world_build
from workflow import working_time
from workflow.selectors import analytics
from workflow.working_time import sla_due_at, working_hours_between


def riyadh(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=RIYADH)  # 6 Dec 2026 is a Sunday


def _footer(html: str) -> str:
    return re.search(r'<p class="muted" id="service-hours">(.*?)</p>', html, re.S).group(1)


def _hours_note(html: str) -> str:
    return re.search(r'<p class="muted" id="hours-note">(.*?)</p>', html, re.S).group(1)


def test_the_default_hours_are_sunday_to_thursday_eight_to_three(client, db):
    hours = service_hours()
    assert (hours.days, hours.opens, hours.closes) == (
        frozenset({6, 0, 1, 2, 3}), dt.time(8, 0), dt.time(15, 0))
    assert (working_time.WEEKEND, working_time.DAY_START, working_time.DAY_END) == (
        frozenset({4, 5}), dt.time(8, 0), dt.time(15, 0))
    english = client.get("/en/").content.decode()
    arabic = client.get("/ar/").content.decode()
    assert _footer(english) == ("Official service hours are Sunday to Thursday, "
                                "8:00 am to 3:00 pm.")
    assert _footer(arabic) == ("ساعات العمل الرسمية من الأحد إلى الخميس، "
                               "من 8:00 صباحاً إلى 3:00 مساءً.")


def test_changing_the_setting_moves_the_footer_the_sla_and_the_analytics_text(
        client, db, settings):
    # given service hours of Saturday to Wednesday, 07:30 to 14:30
    settings.SERVICE_HOURS = {"days": (5, 6, 0, 1, 2), "opens": "07:30", "closes": "14:30"}
    world = world_build()
    # then the footer says so, in both languages
    assert _footer(client.get("/en/").content.decode()) == (
        "Official service hours are Saturday to Wednesday, 7:30 am to 2:30 pm.")
    assert _footer(client.get("/ar/").content.decode()) == (
        "ساعات العمل الرسمية من السبت إلى الأربعاء، من 7:30 صباحاً إلى 2:30 مساءً.")
    # and the SLA clock counts those hours: one hour from Wednesday 14:00 is Saturday 08:00
    assert sla_due_at(riyadh(9, 14), 1) == riyadh(12, 8)
    # and Thursday is no longer a working day, Saturday is
    assert working_hours_between(riyadh(10, 0), riyadh(13, 0)) == 7.0
    # and the analytics' SQL gets the same calendar (ISO days: Thursday 4, Friday 5)
    params = analytics._calendar_params(riyadh(9, 9))
    assert params[2:] == [dt.time(7, 30), dt.time(14, 30), [4, 5]]
    # and the analytics page explains the same hours
    admin = world.staff("customer_service", StaffRole.HEAD)
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    page = client.get("/en/transactions/analytics/").content.decode()
    assert _hours_note(page).startswith(
        "Working hours count only official working time "
        "(Saturday to Wednesday, 7:30 am to 2:30 pm, without holidays)")
    arabic = client.get("/ar/transactions/analytics/").content.decode()
    assert "(من السبت إلى الأربعاء، من 7:30 صباحاً إلى 2:30 مساءً، دون الإجازات)" in \
        _hours_note(arabic)


def test_days_that_are_not_a_run_are_listed(settings):
    settings.SERVICE_HOURS = {"days": (6, 1, 3), "opens": "08:00", "closes": "12:00"}
    from amanah.service_hours import service_days_text

    with translation.override("en"):
        assert service_days_text() == "Sunday, Tuesday and Thursday"
    with translation.override("ar"):
        assert service_days_text() == "الأحد، الثلاثاء والخميس"


@pytest.mark.parametrize("bad", [
    {"days": (), "opens": "08:00", "closes": "15:00"},
    {"days": (7,), "opens": "08:00", "closes": "15:00"},
    {"days": (0,), "opens": "15:00", "closes": "08:00"},
])
def test_a_setting_that_cannot_be_hours_is_refused(settings, bad):
    settings.SERVICE_HOURS = bad
    with pytest.raises(ValueError):
        service_hours()


class _PlaceForm(forms.Form):
    name = forms.CharField(label="Name", help_text="As on your ID")
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")],
                             widget=forms.RadioSelect)
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("The place is closed.")


def test_the_error_summary_links_every_error_to_its_field():
    form = _PlaceForm(data={})
    with translation.override("en"):
        html = render_to_string("amanah/_form_errors.html", {"form": form})
    assert 'id="error-summary" role="alert" tabindex="-1"' in html
    assert '<h2 class="error-summary-title" id="error-summary-title">There is a problem</h2>' \
        in html
    items = re.findall(r"<li>(.*?)</li>", html)
    assert items == [
        "The place is closed.",
        '<a href="#id_name">Name: This field is required.</a>',
        '<a href="#id_kind_0">Kind: This field is required.</a>',
        # a hidden field has nothing to jump to: its error is listed as text
        "This field is required.",
    ]
    with translation.override("ar"):
        assert "يوجد خطأ" in render_to_string("amanah/_form_errors.html", {"form": form})


def test_a_form_without_errors_shows_no_summary():
    assert render_to_string("amanah/_form_errors.html", {"form": _PlaceForm()}).strip() == ""


def test_a_field_with_an_error_is_described_by_its_hint_and_error():
    form = _PlaceForm(data={})
    with translation.override("en"):
        html = render_to_string("amanah/_field.html", {"field": form["name"]})
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert '<p class="field-error" id="id_name_error">This field is required.</p>' in html


@pytest.mark.parametrize(("language", "prefix", "title"), [
    ("en", "Error: ", "Create an account"),
    ("ar", "خطأ: ", "إنشاء حساب"),
])
def test_a_page_with_form_errors_says_error_in_its_title(client, db, language, prefix, title):
    # when the sign-up form is sent empty
    page = client.post(f"/{language}/account/sign-up/", {"national_id": ""}).content.decode()
    # then the title starts with "Error:" and the summary links to the field
    assert re.search(r"<title>(.*?) — ", page).group(1) == f"{prefix}{title}"
    assert '<a href="#id_national_id">' in page
    # and the same page unsent has no prefix
    fresh = client.get(f"/{language}/account/sign-up/").content.decode()
    assert re.search(r"<title>(.*?) — ", fresh).group(1) == title
