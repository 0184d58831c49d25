"""Fee schedules as effective-dated periods (issue 12, point 3); names in the payments
namespace."""

from django.urls import path

from .views import fees

urlpatterns: list = [
    path("", fees.fee_list, name="fee_list"),
    path("preview/", fees.fee_preview, name="fee_preview"),
    path("<int:fee_id>/", fees.fee_detail, name="fee_detail"),
    path("<int:fee_id>/new-period/", fees.fee_period_new, name="fee_period_new"),
]
