"""Case documents live outside MEDIA_ROOT so no web server can hand them out without a check."""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files under WORKFLOW_PRIVATE_ROOT (default var/private), read at each use so tests and
    deployments can point it elsewhere. No URL: they are served by a permission-checked view."""

    @property
    def base_location(self):
        return str(getattr(settings, "WORKFLOW_PRIVATE_ROOT", None)
                   or Path(settings.BASE_DIR) / "var" / "private")

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("private case documents have no public URL")


def private_storage() -> PrivateStorage:
    return PrivateStorage()


def attachment_upload_to(instance, filename: str) -> str:
    return f"workflow/cases/{instance.case_id}/{filename}"
