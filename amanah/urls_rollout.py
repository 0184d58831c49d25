"""Pages of issue 12's part; included by the app's URL map (names stay in its namespace)."""

from django.urls import path

from . import views_rollout

urlpatterns: list = [
    path("", views_rollout.rollout_matrix, name="rollout_matrix"),
    path("change/", views_rollout.rollout_change, name="rollout_change"),
    path("scorecards/", views_rollout.scorecards, name="scorecards"),
    path("thresholds/", views_rollout.pilot_thresholds, name="pilot_thresholds"),
]
