"""Forms of the objection pages: their shape only; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from amanah.uploads import CASE_DOCUMENT_POLICY

from .enums import ObjectionDecision
from .services.objections import REASON_MAX


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(
            attrs={"multiple": True, "accept": CASE_DOCUMENT_POLICY.accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ObjectionFileForm(forms.Form):
    """One checkbox and one reason per line that may be objected to, and the documents."""

    documents = MultipleFileField(
        label=_("Supporting documents"), required=False,
        help_text=_("PDF or images, at most 10 files."))

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"object_{line.pk}"] = forms.BooleanField(
                label=_("Object to this item"), required=False)
            self.fields[f"reason_{line.pk}"] = forms.CharField(
                label=_("Reason"), required=False, max_length=REASON_MAX,
                widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}))

    def blocks(self):
        return [(line, self[f"object_{line.pk}"], self[f"reason_{line.pk}"])
                for line in self.lines]

    def chosen(self) -> list[tuple[int, str]]:
        return [(line.pk, self.cleaned_data.get(f"reason_{line.pk}", ""))
                for line in self.lines if self.cleaned_data.get(f"object_{line.pk}")]


class LineDecisionForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[(ObjectionDecision.ACCEPTED, _("Accept: cancel the fine")),
                 (ObjectionDecision.REDUCED, _("Reduce the fine")),
                 (ObjectionDecision.REJECTED, _("Reject: the fine stands"))])
    reduced_amount = forms.DecimalField(label=_("Reduced amount (SAR)"), required=False,
                                        max_digits=12, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))
