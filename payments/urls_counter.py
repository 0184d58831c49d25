"""Counter service (issue 12): a fee issued for a walk-in citizen."""

from django.urls import path

from .views import counter

urlpatterns = [
    path("person/<int:person_id>/fee/", counter.counter_fee, name="counter_fee"),
    path("fee/<str:billing_account>/", counter.counter_fee_issued, name="counter_fee_issued"),
]
