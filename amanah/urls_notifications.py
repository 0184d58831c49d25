"""Pages of issue 12's part; included by the app's URL map (names stay in its namespace)."""

from django.urls import path

from . import views_notifications

urlpatterns: list = [
    path("", views_notifications.notification_templates, name="notification_templates"),
    path("<int:template_id>/", views_notifications.notification_template_edit,
         name="notification_template_edit"),
]
