from django.urls import path

from . import views

app_name = "sadad"
urlpatterns = [
    path("payment-notifications", views.payment_notifications, name="payment_notifications"),
]
