"""Reads of objections for pages and the API: the caller's own, one for the legal department,
and what the offender may object to on a notice — each in a fixed number of queries."""

from django.db.models import Prefetch, QuerySet

from amanah.errors import NotFound

from .access import legal_municipalities, offender_filter, offender_may_see
from .models import Objection, ObjectionDocument, ObjectionLine, Violation


def _objections() -> QuerySet[Objection]:
    return (Objection.objects.select_related("violation", "case__state")
            .prefetch_related(
                Prefetch("lines", queryset=ObjectionLine.objects.select_related("line__item")
                         .order_by("id")),
                Prefetch("documents", queryset=ObjectionDocument.objects.order_by("id"))))


def objection_not_found() -> NotFound:
    return NotFound("violations.objection_not_found", "الاعتراض غير موجود.",
                    "No such objection.")


def objection_list_for_user(user) -> list[Objection]:
    """The objections to the caller's own notices, newest first."""
    where = offender_filter(user)
    if where is None:
        return []
    mine = Violation.objects.filter(where).values("pk")
    return list(_objections().filter(violation_id__in=mine).order_by("-filed_at", "-id"))


def objection_get_for_user(user, number: str) -> Objection:
    """One objection to the caller's own notice; anyone else is told it does not exist."""
    objection = _objections().filter(number=(number or "").strip()).first()
    if objection is None or not offender_may_see(user, objection.violation):
        raise objection_not_found()
    return objection


def objection_get_for_legal(user, number: str) -> Objection:
    """One objection, for legal staff of its notice's municipality (404 for anyone else)."""
    objection = _objections().filter(number=(number or "").strip()).first()
    if objection is None or objection.violation.municipality_id not in legal_municipalities(user):
        raise objection_not_found()
    return objection


def objection_queue_for_legal(user) -> list[Objection]:
    return list(_objections().filter(violation__municipality_id__in=legal_municipalities(user))
                .order_by("status", "filed_at", "id")[:200])


def notice_for_objection(user, number: str) -> Violation:
    """The caller's fine notice with its lines, their items and bills (404 for anyone else)."""
    violation = (Violation.objects.select_related("municipality", "establishment", "person")
                 .prefetch_related("lines__item", "lines__bill")
                 .filter(number=(number or "").strip()).first())
    if violation is None or not offender_may_see(user, violation):
        raise NotFound("violations.not_found", "المخالفة غير موجودة.", "No such violation.")
    return violation
