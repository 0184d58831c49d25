"""URLs of the licence pages, included in permits/urls.py (names in the permits namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("establishment/", views.establishment_workspace, name="establishment_workspace"),
    path("licence/<str:number>/cancel/", views.licence_cancel, name="licence_cancel"),
    path("licence/<str:number>/sub-permits/<str:code>/", views.licence_sub_permit_start,
         name="licence_sub_permit_start"),
    path("applications/<str:reference>/activities/", views.apply_activities,
         name="apply_activities"),
    path("staff/sample-inspections/", views.sample_inspection_list,
         name="sample_inspection_list"),
]
