from django.urls import path

from ..reconciliation import views as recon_views
from . import views

app_name = "sadad"
urlpatterns = [
    path("payment-notifications", views.payment_notifications, name="payment_notifications"),
    path("reconciliation-files", recon_views.reconciliation_files, name="reconciliation_files"),
]
