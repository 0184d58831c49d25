"""Pages of issue 12's part; included by the app's URL map (names stay in its namespace)."""

from django.urls import path

from . import views_search

urlpatterns: list = [
    path("search/", views_search.staff_search, name="staff_search"),
]


# --- Counter service (helper "counter"): find a walk-in citizen by ID, then file or bill. ---
from amanah import views_counter  # noqa: E402

urlpatterns += [
    path("counter/", views_counter.counter, name="counter"),
    path("counter/person/<int:person_id>/", views_counter.counter_person,
         name="counter_person"),
]
