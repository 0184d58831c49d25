"""The holiday calendar (issue 12, point 3); names in the workflow namespace."""

from django.urls import path

from .views import holidays

urlpatterns: list = [
    path("", holidays.holiday_list, name="holiday_list"),
    path("<int:holiday_id>/remove/", holidays.holiday_delete, name="holiday_delete"),
]
