"""Mounted under /<lang>/account/ inside the `amanah` namespace (amanah:sign_in …)."""

from django.urls import path

from .. import views_notifications
from . import identity_views, views

urlpatterns = [
    path("", views.account, name="account"),
    path("notifications/", views_notifications.my_notifications, name="my_notifications"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("sign-up/", identity_views.sign_up, name="sign_up"),
    path("sign-up/details/", identity_views.sign_up_details, name="sign_up_details"),
    path("verify/", identity_views.identity_verify, name="identity_verify"),
    path("nafath-simulator/<str:transaction_id>/", identity_views.nafath_simulator,
         name="nafath_simulator"),
    path("sign-in/confirm-device/", views.confirm_device, name="confirm_device"),
    path("sign-in/confirm-device/resend/", views.confirm_device_resend,
         name="confirm_device_resend"),
    path("password-reset/", identity_views.password_reset, name="password_reset"),
    path("password-reset/code/", identity_views.password_reset_code,
         name="password_reset_code"),
    path("password-reset/new/", identity_views.password_reset_new, name="password_reset_new"),
    path("second-factor/", identity_views.second_factor_verify, name="second_factor_verify"),
    path("second-factor/enrol/", identity_views.second_factor_enrol,
         name="second_factor_enrol"),
    path("second-factor/enrol/qr.svg", identity_views.second_factor_qr,
         name="second_factor_qr"),
    path("confirm-mobile/", views.confirm_mobile, name="confirm_mobile"),
    path("confirm-mobile/resend/", views.resend_code, name="resend_code"),
]
