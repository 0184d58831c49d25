"""The counter's forms: the shape of what the clerk types. The rules are `amanah.counter`'s."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .auth.forms import MunicipalityChoiceField, NationalIdForm
from .models import Municipality


class CounterFindForm(NationalIdForm):
    """The citizen's national ID or iqama, as they give it at the counter or on the phone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["national_id"].label = _("The citizen's national ID or iqama number")
        self.fields["national_id"].widget.attrs["autocomplete"] = "off"


class CounterPersonForm(forms.Form):
    """A walk-in citizen the portal does not know yet."""

    national_id = forms.CharField(widget=forms.HiddenInput, max_length=20)
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=200,
                              widget=forms.TextInput(attrs={"dir": "rtl",
                                                            "autocomplete": "off"}))
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr",
                                                            "autocomplete": "off"}))
    mobile = forms.CharField(label=_("Mobile number"), max_length=20, required=False,
                             help_text=_("For example 0551234567."),
                             widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel",
                                                           "dir": "ltr",
                                                           "autocomplete": "off"}))
    municipality = MunicipalityChoiceField(label=_("Municipality of residence"),
                                           queryset=Municipality.objects.none())

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
