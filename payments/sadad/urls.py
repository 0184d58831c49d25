from django.urls import path

from . import recon_endpoint, views

app_name = "sadad"
urlpatterns = [
    path("payment-notifications", views.payment_notifications, name="payment_notifications"),
    path("reconciliation-files", recon_endpoint.reconciliation_files, name="reconciliation_files"),
]
