"""The licence parts of the apply journey (pages part): which establishment a licence is
started for, and what the review page adds for a licence (its path and the declaration). The
rules themselves are part A's services (permits.licences.services); this only reads them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import establishments_represented


def establishments_for_start(person) -> list:
    return establishments_represented(person)


class EstablishmentChoiceField(forms.ChoiceField):
    """Asked on the start page when the person represents several establishments."""

    def __init__(self, establishments, language: str):
        super().__init__(
            label=_("For which establishment?"), required=False,
            help_text=_("Only for services an establishment applies for, such as a shop "
                        "licence."),
            choices=[("", _("Choose the establishment")),
                     *[(str(e.pk), f"{e.name(language) or e.name_ar} ({e.unified_number})")
                       for e in establishments]])


def licence_review_context(application, permit_type, *, declaration_refused: str = "") -> dict:
    """For a licence: the path it takes once submitted (instant against the declaration, or
    reviewed in about the type's expected working days) and, when instant, the declaration
    texts the delegate must accept. Empty for other types."""
    if not permit_type.uses_activities:
        return {}
    from .services import licence_declaration_texts, licence_path

    path = licence_path(application)
    texts = licence_declaration_texts(application) if path.instant else ("", "")
    return {"licence_path": path, "declaration_ar": texts[0], "declaration_en": texts[1],
            "declaration_error": declaration_refused,
            "expected_days": permit_type.expected_days}
