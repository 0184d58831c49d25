"""Departments and staff roles (issue 12, point 3); names in the amanah namespace."""

from django.urls import path

from . import views_config

urlpatterns: list = [
    path("departments/", views_config.department_list, name="department_list"),
    path("departments/<int:department_id>/", views_config.department_detail,
         name="department_detail"),
    path("departments/<int:department_id>/active/", views_config.department_active,
         name="department_active"),
    path("roles/<int:membership_id>/revoke/", views_config.membership_revoke,
         name="membership_revoke"),
]
