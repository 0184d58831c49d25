"""The objections world: a fine issued to the establishment, and the "violation_objection"
procedure published (the approval part's `procedures_make` when it exists; until then the
contract's shape: submitted → legal review → decided, decide guarded and settling)."""

from django.db import transaction

from tests.violations.factories import fine_issued_make, violations_world
from workflow.services.definitions import EXPORT_FORMAT, definition_import


def _procedure() -> dict:
    try:
        from violations.procedures import objection_procedure

        return objection_procedure()
    except ImportError:
        pass

    def state(code, category, *, start=False):
        return {"code": code, "name_ar": code, "name_en": code, "category": category,
                "department_code": "legal", "sla_hours": 35 if category == "in_review" else None,
                "is_start": start, "transfer_department_codes": []}

    def move(action, source, target, roles, *, guards=(), effects=()):
        return {"action": action, "name_ar": action, "name_en": action, "from": source,
                "to": target, "allowed_roles": roles, "comment_required": False,
                "document_required": False, "guards": list(guards), "effects": list(effects)}

    return {"format": EXPORT_FORMAT, "code": "violation_objection",
            "eservice": "violation_objection", "name_ar": "اعتراض", "name_en": "Objection",
            "description_ar": "", "description_en": "", "case_prefix": "", "sla_hours": 105,
            "states": [state("submitted", "submitted", start=True),
                       state("legal_review", "in_review"), state("decided", "closed")],
            "transitions": [
                move("route", "submitted", "legal_review", ["system"]),
                move("decide", "legal_review", "decided", ["reviewer", "head"],
                     guards=["violation_objection_decided"],
                     effects=["violation_objection_settle"])]}


def procedure_publish(world) -> None:
    try:
        from tests.violations.factories import procedures_make

        procedures_make(world)
        return
    except ImportError:
        pass
    with transaction.atomic():
        definition_import(data=_procedure(), municipality=world.municipality, publish=True)


def objection_world(*, no=("FINE", "SERIOUS"), **values):
    world = violations_world()
    procedure_publish(world)
    fine = fine_issued_make(world, no=no, **values)
    return world, fine


def lines_by_item(fine) -> dict:
    return {line.item_code: line for line in fine.lines.all()}
