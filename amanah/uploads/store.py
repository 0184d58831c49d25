"""Writing a checked upload into a model's private file field, with its row."""

from django.db import models

from .policy import CheckedUpload


def upload_store(instance: models.Model, upload: CheckedUpload, *,
                 field: str = "file") -> models.Model:
    """Save `upload`'s bytes into `instance.<field>` and insert the row. If the row does not
    make it, the file is removed (no file is left that no row points to); the upload's
    temporary copy is closed either way."""
    stored = getattr(instance, field)
    try:
        stored.save(upload.stored_name, upload.as_file(), save=False)
        instance.save()
    except BaseException:
        if stored.name:
            stored.delete(save=False)
        raise
    finally:
        upload.close()
    return instance
