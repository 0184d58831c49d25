"""The admin's screen for inspectors' visit slots (imported by permits/admin.py).

A slot's `booked` count is the booking services' alone (changed under the slot's lock), so it
is shown, never edited here; the capacity may not go below what is already booked."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import InspectionSlot


class InspectionSlotForm(forms.ModelForm):
    class Meta:
        model = InspectionSlot
        fields = ["department", "inspector", "starts_at", "ends_at", "capacity"]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The slot must end after it starts."))
        capacity = data.get("capacity")
        if capacity is not None and capacity < self.instance.booked:
            self.add_error("capacity", _("Visits already booked in this slot: %(count)s.")
                           % {"count": self.instance.booked})
        return data


@admin.register(InspectionSlot)
class InspectionSlotAdmin(admin.ModelAdmin):
    form = InspectionSlotForm
    list_display = ["starts_at", "ends_at", "department", "inspector", "capacity", "booked"]
    list_filter = ["department__municipality", "department"]
    date_hierarchy = "starts_at"
    readonly_fields = ["booked"]
    ordering = ["-starts_at"]
    list_select_related = ["department", "inspector"]
