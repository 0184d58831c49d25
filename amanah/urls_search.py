"""Pages of issue 12's part; included by the app's URL map (names stay in its namespace)."""

from django.urls import path

from . import views_search

urlpatterns: list = [
    path("search/", views_search.staff_search, name="staff_search"),
]
