"""Forms of the fee schedule pages: the shape of what an admin types; rules live in the
services (payments.services.fee_periods, payments.services.fees)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from amanah.models import EService, Municipality

from .enums import FeeComponent, FeeRuleKind
from .forms import _Localized, _ShowableDate

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 12, "decimal_places": 2}


class FeePeriodForm(forms.Form):
    effective_from = _ShowableDate(label=_("From (first day of the new period)"),
                                   widget=DATE_WIDGET,
                                   help_text=_("Today or later. The current period will end "
                                               "the day before."))
    kind = forms.ChoiceField(label=_("Rule"), choices=FeeRuleKind.choices)
    amount = forms.DecimalField(label=_("Amount or rate (SAR)"), min_value=0, **MONEY,
                                widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                              "dir": "ltr"}))
    minimum = forms.DecimalField(label=_("Minimum (SAR)"), required=False, min_value=0,
                                 **MONEY, widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                                        "dir": "ltr"}))
    unit_ar = forms.CharField(label=_("Unit (Arabic)"), max_length=40, required=False,
                              widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
                              help_text=_("For a rate: what is counted, e.g. م²"))
    unit_en = forms.CharField(label=_("Unit (English)"), max_length=40, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr", "lang": "en"}),
                              help_text=_("For a rate: what is counted, e.g. m²"))


class FeeFilterForm(forms.Form):
    eservice = _Localized(label=_("E-service"), required=False,
                          queryset=EService.objects.order_by("display_order", "code"),
                          empty_label=_("All"))
    municipality_class = forms.TypedChoiceField(
        label=_("Municipality class"), required=False, coerce=int, empty_value=None,
        choices=[("", _("All"))] + [(n, str(n)) for n in range(1, 6)])


class FeePreviewForm(forms.Form):
    eservice = _Localized(label=_("E-service"),
                          queryset=EService.objects.order_by("display_order", "code"))
    municipality = _Localized(label=_("Municipality"),
                              queryset=Municipality.objects.filter(is_active=True)
                              .order_by("kind", "code"))
    on = _ShowableDate(label=_("Date"), widget=DATE_WIDGET)
    component = forms.ChoiceField(label=_("Fee component"), choices=FeeComponent.choices,
                                  required=False)
    variant = forms.SlugField(label=_("Fee variant"), max_length=24, required=False,
                              help_text=_("Empty: the standard tariff"))
    quantity = forms.DecimalField(label=_("Quantity (area, units…)"), required=False,
                                  max_digits=14, decimal_places=3,
                                  help_text=_("Needed when the rule is a rate × quantity"),
                                  widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                                "dir": "ltr"}))
