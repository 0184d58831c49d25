"""HTML forms of the parcel, parties and consent pages: the shape of the input only. Whether a
deed, a person or an office will do is the services' to say (next to the same fields)."""

import datetime as dt
import re

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from hijridate import Gregorian, Hijri

from amanah.dates import FIRST_SHOWABLE_DATE, LAST_SHOWABLE_DATE
from amanah.identity import digits_normalise

from .enums import OFFICE_ROLES, PartyRole

CALENDARS = [("hijri", _("Hijri")), ("gregorian", _("Gregorian"))]


class VersionedForm(forms.Form):
    """The application's row version the page showed: acting on a stale page is a conflict."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _ltr(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", **attrs})


def hijri_text(day: dt.date) -> str:
    hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    return f"{hijri.year:04d}-{hijri.month:02d}-{hijri.day:02d}"


class ParcelForm(VersionedForm):
    deed_number = forms.CharField(label=_("Deed number"), max_length=30,
                                  widget=_ltr(inputmode="numeric"),
                                  help_text=_("As written on the title deed, digits only."))
    deed_calendar = forms.ChoiceField(label=_("Calendar of the deed date"), choices=CALENDARS,
                                      initial="hijri", widget=forms.RadioSelect)
    deed_date = forms.CharField(label=_("Deed date"), max_length=10,
                                widget=_ltr(placeholder="1440-07-07", inputmode="numeric"),
                                help_text=_("Year-month-day, e.g. 1440-07-07 (Hijri) or "
                                            "2019-03-14 (Gregorian)."))
    district_code = forms.ChoiceField(label=_("District"))
    latitude = forms.CharField(label=_("Latitude"), max_length=20,
                               widget=_ltr(inputmode="decimal", placeholder="26.250000"))
    longitude = forms.CharField(label=_("Longitude"), max_length=20,
                                widget=_ltr(inputmode="decimal", placeholder="50.150000"))

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        english = (get_language() or "ar").startswith("en")
        self.fields["district_code"].choices = [("", _("Choose the district"))] + [
            (d.code, d.name_en if english else d.name_ar) for d in districts]

    def clean_deed_date(self) -> dt.date:
        text = digits_normalise(self.cleaned_data["deed_date"]).replace("/", "-")
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if not match:
            raise forms.ValidationError(_("Write the date as year-month-day, e.g. 1440-07-07."))
        year, month, day = (int(part) for part in match.groups())
        calendar = self.data.get(self.add_prefix("deed_calendar"), "hijri")
        try:
            if calendar == "gregorian":
                value = dt.date(year, month, day)
            else:
                value = Hijri(year, month, day).to_gregorian()
                value = dt.date(value.year, value.month, value.day)
        except (ValueError, OverflowError):
            raise forms.ValidationError(_("There is no such date in this calendar.")) from None
        if not FIRST_SHOWABLE_DATE <= value <= LAST_SHOWABLE_DATE:
            raise forms.ValidationError(_("There is no such date in this calendar."))
        return value


class PartyForm(VersionedForm):
    """One role's form on the parties page (prefixed by the role): only that role's fields."""

    national_id = forms.CharField(label=_("National ID or iqama number"), max_length=14,
                                  required=False, widget=_ltr(inputmode="numeric"))
    unified_number = forms.CharField(
        label=_("Or the owning establishment's unified number"), max_length=14, required=False,
        widget=_ltr(inputmode="numeric"), help_text=_("When a company owns the land."))
    office_licence_number = forms.CharField(label=_("Licence number"), max_length=20,
                                            required=False, widget=_ltr())
    authorisation_number = forms.CharField(label=_("Authorisation (power of attorney) number"),
                                           max_length=30, required=False, widget=_ltr())
    authorisation_scope = forms.CharField(label=_("What the authorisation covers"),
                                          max_length=200, required=False)
    authorisation_expires_on = forms.DateField(
        label=_("Authorisation expires on"), required=False,
        widget=forms.DateInput(attrs={"type": "date", "dir": "ltr"}, format="%Y-%m-%d"),
        help_text=_("Gregorian date."))

    FIELDS_BY_ROLE = {
        PartyRole.OWNER: ("national_id", "unified_number"),
        PartyRole.AGENT: ("national_id", "authorisation_number", "authorisation_scope",
                          "authorisation_expires_on"),
        PartyRole.DELEGATE: ("national_id",),
        **{role: ("office_licence_number",) for role in OFFICE_ROLES},
    }

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, prefix=role, **kwargs)
        self.role = role
        self.role_label = PartyRole(role).label if role in PartyRole.values else role
        keep = {"expected_version", *self.FIELDS_BY_ROLE.get(role, ())}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        # Every field a role asks for is needed, except the owner's: an ID or a unified number.
        if role != PartyRole.OWNER:
            for name in self.FIELDS_BY_ROLE.get(role, ()):
                self.fields[name].required = True


class ConsentForm(VersionedForm):
    decision = forms.ChoiceField(choices=[("give", "give"), ("decline", "decline")],
                                 widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why do you decline?"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("The office reads this and revises the application."))
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
