"""Reads of the approval part: the approver's queue, one notice for its decision, the public
verification of a notice, and the files (evidence photos, notice PDF) behind access checks.
Each runs a fixed number of queries whatever the number of rows."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from .access import approver_municipalities, offender_may_see, staff_may_see
from .enums import LineStatus, NoticeKind, ViolationStatus
from .models import EvidencePhoto, Violation, ViolationLine


def _queue_qs() -> QuerySet[Violation]:
    return (Violation.objects.select_related("municipality", "inspection", "inspector",
                                             "establishment", "person", "approval_case__state")
            .prefetch_related(
                Prefetch("lines", queryset=ViolationLine.objects.select_related("item")
                         .order_by("id")),
                Prefetch("inspection__photos", queryset=EvidencePhoto.objects.order_by("id"))))


def approval_queue_for(*, user) -> QuerySet[Violation] | None:
    """Fines awaiting approval in the municipalities the user approves for, oldest first;
    None when the user approves nowhere."""
    municipalities = approver_municipalities(user)
    if not municipalities:
        return None
    return (_queue_qs().filter(kind=NoticeKind.FINE, status=ViolationStatus.PENDING_APPROVAL,
                               municipality_id__in=municipalities)
            .order_by("recorded_at", "pk"))


def approval_notice_get(*, user, number: str) -> Violation | None:
    """A fine notice the user approves for (any status: the decision stays visible)."""
    municipalities = approver_municipalities(user)
    if not municipalities:
        return None
    return _queue_qs().filter(kind=NoticeKind.FINE, number=number,
                              municipality_id__in=municipalities).first()


def evidence_photo_for_staff(*, user, photo_id: int) -> EvidencePhoto | None:
    """An evidence photo staff of the inspection's municipality may see."""
    photo = (EvidencePhoto.objects.select_related("inspection").filter(pk=photo_id).first())
    if photo is None:
        return None
    notice = Violation(municipality_id=photo.inspection.municipality_id)
    return photo if staff_may_see(user, notice) else None


def notice_pdf_for(*, user, number: str) -> Violation | None:
    """The notice whose PDF the user may download: its offender, or staff of its
    municipality; only once it is made."""
    violation = (Violation.objects.select_related("establishment").filter(
        number=number, kind=NoticeKind.FINE).exclude(notice_pdf="").first())
    if violation is None:
        return None
    if offender_may_see(user, violation) or staff_may_see(user, violation):
        return violation
    return None


@dataclass(frozen=True)
class NoticeVerification:
    number: str
    status: str
    status_label: str
    municipality: object
    recorded_on: object
    total: Decimal
    is_paid: bool
    is_settled: bool


def notice_verification_get(*, token: str) -> NoticeVerification | None:
    """What the public verification page shows: nothing personal."""
    if not token or len(token) > 64:
        return None
    violation = (Violation.objects.select_related("municipality")
                 .filter(verify_token=token, kind=NoticeKind.FINE).first())
    if violation is None:
        return None
    statuses = set(violation.lines.values_list("status", flat=True))
    paid = bool(statuses) and statuses <= {LineStatus.PAID, LineStatus.CANCELLED} \
        and LineStatus.PAID in statuses
    return NoticeVerification(
        number=violation.number, status=violation.status,
        status_label=str(ViolationStatus(violation.status).label),
        municipality=violation.municipality, recorded_on=violation.recorded_at.date(),
        total=violation.total, is_paid=paid,
        is_settled=violation.status == ViolationStatus.SETTLED)
