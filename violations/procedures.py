"""The procedures violations follow, in the workflow export format.

- "violation_approval": a fine notice waits for the head of the municipality's inspection
  department, who approves it (bill, notice, penalties follow) or does not confirm it, with a
  comment. The effects only schedule `violations.approval_decided` (workflow_hooks.py).
- "violation_objection": an objection goes to the legal department; it is decided when every
  objected line has a decision (guard `violation_objection_decided`) and the decision is
  applied by the effect `violation_objection_settle` (both written by the objections part).
"""

from amanah.models import Municipality
from workflow.enums import VersionStatus
from workflow.models import DefinitionVersion
from workflow.registry import effect_names, guard_names
from workflow.services.definitions import EXPORT_FORMAT, definition_import

APPROVAL_CODE = "violation_approval"
OBJECTION_CODE = "violation_objection"
APPROVERS = ["head"]
LEGAL_DECIDERS = ["reviewer", "head"]
OBJECTION_GUARD = "violation_objection_decided"
OBJECTION_EFFECT = "violation_objection_settle"


def _state(code, name_ar, name_en, category, department, *, sla=None, start=False):
    return {"code": code, "name_ar": name_ar, "name_en": name_en, "category": category,
            "department_code": department, "sla_hours": sla, "is_start": start,
            "transfer_department_codes": []}


def _move(action, name_ar, name_en, source, target, roles, *, comment=False, guards=(),
          effects=()):
    return {"action": action, "name_ar": name_ar, "name_en": name_en, "from": source,
            "to": target, "allowed_roles": list(roles), "comment_required": comment,
            "document_required": False, "guards": list(guards), "effects": list(effects)}


def approval_procedure(*, department: str = "inspection", approval_sla_hours: int = 21) -> dict:
    """submitted → approval (SLA in working hours) → approved | not confirmed."""
    states = [
        _state("submitted", "مرفوعة للاعتماد", "Submitted for approval", "submitted",
               department, sla=4, start=True),
        _state("approval", "اعتماد المخالفة", "Approval of the fine", "in_review", department,
               sla=approval_sla_hours),
        _state("approved", "معتمدة", "Approved", "approved", department),
        _state("not_confirmed", "غير مؤكدة", "Not confirmed", "rejected", department),
    ]
    transitions = [
        _move("route", "توجيه آلي", "Route", "submitted", "approval", ["system"]),
        _move("approve", "اعتماد المخالفة", "Approve the fine", "approval", "approved",
              APPROVERS, comment=True, effects=["violation_approval_decided"]),
        _move("not_confirm", "عدم تأكيد المخالفة", "Do not confirm the fine", "approval",
              "not_confirmed", APPROVERS, comment=True, effects=["violation_approval_decided"]),
    ]
    return {
        "format": EXPORT_FORMAT, "code": APPROVAL_CODE, "eservice": "violation",
        "name_ar": "اعتماد مخالفة بلدية", "name_en": "Approval of a municipal fine",
        "description_ar": "يعتمد رئيس إدارة الرقابة الغرامة قبل إصدار فاتورتها وإشعارها.",
        "description_en": "The head of inspection approves a fine before its bill and notice "
                          "are issued.",
        "case_prefix": "VA", "sla_hours": approval_sla_hours + 4, "states": states,
        "transitions": transitions,
    }


def objection_procedure(*, department: str = "legal", review_sla_hours: int = 35) -> dict:
    """submitted → legal review (SLA 35 working hours) → decided, once every line is."""
    states = [
        _state("submitted", "مقدم", "Submitted", "submitted", department, sla=4, start=True),
        _state("review", "الدراسة القانونية", "Legal review", "in_review", department,
               sla=review_sla_hours),
        _state("decided", "صدر القرار", "Decided", "closed", department),
    ]
    transitions = [
        _move("route", "توجيه آلي", "Route", "submitted", "review", ["system"]),
        _move("decide", "إصدار القرار", "Decide the objection", "review", "decided",
              LEGAL_DECIDERS, comment=True, guards=[OBJECTION_GUARD],
              effects=[OBJECTION_EFFECT]),
    ]
    return {
        "format": EXPORT_FORMAT, "code": OBJECTION_CODE, "eservice": "violation_objection",
        "name_ar": "الاعتراض على مخالفة بلدية", "name_en": "Objection to a municipal fine",
        "description_ar": "اعتراض على بنود غرامة خلال مهلة الاعتراض، تنظره الإدارة القانونية.",
        "description_en": "An objection to items of a fine within the objection period, heard "
                          "by the legal department.",
        "case_prefix": "VO", "sla_hours": review_sla_hours + 4, "states": states,
        "transitions": transitions,
    }


def _published(code: str, municipality: Municipality) -> bool:
    return DefinitionVersion.objects.filter(definition__municipality=municipality,
                                            definition__code=code,
                                            status=VersionStatus.PUBLISHED).exists()


def violations_procedures_ensure(*, municipality: Municipality | None = None) -> list[str]:
    """Publish both procedures in the municipality — by default the Amanah, whose definitions
    serve its branches — unless they are already; the objection one only once its guard and
    effect are registered. Returns the codes published now."""
    if municipality is None:
        from amanah.enums import MunicipalityKind

        municipality = Municipality.objects.filter(kind=MunicipalityKind.AMANAH).order_by(
            "pk").first()
        if municipality is None:
            return []
    done = []
    if not _published(APPROVAL_CODE, municipality):
        definition_import(data=approval_procedure(), municipality=municipality, publish=True)
        done.append(APPROVAL_CODE)
    if (not _published(OBJECTION_CODE, municipality) and OBJECTION_GUARD in guard_names()
            and OBJECTION_EFFECT in effect_names()):
        definition_import(data=objection_procedure(), municipality=municipality, publish=True)
        done.append(OBJECTION_CODE)
    return done
