"""The one error a business rule raises when it says no."""

from django.utils.translation import get_language


class DomainError(Exception):
    """A refused action: a stable `code` for machines, a message in Arabic and English for people.

    `field` names the form field the message belongs next to, when there is one.
    `status` is the HTTP status the API answers with.
    """

    status = 400

    def __init__(self, code: str, message_ar: str, message_en: str, *, field: str | None = None,
                 status: int | None = None):
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_ar = message_ar
        self.message_en = message_en
        self.field = field
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        """The message in the language of the current request."""
        return self.message_en if (get_language() or "ar").startswith("en") else self.message_ar


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    """Someone else changed the record first (or holds its lock); reload and try again."""

    status = 409
