"""HTML forms of the permit pages (renewal, amendment, replacement, objection, staff
decisions): the shape of the input only; the rules are the lifecycle services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workflow.forms import document_field

from .enums import FieldKind

MAX_TEXT = 2000


class ReasonForm(forms.Form):
    """A staff decision (suspend, reinstate, cancel): the reason, then a confirmation step."""

    reason = forms.CharField(label=_("Reason (the holder is told it)"), max_length=MAX_TEXT,
                             widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ReplacementForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why is a replacement needed?"), choices=[
        ("lost", _("The certificate was lost")),
        ("damaged", _("The certificate was damaged")),
    ], widget=forms.RadioSelect)
    note = forms.CharField(label=_("Details"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def reason_text(self) -> str:
        label = dict(self.fields["reason"].choices)[self.cleaned_data["reason"]]
        note = self.cleaned_data.get("note", "").strip()
        return f"{label}: {note}" if note else str(label)


class ObjectionForm(forms.Form):
    grounds = forms.CharField(label=_("Grounds of the objection"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    document = document_field(_("Supporting document"))


def _field_for(type_field, language: str) -> forms.Field:
    label = type_field.label(language)
    unit = type_field.unit_en if language.startswith("en") else type_field.unit_ar
    if unit:
        label = f"{label} ({unit})"
    help_text = type_field.help_en if language.startswith("en") else type_field.help_ar
    common = {"label": label, "required": False, "help_text": help_text}
    kind = type_field.kind
    if kind == FieldKind.INTEGER:
        return forms.IntegerField(**common, min_value=type_field.min_value,
                                  max_value=type_field.max_value)
    if kind == FieldKind.DECIMAL:
        return forms.DecimalField(**common, min_value=type_field.min_value,
                                  max_value=type_field.max_value, decimal_places=2)
    if kind == FieldKind.CHOICE:
        choices = [(str(c.get("value")), c.get("en" if language.startswith("en") else "ar"))
                   for c in type_field.choices]
        return forms.ChoiceField(**common, choices=[("", "—"), *choices])
    if kind == FieldKind.BOOLEAN:
        return forms.TypedChoiceField(**common, choices=[("", "—"), ("true", _("Yes")),
                                                         ("false", _("No"))])
    if kind == FieldKind.DATE:
        return forms.DateField(**common, widget=forms.DateInput(attrs={"type": "date"}))
    widget = forms.Textarea(attrs={"rows": 3}) if kind == FieldKind.TEXTAREA else None
    return forms.CharField(**common, max_length=type_field.max_length, widget=widget)


class AmendmentForm(forms.Form):
    """The permit's printed details, filled with their approved values; the holder changes
    what should change. Blank keeps the approved value."""

    def __init__(self, *args, detail_fields, details: dict, language: str, **kwargs):
        initial = {f.key: details.get(f.key) for f in detail_fields}
        for f in detail_fields:
            if f.kind == FieldKind.BOOLEAN and f.key in details:
                initial[f.key] = "true" if details[f.key] else "false"
        super().__init__(*args, initial=initial, **kwargs)
        for f in detail_fields:
            self.fields[f.key] = _field_for(f, language)

    def answers(self) -> dict:
        """What was typed, for the service to compare with the approved values."""
        return {key: value for key, value in self.cleaned_data.items()
                if value not in (None, "")}
