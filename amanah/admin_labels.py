"""Names for the admin's inputs that Django draws without a <label>: fields of tabular inlines
and list_editable columns, the date and time halves of a split date-time, an inline's "delete"
box. axe counts each unnamed input as a critical violation; a screen reader reads nothing."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _name_widget(widget, name) -> None:
    widget = getattr(widget, "widget", widget)  # the admin's related-object wrapper
    if isinstance(widget, forms.MultiWidget):
        parts = (_("date"), _("time")) if len(widget.widgets) == 2 else ()
        for index, sub in enumerate(widget.widgets):
            part = parts[index] if parts else str(index + 1)
            sub.attrs.setdefault("aria-label", f"{name} ({part})")
    elif not widget.is_hidden:
        widget.attrs.setdefault("aria-label", str(name))


class LabelledFieldsMixin:
    """Every form field of this admin carries its verbose name as its accessible name."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            _name_widget(formfield.widget, db_field.verbose_name)
        return formfield


class LabelledInlineFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs.setdefault("aria-label", gettext("Delete"))


class LabelledTabularInline(LabelledFieldsMixin, admin.TabularInline):
    formset = LabelledInlineFormSet
