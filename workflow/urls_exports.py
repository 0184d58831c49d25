"""A department queue as a file: /transactions/exports/queue/<department>.csv or .xlsx"""

from django.urls import re_path

from .views.exports import export_queue

urlpatterns: list = [
    re_path(r"^queue/(?P<department_id>[0-9]{1,18})\.(?P<file_format>csv|xlsx)$", export_queue,
            name="export_queue"),
]
