"""The refusals of the workflow engine, each with a stable code and both languages."""

from amanah.errors import Conflict, DomainError, NotFound, PermissionDenied


def case_not_found() -> NotFound:
    return NotFound("workflow.case_not_found", "لم يتم العثور على المعاملة.",
                    "Transaction not found.")


def case_busy() -> Conflict:
    return Conflict("workflow.case_busy",
                    "يعمل موظف آخر على هذه المعاملة الآن. أعد تحميل الصفحة وحاول مرة أخرى.",
                    "Someone else is working on this transaction right now. "
                    "Reload the page and try again.")


def case_changed() -> Conflict:
    return Conflict("workflow.case_changed",
                    "تغيرت المعاملة منذ فتحتها (قام بها موظف آخر). أعد تحميل الصفحة.",
                    "The transaction changed since you opened it (someone else acted on it). "
                    "Reload the page.")


def action_not_available(action: str) -> Conflict:
    return Conflict("workflow.action_not_available",
                    f"الإجراء «{action}» غير متاح في حالة المعاملة الحالية.",
                    f"The action '{action}' is not available in the transaction's current state.",
                    field="action")


def not_allowed() -> PermissionDenied:
    return PermissionDenied("workflow.not_allowed", "لا تملك صلاحية هذا الإجراء على المعاملة.",
                            "You are not allowed to take this action on the transaction.")


def case_closed() -> Conflict:
    return Conflict("workflow.case_closed", "المعاملة منتهية ولا تقبل إجراءات أخرى.",
                    "The transaction is finished and takes no further actions.")


def required(code: str, field: str, what_ar: str, what_en: str) -> DomainError:
    return DomainError(code, f"{what_ar} مطلوب لهذا الإجراء.",
                       f"{what_en} is required for this action.", field=field)
