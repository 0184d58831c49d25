"""Pages of issue 12's part; included by the app's URL map (names stay in its namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
