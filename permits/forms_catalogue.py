"""Forms of the public catalogue pages: the shape of what a visitor types. Amounts and rules
are payments' and the catalogue's, never checked here."""

from decimal import Decimal

from django import forms
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .service_cards import QuantityInput

# Wider than any real building or route, narrower than anything the database cannot hold.
QUANTITY_LIMIT = Decimal("9999999.99")


def _language() -> str:
    return get_language() or "ar"


def _municipality_choices(municipalities, empty_label) -> list:
    english = _language().startswith("en")
    return [("", empty_label)] + [
        (m.code, (m.name_en or m.name_ar) if english else m.name_ar) for m in municipalities]


class MunicipalityChoiceForm(forms.Form):
    """Which municipality's fees a service card shows."""

    municipality = forms.ChoiceField(label=_("Municipality"))

    def __init__(self, data=None, *, municipalities, initial=None):
        super().__init__(data, initial=initial)
        self.fields["municipality"].choices = _municipality_choices(
            municipalities, _("— Choose a municipality —"))


class QuantityField(forms.DecimalField):
    """A positive number of units (m², metres) with at most two decimals."""

    def __init__(self, quantity: QuantityInput, **kwargs):
        language = _language()
        unit = quantity.unit(language)
        limit = min(quantity.max_value, QUANTITY_LIMIT) if quantity.max_value else QUANTITY_LIMIT
        message = _("Enter a number greater than zero and at most %(limit)s, with at most two "
                    "decimals.") % {"limit": f"{limit.normalize():f}"}
        super().__init__(
            label=f"{quantity.label(language)} ({unit})" if unit else quantity.label(language),
            min_value=Decimal("0.01"), max_value=limit, max_digits=9, decimal_places=2,
            error_messages={key: message for key in (
                "invalid", "min_value", "max_value", "max_digits", "max_decimal_places",
                "max_whole_digits")} | {"required": _("Enter the quantity to price this "
                                                      "permit's fees.")},
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                          "dir": "ltr"}),
            **kwargs)

    def run_validators(self, value):
        # Too big is also too many digits: say it once.
        try:
            super().run_validators(value)
        except forms.ValidationError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class FeeCalculatorForm(forms.Form):
    """A type, where (a municipality, or just its class), and the type's quantities.

    The quantity fields are those of the type the page showed (`shown_type`): after another
    type is chosen its own fields are shown first, unasked, rather than refused as missing."""

    type = forms.ChoiceField(label=_("Permit or certificate"))
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    municipality_class = forms.ChoiceField(
        label=_("Or a municipality class"), required=False,
        help_text=_("Fees depend on the municipality's class, 1 (the largest cities) to 5."))
    shown_type = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)

    def __init__(self, data=None, *, permit_types, municipalities, quantities=()):
        super().__init__(data)
        language = _language()
        self.fields["type"].choices = [("", _("— Choose a permit —"))] + [
            (t.code, t.name(language)) for t in permit_types]
        self.fields["municipality"].choices = _municipality_choices(
            municipalities, _("— Any municipality of the class below —"))
        self.fields["municipality_class"].choices = [("", _("— Choose a class —"))] + [
            (str(n), gettext("Class %(n)s") % {"n": n}) for n in range(1, 6)]
        self.quantity_keys = [q.key for q in quantities]
        for quantity in quantities:
            self.fields[quantity.key] = QuantityField(quantity, required=self.quantities_asked)

    @property
    def quantities_asked(self) -> bool:
        """Were the quantity fields on the page the visitor sent? Only then are they checked."""
        if not self.is_bound:
            return False
        return bool(self.data.get("type")) and self.data.get("type") == self.data.get(
            "shown_type")

    def clean(self):
        data = super().clean()
        if not data.get("municipality") and not data.get("municipality_class") \
                and "municipality" not in self.errors:
            self.add_error("municipality", _("Choose a municipality, or a municipality class."))
        return data

    def quantities(self) -> dict[str, Decimal]:
        return {key: self.cleaned_data[key] for key in self.quantity_keys
                if self.cleaned_data.get(key) is not None}
