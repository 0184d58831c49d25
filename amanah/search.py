"""Staff search: one box for a case or bill number, an ID or iqama, a unified number, a mobile
or a name, answered by every app that registered a provider, each within what the user may see.

What the text is (an ID, a mobile, a reference, a name) is decided once, here, so every app
reads the same query the same way. A provider is
`provider(*, query: SearchQuery, user, limit: int) -> list[SearchHit]`; it answers only what
`user` may open, in a fixed number of queries, at most `limit` hits.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .enums import IdType
from .errors import DomainError
from .identity import (
    digits_normalise,
    mobile_normalise,
    national_id_normalise,
    official_id_type,
    unified_number_normalise,
)
from .models import Establishment, Person

MIN_NAME_LETTERS = 2
MAX_QUERY_LENGTH = 100


class QueryKind:
    NATIONAL_ID = "national_id"
    IQAMA = "iqama"
    UNIFIED_NUMBER = "unified_number"
    MOBILE = "mobile"
    REFERENCE = "reference"
    NAME = "name"
    EMPTY = "empty"
    TOO_SHORT = "too_short"


# "Nothing found for …": what the text was read as, in the words of the page.
QUERY_KIND_LABELS = {
    QueryKind.NATIONAL_ID: _("a national ID"),
    QueryKind.IQAMA: _("an iqama number"),
    QueryKind.UNIFIED_NUMBER: _("an establishment's unified number"),
    QueryKind.MOBILE: _("a mobile number"),
    QueryKind.REFERENCE: _("a case, bill, permit or notice number"),
    QueryKind.NAME: _("a name"),
}

# Letters Arabic writes in more than one way: a name typed with one finds it stored with another.
_ARABIC_VARIANTS = {
    "ا": "[اأإآ]", "أ": "[اأإآ]", "إ": "[اأإآ]", "آ": "[اأإآ]",
    "ي": "[يى]", "ى": "[يى]",
    "ه": "[هة]", "ة": "[هة]",
}
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class SearchQuery:
    """The text as typed and what it looks like. Several readings may hold at once (a ten-digit
    number is an ID and might also be a reference); `kind` is the one the page names."""

    text: str
    kind: str
    national_id: str = ""  # a national ID or iqama that passed its check digit
    unified_number: str = ""
    mobile: str = ""  # E.164, as Person.mobile stores it
    reference: str = ""  # upper case, digits ASCII: a case, bill, permit or notice number
    name: str = ""
    # The people and establishments the ID, mobile or name points to, looked up once for
    # every provider (search_parties_resolve): providers then filter on indexed foreign keys.
    parties_resolved: bool = False
    person_ids: tuple[int, ...] = ()
    establishment_ids: tuple[int, ...] = ()

    @property
    def is_searchable(self) -> bool:
        return self.kind not in (QueryKind.EMPTY, QueryKind.TOO_SHORT)

    @property
    def kind_label(self):
        return QUERY_KIND_LABELS.get(self.kind, "")

    def name_q(self, *fields: str) -> Q:
        """Any of `fields` contains the name, Arabic letter variants alike (case-insensitive);
        with no name, nothing matches."""
        if not self.name:
            return Q(pk__in=[])
        pattern = name_pattern(self.name)
        condition = Q()
        for name_field in fields:
            condition |= Q(**{f"{name_field}__iregex": pattern})
        return condition


# A name like "محمد" matches many people: the search looks at this many of each kind of party.
PARTY_LIMIT = 200


def search_parties_resolve(query: SearchQuery) -> SearchQuery:
    """The query with the ids of the people and establishments its ID, unified number, mobile
    or name points to: at most two queries, none for a reference or an already resolved
    query. Providers call it first; search_run calls it once for all of them."""
    if query.parties_resolved:
        return query
    people = Q()
    if query.national_id:
        people |= Q(national_id=query.national_id)
    if query.mobile:
        people |= Q(mobile=query.mobile)
    if query.name:
        people |= query.name_q("name_ar", "name_en")
    establishments = Q()
    if query.unified_number:
        establishments |= Q(unified_number=query.unified_number)
    if query.name:
        establishments |= query.name_q("name_ar", "name_en")
    person_ids = tuple(Person.objects.filter(people).order_by("pk")
                       .values_list("pk", flat=True)[:PARTY_LIMIT]) if people else ()
    establishment_ids = tuple(Establishment.objects.filter(establishments).order_by("pk")
                              .values_list("pk", flat=True)[:PARTY_LIMIT]) \
        if establishments else ()
    return replace(query, parties_resolved=True, person_ids=person_ids,
                   establishment_ids=establishment_ids)


def parties_q(query: SearchQuery, *, person_field: str, establishment_field: str) -> Q:
    """Rows whose person or establishment is one the query points to (resolved first)."""
    condition = Q()
    if query.person_ids:
        condition |= Q(**{f"{person_field}__in": list(query.person_ids)})
    if query.establishment_ids:
        condition |= Q(**{f"{establishment_field}__in": list(query.establishment_ids)})
    return condition


def name_pattern(name: str) -> str:
    """A regular expression that finds `name` inside a stored one, whichever way its alef,
    yaa and taa marbuta were written; spaces match any run of spaces."""
    parts = []
    for char in name:
        if char in _ARABIC_VARIANTS:
            parts.append(_ARABIC_VARIANTS[char])
        elif char.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _accepts(normalise: Callable[[str], str], value: str) -> str:
    try:
        return normalise(value)
    except DomainError:
        return ""


def search_query_parse(text: str) -> SearchQuery:
    """What the typed text is: an ID or iqama (valid check digit), a unified number, a mobile
    in any of its written forms, a reference (digits, or letters with digits), or a name."""
    raw = " ".join((text or "").split())[:MAX_QUERY_LENGTH]
    if not raw:
        return SearchQuery(text="", kind=QueryKind.EMPTY)
    normal = digits_normalise(raw)
    compact = re.sub(r"[\s\-()]", "", normal)
    if re.fullmatch(r"\+?\d+", compact):
        digits = compact.lstrip("+")
        if len(digits) == 10 and official_id_type(digits) in (IdType.NATIONAL_ID, IdType.IQAMA):
            national_id = _accepts(national_id_normalise, digits)
            if national_id:
                kind = (QueryKind.NATIONAL_ID if official_id_type(digits) == IdType.NATIONAL_ID
                        else QueryKind.IQAMA)
                return SearchQuery(text=raw, kind=kind, national_id=national_id,
                                   reference=digits)
        if len(digits) == 10 and official_id_type(digits) == IdType.UNIFIED_NUMBER:
            unified = _accepts(unified_number_normalise, digits)
            return SearchQuery(text=raw, kind=QueryKind.UNIFIED_NUMBER, unified_number=unified,
                               reference=digits)
        mobile = _accepts(mobile_normalise, compact)
        if mobile:
            return SearchQuery(text=raw, kind=QueryKind.MOBILE, mobile=mobile)
        if len(digits) < 2:
            return SearchQuery(text=raw, kind=QueryKind.TOO_SHORT)
        return SearchQuery(text=raw, kind=QueryKind.REFERENCE, reference=digits)
    if any(char.isdigit() for char in normal):
        return SearchQuery(text=raw, kind=QueryKind.REFERENCE, reference=normal.upper())
    if len(_LETTER.findall(raw)) < MIN_NAME_LETTERS:
        return SearchQuery(text=raw, kind=QueryKind.TOO_SHORT)
    # One word of letters is read as a name, and also as a reference: an application's
    # reference is hexadecimal and may, rarely, have no digit.
    return SearchQuery(text=raw, kind=QueryKind.NAME, name=raw,
                       reference="" if " " in raw else raw.upper())


@dataclass(frozen=True)
class SearchHit:
    """One thing found: what it is, its number and title, a line about it, its status, where,
    and the page the user may open. `sort_key` orders hits of a kind, newest first."""

    kind: str
    kind_label: object  # lazy translation
    number: str
    title_ar: str
    title_en: str
    url: str
    sort_key: dt.datetime
    detail_ar: str = ""
    detail_en: str = ""
    status_label: object = ""
    municipality_ar: str = ""
    municipality_en: str = ""

    def _pick(self, arabic: str, english: str) -> str:
        english_page = (get_language() or "ar").startswith("en")
        return (english or arabic) if english_page else (arabic or english)

    @property
    def title(self) -> str:
        return self._pick(self.title_ar, self.title_en)

    @property
    def detail(self) -> str:
        return self._pick(self.detail_ar, self.detail_en)

    @property
    def municipality(self) -> str:
        return self._pick(self.municipality_ar, self.municipality_en)


@dataclass(frozen=True)
class SearchGroup:
    kind: str
    label: object
    hits: list[SearchHit]
    is_capped: bool = False


@dataclass(frozen=True)
class SearchResults:
    query: SearchQuery
    groups: list[SearchGroup] = field(default_factory=list)
    message: object = ""  # why nothing was searched for (empty or too short a text)

    @property
    def count(self) -> int:
        return sum(len(group.hits) for group in self.groups)


SearchProvider = Callable[..., list[SearchHit]]
_providers: dict[str, SearchProvider] = {}


def search_provider_register(name: str, provider: SearchProvider) -> None:
    """Registering the same name again replaces the provider (ready() may run twice)."""
    _providers[name] = provider


def search_providers() -> list[tuple[str, SearchProvider]]:
    return sorted(_providers.items())


def search_run(*, user, text: str, limit_per_kind: int = 20) -> SearchResults:
    """Ask every provider, in the order of their names, and group their hits by kind, newest
    first. An empty or too short text asks nobody and says why."""
    query = search_query_parse(text)
    if query.kind == QueryKind.EMPTY:
        return SearchResults(query=query, message=_(
            "Type a case or bill number, an ID or iqama number, a unified number, a mobile "
            "number or a name."))
    if query.kind == QueryKind.TOO_SHORT:
        return SearchResults(query=query, message=_(
            "That is too short to search for: type at least two letters of a name, or a "
            "whole number."))
    query = search_parties_resolve(query)
    groups: dict[str, list[SearchHit]] = {}
    labels: dict[str, object] = {}
    for _name, provider in search_providers():
        # One more than the limit tells the page that a kind has more than it shows.
        for hit in provider(query=query, user=user, limit=limit_per_kind + 1):
            groups.setdefault(hit.kind, []).append(hit)
            labels.setdefault(hit.kind, hit.kind_label)
    result = []
    for kind, hits in groups.items():
        hits.sort(key=lambda hit: hit.sort_key, reverse=True)
        result.append(SearchGroup(kind=kind, label=labels[kind], hits=hits[:limit_per_kind],
                                  is_capped=len(hits) > limit_per_kind))
    return SearchResults(query=query, groups=result)
