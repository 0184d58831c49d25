"""Page URLs of the violations app's inspections part (included by violations/urls.py)."""

from django.urls import path

from . import inspections

urlpatterns = [
    path("inspections/", inspections.inspector_day, name="inspector_day"),
    path("inspections/new/", inspections.inspection_new, name="inspection_new"),
    path("inspections/<str:number>/", inspections.inspection_page, name="inspection"),
    path("inspections/<str:number>/start/", inspections.inspection_start,
         name="inspection_start"),
    path("inspections/<str:number>/cancel/", inspections.inspection_cancel,
         name="inspection_cancel"),
]
