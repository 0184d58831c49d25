"""Every URL pattern of the project, with sample values in its parameters.

Tests that must hold "for every page and every API call" walk this list rather than a
hand-picked one, so that a page added later is covered without anyone remembering to.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

_SAMPLES = {"int": "1", "str": "X1", "slug": "x1", "path": "x1",
            "uuid": "00000000-0000-0000-0000-000000000001"}
_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "payments:my_bills"
    path: str  # absolute, with sample values and Arabic as the language

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def is_machine(self) -> bool:
        """SADAD's endpoints: answered through the machine stack (amanah.machine), which reads
        no session — a signed-in browser gets there exactly what a signed-out one gets."""
        return self.path.startswith(tuple(settings.MACHINE_PATH_PREFIXES))


def _fill(pattern: str) -> str:
    def sample(match: re.Match) -> str:
        return _SAMPLES.get(match.group("converter") or "str", "x1")

    text = _PARAMETER.sub(sample, pattern)
    # Language-prefixed patterns print as "ar/"; regex patterns (the admin's) as ^…$.
    return text.replace("^", "").replace("$", "").replace("\\", "")


def _walk(patterns, prefix: str, namespace: str):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            if "(?P" in pattern or "(" in pattern:
                continue  # the admin's catch-all regex routes; its named pages are walked
            yield Route(name=f"{namespace}{entry.name or ''}", path="/" + _fill(pattern))


def all_routes() -> list[Route]:
    """Every route once (the Arabic language prefix stands for both languages)."""
    seen, routes = set(), []
    for route in _walk(get_resolver().url_patterns, "", ""):
        if route.path.startswith("/en/") or route.path in seen:
            continue
        seen.add(route.path)
        routes.append(route)
    return routes
