"""A department queue as a file: /transactions/exports/queue/<department>.csv or .xlsx (a
format other than those is a 404, answered by the view)."""

from django.urls import path

from .views.exports import export_queue

urlpatterns: list = [
    path("queue/<int:department_id>.<str:file_format>", export_queue, name="export_queue"),
]
