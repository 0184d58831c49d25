from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from amanah.navigation import nav_for_request
from amanah.permissions import is_staff_member, person_for_user
from amanah.service_hours import service_days_text, service_times_text


def _other_language_url(path: str, language: str, other: str) -> str:
    translated = translate_url(path, other)
    # Pages that do not resolve (404s) still switch, by swapping the prefix.
    if translated == path and path.startswith(f"/{language}/"):
        return f"/{other}/" + path[len(language) + 2:]
    return translated


def portal(request):
    """What the shell needs on every page: demo banner, language switch, who is signed in."""
    language = (get_language() or "ar")[:2]
    other = "en" if language == "ar" else "ar"
    path = request.get_full_path() if request is not None else "/"
    user = getattr(request, "user", None)
    display_name = ""
    is_staff_user = False
    if user is not None and user.is_authenticated:
        person = person_for_user(user)
        if person is not None:
            display_name = person.name(language)
        else:
            # Staff are addressed by their full name; a bare first name is ambiguous among
            # colleagues. Names are stored once, as written (Arabic for the demo staff), and
            # shown as-is on English pages too: a person's name is not translated.
            display_name = user.get_full_name() or user.get_username()
        is_staff_user = is_staff_member(user) or user.is_superuser
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "SADAD_BILLER_ID": settings.SADAD_BILLER_ID,
        "other_language": other,
        "other_language_url": _other_language_url(path, language, other),
        "user_display_name": display_name,
        "user_is_staff_member": is_staff_user,
        "nav_items": nav_for_request(request),
        "service_days": service_days_text(),
        "service_times": service_times_text(),
    }
