"""Counter service (issue 12): a clerk files a request for a walk-in citizen."""

from django.urls import path

from .views import counter

urlpatterns = [
    path("person/<int:person_id>/file/", counter.counter_file, name="counter_file"),
    path("filed/<int:case_id>/", counter.counter_filed, name="counter_filed"),
]
