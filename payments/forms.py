"""Payments forms: the shape of what people type. Business rules live in the services."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from amanah.dates import FIRST_SHOWABLE_DATE, LAST_SHOWABLE_DATE, gregorian_format
from amanah.identity import digits_normalise
from amanah.models import EService, Municipality


class _Digits(forms.CharField):
    """Digits only, Arabic-Indic accepted; the citizen may paste with spaces."""

    def __init__(self, *, max_digits: int, **kwargs):
        self.max_digits = max_digits
        super().__init__(max_length=max_digits + 10, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        value = digits_normalise(value).replace(" ", "")
        if value and (not value.isascii() or not value.isdigit() or len(value) > self.max_digits):
            raise forms.ValidationError(
                _("Digits only, at most %(n)s.") % {"n": self.max_digits}, code="digits")
        return value


class _ShowableDate(forms.DateField):
    """A day typed as YYYY-MM-DD (what a date input sends) that the portal can show in Hijri."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%d"], **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not FIRST_SHOWABLE_DATE <= value <= LAST_SHOWABLE_DATE:
            language = get_language() or "ar"
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s.")
                % {"first": gregorian_format(FIRST_SHOWABLE_DATE, language),
                   "last": gregorian_format(LAST_SHOWABLE_DATE, language)},
                code="date_out_of_range")


class CollectionsWindowForm(forms.Form):
    """The collections dashboard's window, from the query string; both ends optional."""

    def __init__(self, data):
        super().__init__(data)
        # "from" is a Python keyword, so the fields are named here rather than declared.
        self.fields["from"] = _ShowableDate(label=_("From"), required=False)
        self.fields["to"] = _ShowableDate(label=_("To"), required=False)


class _Localized(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        english = (get_language() or "ar").startswith("en")
        return getattr(obj, "name_en" if english else "name_ar")


class BillInquiryForm(forms.Form):
    billing_account = _Digits(max_digits=15, label=_("Bill number (BillingAcct)"),
                              widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                            "autocomplete": "off"}))
    official_id = _Digits(max_digits=10, label=_("National ID, iqama or unified number"),
                          widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                        "autocomplete": "off"}))


class MiscFeeBillForm(forms.Form):
    municipality = _Localized(queryset=Municipality.objects.none(),
                                          label=_("Municipality"))
    eservice = _Localized(queryset=EService.objects.none(), label=_("Service"))
    payer_id = _Digits(max_digits=10, label=_("Payer: national ID, iqama or unified number"))
    quantity = forms.DecimalField(label=_("Quantity (for rates per unit)"), required=False,
                                  min_value=0, max_digits=12, decimal_places=2)
    reference = forms.CharField(label=_("Reference (challan number)"), max_length=40,
                                required=False)
    # Both optional here: the service asks for at least one and says so next to the first.
    description_ar = forms.CharField(label=_("What the fee is for (Arabic)"), max_length=300,
                                     required=False)
    description_en = forms.CharField(label=_("What the fee is for (English)"), max_length=300,
                                     required=False)

    def __init__(self, *args, municipalities, eservices, eservices_offered=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        eservice = self.fields["eservice"]
        eservice.queryset = eservices
        if eservices_offered is not None:
            # Listed: only what the rollout offers. Accepted: any service with a fee, so that
            # one off there is refused by the service with its reason, next to this field.
            eservice.widget.choices = [("", eservice.empty_label), *(
                (e.pk, eservice.label_from_instance(e)) for e in eservices_offered)]


class _Reason(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AllocateForm(_Reason):
    billing_account = _Digits(max_digits=15, label=_("Bill number to pay"))
    field_order = ["billing_account", "reason"]


class RefundRequestForm(_Reason):
    iban = forms.CharField(label=_("IBAN to refund to"), max_length=40)
    field_order = ["iban", "reason"]


class WriteOffForm(_Reason):
    pass


class RefundDecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason (required to reject)"), max_length=500,
                             required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CounterFeeForm(MiscFeeBillForm):
    """A fee issued at the counter: the payer is the citizen being served, the number the
    system's own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["payer_id"]
        del self.fields["reference"]
