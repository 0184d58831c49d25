"""The admin's screen for visit slots: `booked` is the booking services' alone, and a slot can
neither end before it starts nor shrink below the visits already booked in it."""

import datetime as dt

import pytest
from django.contrib import admin
from django.utils import translation

from amanah.dates import RIYADH
from permits.admin_inspections import InspectionSlotAdmin, InspectionSlotForm
from permits.models import InspectionSlot
from permits.services.inspections import inspection_book
from tests.permits.factories import application_at_inspection_make, permits_world, slot_make

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=RIYADH)


def _data(world, **changes):
    return {"department": world.departments["inspection"].pk, "inspector": world.inspector.pk,
            "starts_at": "2026-12-03 09:00", "ends_at": "2026-12-03 10:00", "capacity": 2,
            **changes}


def test_a_slot_is_made_and_its_booked_count_is_never_a_field(clock):
    clock.set(NOW)
    world = permits_world()
    form = InspectionSlotForm(data=_data(world))
    assert form.is_valid(), form.errors
    slot = form.save()
    assert (slot.capacity, slot.booked) == (2, 0)
    assert "booked" not in form.fields
    assert "booked" in InspectionSlotAdmin(InspectionSlot, admin.site).readonly_fields


def test_a_slot_may_not_end_before_it_starts_nor_shrink_below_its_bookings(clock):
    clock.set(NOW)
    world = permits_world()
    backwards = InspectionSlotForm(data=_data(world, ends_at="2026-12-03 08:00"))
    assert not backwards.is_valid()
    assert "ends_at" in backwards.errors
    slot = slot_make(world, starts_at=NOW + dt.timedelta(days=2), capacity=2)
    inspection_book(application_id=application_at_inspection_make(world).pk,
                    user=world.owner.user, slot_id=slot.pk, purpose="site")
    slot.refresh_from_db()
    shrunk = InspectionSlotForm(instance=slot, data=_data(world, capacity=0))
    with translation.override("en"):
        assert not shrunk.is_valid()
        assert shrunk.errors["capacity"] == ["Visits already booked in this slot: 1."]
    slot.refresh_from_db()
    assert (slot.capacity, slot.booked) == (2, 1)
