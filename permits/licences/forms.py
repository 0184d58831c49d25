"""Forms of the licence pages: shape only; the services decide the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..lifecycle_forms import MAX_TEXT


class LicenceCancelForm(forms.Form):
    """The holder's cancellation: a reason, then a confirmation step showing the quote."""

    reason = forms.CharField(label=_("Why do you want to cancel the licence?"),
                             max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class RenewalYearsForm(forms.Form):
    years = forms.TypedChoiceField(label=_("Renew for"), coerce=int, choices=[
        (1, _("1 year")), (2, _("2 years")), (3, _("3 years"))], widget=forms.RadioSelect)
