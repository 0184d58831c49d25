"""Case documents live outside MEDIA_ROOT so no web server can hand them out without a check."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    location = getattr(settings, "WORKFLOW_PRIVATE_ROOT", None) or (
        Path(settings.BASE_DIR) / "var" / "private")
    # No base_url: a private file has no public address; it is served by a checked view.
    return FileSystemStorage(location=str(location), base_url=None)


def attachment_upload_to(instance, filename: str) -> str:
    return f"workflow/cases/{instance.case_id}/{filename}"
