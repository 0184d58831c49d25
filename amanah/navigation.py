"""The main menu. Each app adds its own entries in `AppConfig.ready()`, so the shell never
imports the apps, and every page of every app shows the same menu.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

Audience = Callable[[object], bool]  # request -> may this person see the entry?


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: object  # a lazy translation
    audience: Audience
    order: int = 100


_entries: dict[str, NavEntry] = {}


def everyone(request) -> bool:
    return True


def signed_in(request) -> bool:
    return request.user.is_authenticated


def nav_register(*, url_name: str, label, audience: Audience = everyone, order: int = 100) -> None:
    """Registering the same URL name again replaces the entry (ready() may run twice in tests)."""
    _entries[url_name] = NavEntry(url_name=url_name, label=label, audience=audience, order=order)


def nav_for_request(request) -> list[dict]:
    """The entries this request may see, in order, with the one for the current page marked."""
    if request is None or not hasattr(request, "user"):
        return []
    items = []
    for entry in sorted(_entries.values(), key=lambda e: (e.order, e.url_name)):
        if not entry.audience(request):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": entry.label,
                      "is_current": request.path == url})
    return items
