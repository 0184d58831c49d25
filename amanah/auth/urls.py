"""Mounted under /<lang>/account/ inside the `amanah` namespace (amanah:sign_in …)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.account, name="account"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("confirm-mobile/", views.confirm_mobile, name="confirm_mobile"),
    path("confirm-mobile/resend/", views.resend_code, name="resend_code"),
]
