"""The procedures permit applications follow, in the workflow export format.

A permit procedure's meaning lives in permits (workflow_hooks.py): its guards say when a step may
be taken (plan rules passed, the application fee paid, the site inspection passed, a correction
written), its effects schedule what permits must do when the case moves (bill the issuance
fee, issue the permit). Staff see and take the steps on the case page as for any transaction.
"""

from workflow.services.definitions import EXPORT_FORMAT

REVIEWERS = ["reviewer", "head"]
HANDLERS = ["clerk", "reviewer", "head"]


def _state(code, name_ar, name_en, category, department, *, sla=None, start=False,
           transfer=()):
    return {"code": code, "name_ar": name_ar, "name_en": name_en, "category": category,
            "department_code": department, "sla_hours": sla, "is_start": start,
            "transfer_department_codes": list(transfer)}


def _move(action, name_ar, name_en, source, target, roles, *, comment=False, guards=(),
          effects=()):
    return {"action": action, "name_ar": name_ar, "name_en": name_en, "from": source,
            "to": target, "allowed_roles": list(roles), "comment_required": comment,
            "document_required": False, "guards": list(guards), "effects": list(effects)}


def permit_procedure(*, code: str, eservice: str, name_ar: str, name_en: str,
                     review_department: str = "engineering", inspection: bool = True,
                     sla_hours: int = 70, review_sla_hours: int = 35,
                     case_prefix: str = "") -> dict:
    """submitted → review (with corrections) → [site inspection] → decision → issuance fee →
    issued; rejected or withdrawn on the way. `review_sla_hours` is in working hours."""
    dept = review_department
    states = [
        _state("submitted", "مقدم", "Submitted", "submitted", dept, sla=4, start=True),
        _state("review", "المراجعة الفنية", "Technical review", "in_review", dept,
               sla=review_sla_hours, transfer=["engineering", "inspection", "legal"]),
        _state("awaiting_applicant", "بانتظار تصحيح مقدم الطلب", "Awaiting corrections",
               "awaiting_applicant", dept),
        _state("decision", "الاعتماد", "Decision", "in_review", dept, sla=7),
        _state("awaiting_fee", "بانتظار سداد رسوم الإصدار", "Awaiting the issuance fee",
               "awaiting_payment", dept),
        _state("issued", "صدرت الرخصة", "Permit issued", "approved", dept),
        _state("rejected", "مرفوض", "Rejected", "rejected", dept),
        _state("cancelled", "مسحوب", "Withdrawn", "cancelled", dept),
    ]
    transitions = [
        _move("route", "توجيه آلي", "Route", "submitted", "review", ["system"]),
        _move("return_to_applicant", "طلب تصحيح من مقدم الطلب", "Request corrections",
              "review", "awaiting_applicant", HANDLERS, comment=True,
              guards=["permit_correction_open"], effects=["notify_applicant"]),
        _move("resubmit", "إعادة التقديم بعد التصحيح", "Resubmit after corrections",
              "awaiting_applicant", "review", ["applicant"],
              guards=["permit_no_open_correction"]),
        _move("reject", "رفض الطلب", "Reject", "review", "rejected", REVIEWERS, comment=True,
              effects=["permit_rejected", "notify_applicant"]),
        _move("reject", "رفض الطلب", "Reject", "decision", "rejected", REVIEWERS, comment=True,
              effects=["permit_rejected", "notify_applicant"]),
        _move("approve", "اعتماد الطلب", "Approve", "decision", "awaiting_fee", REVIEWERS,
              comment=True, guards=["permit_application_fee_paid"],
              effects=["permit_approved", "notify_applicant"]),
        _move("fee_paid", "سداد رسوم الإصدار", "Issuance fee paid", "awaiting_fee", "issued",
              ["system"], effects=["permit_issue"]),
        _move("withdraw", "سحب الطلب", "Withdraw", "submitted", "cancelled", ["applicant"],
              effects=["permit_withdrawn"]),
        _move("withdraw", "سحب الطلب", "Withdraw", "review", "cancelled", ["applicant"],
              effects=["permit_withdrawn"]),
        _move("withdraw", "سحب الطلب", "Withdraw", "awaiting_applicant", "cancelled",
              ["applicant"], effects=["permit_withdrawn"]),
    ]
    review_done = ["permit_plan_check_passed", "permit_application_fee_paid"]
    if inspection:
        states.insert(3, _state("inspection", "الكشف الميداني", "Site inspection", "in_review",
                                "inspection", sla=35, transfer=["engineering"]))
        transitions += [
            _move("send_to_inspection", "إحالة للكشف الميداني", "Send for site inspection",
                  "review", "inspection", HANDLERS, guards=review_done),
            _move("inspection_passed", "اجتاز الكشف", "Inspection passed", "inspection",
                  "decision", ["inspector", "head"], guards=["permit_inspection_passed"]),
            _move("back_to_review", "إعادة للمراجعة الفنية", "Back to technical review",
                  "inspection", "review", ["inspector", "head"], comment=True),
        ]
    else:
        transitions.append(_move("send_to_decision", "رفع للاعتماد", "Send for decision",
                                 "review", "decision", HANDLERS, guards=review_done))
    return {
        "format": EXPORT_FORMAT, "code": code, "eservice": eservice, "name_ar": name_ar,
        "name_en": name_en, "description_ar": "", "description_en": "",
        "case_prefix": case_prefix, "sla_hours": sla_hours, "states": states,
        "transitions": transitions,
    }


OBJECTION_CODE = "permit_objection"
LEGAL_DECIDERS = ["reviewer", "head"]


def objection_procedure(*, legal_department: str = "legal", sla_hours: int = 105,
                        review_sla_hours: int = 70, case_prefix: str = "") -> dict:
    """An objection to a permit decision: submitted → legal review (asking the objector for
    more, if needed) → accepted or rejected with reasons; withdrawn on the way. Internal (no
    e-service): it is started only by permits' own objection service, which checks the
    60-day limit. SLA hours are working hours."""
    dept = legal_department
    states = [
        _state("submitted", "مقدم", "Submitted", "submitted", dept, sla=4, start=True),
        _state("legal_review", "الدراسة القانونية", "Legal review", "in_review", dept,
               sla=review_sla_hours),
        _state("awaiting_objector", "بانتظار إيضاح من المعترض", "Awaiting the objector",
               "awaiting_applicant", dept),
        _state("accepted", "قُبل الاعتراض", "Objection upheld", "approved", dept),
        _state("rejected", "رُفض الاعتراض", "Objection dismissed", "rejected", dept),
        _state("withdrawn", "سُحب الاعتراض", "Objection withdrawn", "cancelled", dept),
    ]
    transitions = [
        _move("route", "توجيه آلي", "Route", "submitted", "legal_review", ["system"]),
        _move("request_information", "طلب إيضاح من المعترض", "Ask the objector for more",
              "legal_review", "awaiting_objector", HANDLERS, comment=True,
              effects=["notify_applicant"]),
        _move("resubmit", "تقديم الإيضاح", "Send the information asked for",
              "awaiting_objector", "legal_review", ["applicant"]),
        _move("accept", "قبول الاعتراض", "Uphold the objection", "legal_review", "accepted",
              LEGAL_DECIDERS, comment=True, effects=["notify_applicant"]),
        _move("reject", "رفض الاعتراض", "Dismiss the objection", "legal_review", "rejected",
              LEGAL_DECIDERS, comment=True, effects=["notify_applicant"]),
        _move("withdraw", "سحب الاعتراض", "Withdraw the objection", "submitted", "withdrawn",
              ["applicant"]),
        _move("withdraw", "سحب الاعتراض", "Withdraw the objection", "legal_review",
              "withdrawn", ["applicant"]),
        _move("withdraw", "سحب الاعتراض", "Withdraw the objection", "awaiting_objector",
              "withdrawn", ["applicant"]),
    ]
    return {
        "format": EXPORT_FORMAT, "code": OBJECTION_CODE, "eservice": None,
        "name_ar": "الاعتراض على قرار رخصة", "name_en": "Objection to a permit decision",
        "description_ar": "اعتراض على قرار إصدار أو رفض أو تعديل أو إيقاف أو إلغاء رخصة، خلال "
                          "ستين يوماً من القرار، تنظره الإدارة القانونية.",
        "description_en": "An objection to a permit decision (issue, rejection, amendment, "
                          "suspension, cancellation) within 60 days, heard by the legal "
                          "department.",
        "case_prefix": case_prefix, "sla_hours": sla_hours, "states": states,
        "transitions": transitions,
    }
