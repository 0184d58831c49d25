"""Forms of the rollout matrix, the scorecards and the thresholds: shape only; the rules are
in amanah.rollout."""

import datetime as dt

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .dates import FIRST_SHOWABLE_DATE, LAST_SHOWABLE_DATE, gregorian_format
from .enums import RolloutState, ThresholdBound
from .models import EService, Municipality
from .rollout import ROLLOUT_REASON_MAX
from .scorecards import METRIC_CHOICES

MAX_PERIOD_DAYS = 3660


class _Localized(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name_en if (get_language() or "ar").startswith("en") else obj.name_ar


class _Day(forms.DateField):
    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%d"],
                         widget=forms.DateInput(attrs={"type": "date"}), **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not FIRST_SHOWABLE_DATE <= value <= LAST_SHOWABLE_DATE:
            language = get_language() or "ar"
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s.")
                % {"first": gregorian_format(FIRST_SHOWABLE_DATE, language),
                   "last": gregorian_format(LAST_SHOWABLE_DATE, language)},
                code="date_out_of_range")


class RolloutChangeForm(forms.Form):
    """One cell of the matrix: which service, where, to what; then why, once confirmed."""

    eservice = forms.ModelChoiceField(queryset=EService.objects.all(), widget=forms.HiddenInput)
    municipality = forms.ModelChoiceField(queryset=Municipality.objects.filter(is_active=True),
                                          widget=forms.HiddenInput)
    state = forms.ChoiceField(label=_("New state"), choices=RolloutState.choices)
    reason = forms.CharField(label=_("Why (kept in the history)"), required=False,
                             max_length=ROLLOUT_REASON_MAX)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ScorecardForm(forms.Form):
    """Every field has a default, filled in by the page before binding (so none is optional)."""

    eservice = _Localized(queryset=EService.objects.order_by("display_order", "code"),
                          label=_("E-service"))
    date_from = _Day(label=_("From"))
    date_to = _Day(label=_("To"))
    metric = forms.ChoiceField(label=_("Figure in the chart"), choices=METRIC_CHOICES)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period is before its start."))
        elif start and end and (end - start) > dt.timedelta(days=MAX_PERIOD_DAYS):
            self.add_error("date_from", _("Choose a period of at most ten years."))
        return data


class ThresholdForm(forms.Form):
    metric = forms.ChoiceField(label=_("Figure"), choices=METRIC_CHOICES)
    bound = forms.ChoiceField(label=_("Must be"), choices=ThresholdBound.choices)
    value = forms.DecimalField(
        label=_("Value"), max_digits=14, decimal_places=2,
        help_text=_("Shares as a percentage (80 for 80%), times in working hours, money in SAR."),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal", "dir": "ltr"}))
    min_cases = forms.IntegerField(
        label=_("Minimum number of transactions"), initial=20, min_value=0,
        max_value=1_000_000,
        help_text=_("With fewer transactions than this in the period the gate looks at, the "
                    "pilot cannot go live yet."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "dir": "ltr"}))


class ThresholdRemoveForm(forms.Form):
    threshold = forms.IntegerField(widget=forms.HiddenInput, min_value=1,
                                   max_value=2**63 - 1)
    confirmed = forms.BooleanField(label=_("Yes, remove this threshold"))
