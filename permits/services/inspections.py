"""The inspection's one status writer (booking, doing and moving visits build on it)."""

from amanah import clock
from amanah.errors import Conflict

from ..enums import InspectionStatus
from ..models import Inspection

INSPECTION_MOVES: dict[str, frozenset[str]] = {
    InspectionStatus.BOOKED: frozenset({InspectionStatus.DONE, InspectionStatus.CANCELLED}),
    InspectionStatus.DONE: frozenset(),
    InspectionStatus.CANCELLED: frozenset(),
}


def inspection_lock(inspection_id: int) -> Inspection:
    return Inspection.objects.select_for_update().get(pk=inspection_id)


def inspection_status_change(*, inspection: Inspection, to_status: str,
                             outcome: str = "") -> None:
    """The one writer of Inspection.status; the caller holds the row lock and writes the
    application's event (inspections are part of the application's chain)."""
    if to_status not in INSPECTION_MOVES.get(inspection.status, frozenset()):
        raise Conflict("permits.inspection_status_refused",
                       "لا يمكن تنفيذ هذا الإجراء على الزيارة في حالتها الحالية.",
                       "This cannot be done to the visit in its current status.")
    inspection.status = to_status
    fields = ["status"]
    if to_status == InspectionStatus.DONE:
        inspection.done_at = clock.now()
        inspection.outcome = outcome
        fields += ["done_at", "outcome"]
    inspection.save(update_fields=fields)
