"""Mounted under /<lang>/payments/ by the project's URL map, only where the app is installed."""

from django.urls import path

from . import views

app_name = "sadad_simulator"
urlpatterns = [
    path("bills/<str:billing_account>/pay-simulated/", views.bill_pay, name="bill_pay"),
]
