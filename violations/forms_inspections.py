"""Forms of the inspector's pages: their shape only; the rules are the services'."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import OffenderKind


class InspectionOpenForm(forms.Form):
    """A new inspection: where, against whom, with which checklist (empty: chosen by the
    licence's activities, else the general one)."""

    municipality = forms.ChoiceField(label=_("Municipality"))
    offender_kind = forms.ChoiceField(label=_("Against"), choices=OffenderKind.choices,
                                      widget=forms.RadioSelect)
    permit_number = forms.CharField(label=_("Licence or permit number"), max_length=40,
                                    required=False)
    unified_number = forms.CharField(label=_("Establishment unified number"), max_length=10,
                                     required=False)
    national_id = forms.CharField(label=_("National ID"), max_length=10, required=False)
    place_description = forms.CharField(label=_("Place"), max_length=300, required=False)
    district = forms.CharField(label=_("District"), max_length=100, required=False)
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6,
                                  min_value=-90, max_value=90, required=False)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6,
                                   min_value=-180, max_value=180, required=False)
    checklist = forms.ChoiceField(label=_("Checklist"), required=False)
    source_reference = forms.CharField(label=_("Complaint reference"), max_length=64,
                                       required=False)
    # One key per form shown: pressing the button twice opens one inspection.
    client_key = forms.CharField(widget=forms.HiddenInput, min_length=8, max_length=64)

    def __init__(self, *args, municipalities=(), checklists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [(m.code, m.name_ar if _arabic() else
                                                m.name_en or m.name_ar)
                                               for m in municipalities]
        self.fields["checklist"].choices = [("", _("Chosen by the licence's activities"))] + [
            (c.code, c.name_ar if _arabic() else c.name_en) for c in checklists]
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4().hex)
            self.initial.setdefault("offender_kind", OffenderKind.ESTABLISHMENT)


def _arabic() -> bool:
    from django.utils.translation import get_language

    return not (get_language() or "ar").startswith("en")


class InspectionCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(
        attrs={"rows": 2}))
