"""Page URLs of the violations app's reports part (included by violations/urls.py)."""

from django.urls import path

from . import reports

urlpatterns = [
    path("reports/", reports.reports, name="reports"),
]
