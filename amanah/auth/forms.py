"""Sign-in and sign-up forms. They check shape; the rules live in amanah.services."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from amanah.errors import DomainError
from amanah.identity import mobile_normalise, national_id_normalise
from amanah.models import Municipality


def domain_error_to_form(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal next to the field it is about (or on top of the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Municipality) -> str:
        return obj.name_en if (get_language() or "ar").startswith("en") else obj.name_ar


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("National ID, iqama number or staff username"), max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "dir": "ltr",
                                      "autocapitalize": "none", "spellcheck": "false"}))
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "dir": "ltr"}))


class _PasswordPairForm(forms.Form):
    password1 = forms.CharField(
        label=_("Password"), strip=False,
        help_text=_("At least 8 characters, not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "dir": "ltr"}))
    password2 = forms.CharField(
        label=_("Password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "dir": "ltr"}))

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("password1") and cleaned.get("password2")
                and cleaned["password1"] != cleaned["password2"]):
            self.add_error("password2", _("The two passwords do not match."))
        return cleaned


def _domain_checked(validator, value: str) -> str:
    try:
        return validator(value)
    except DomainError as error:
        raise forms.ValidationError(error.message, code=error.code) from None


class NationalIdForm(forms.Form):
    """The first step of sign-up and of a password reset: which ID to verify."""

    national_id = forms.CharField(
        label=_("National ID or iqama number"), max_length=20,
        help_text=_("10 digits; a national ID starts with 1, an iqama number with 2."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username",
                                      "dir": "ltr"}))

    def clean_national_id(self) -> str:
        return _domain_checked(national_id_normalise, self.cleaned_data["national_id"])


class SignUpForm(_PasswordPairForm):
    """After Nafath: what only the person can tell us. The ID and names come from Nafath."""

    mobile = forms.CharField(
        label=_("Mobile number"), max_length=20, help_text=_("For example 0551234567."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel",
                                      "dir": "ltr"}))
    email = forms.EmailField(label=_("Email"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email",
                                                            "dir": "ltr"}))
    municipality = MunicipalityChoiceField(
        label=_("Municipality where you live"), queryset=Municipality.objects.none(),
        empty_label=_("Choose…"))
    field_order = ["mobile", "email", "municipality", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.filter(
            is_active=True).order_by("kind", "name_ar")

    def clean_mobile(self) -> str:
        return _domain_checked(mobile_normalise, self.cleaned_data["mobile"])


class NewPasswordForm(_PasswordPairForm):
    pass


class NafathSimulatorForm(forms.Form):
    """The simulated Nafath app (training): the number the person chooses, and the names the
    simulated national registry returns."""

    chosen = forms.CharField(max_length=2, required=False)
    name_ar = forms.CharField(label=_("Full name in Arabic (as in the national registry)"),
                              max_length=200, required=False,
                              widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}))
    name_en = forms.CharField(label=_("Full name in English (as in the national registry)"),
                              max_length=200, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr", "lang": "en"}))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"), max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "dir": "ltr", "pattern": "[0-9٠-٩ ]*"}))


class ResetCodeForm(_PasswordPairForm):
    code = forms.CharField(
        label=_("Code from the SMS"), max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "dir": "ltr", "pattern": "[0-9٠-٩ ]*"}))
    field_order = ["code", "password1", "password2"]


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"), max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "dir": "ltr",
                                      "autocapitalize": "none", "spellcheck": "false"}))
