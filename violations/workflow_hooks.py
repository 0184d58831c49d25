"""The effects the "violation_approval" procedure names (registered when the app is ready).

Effects only schedule: the task `violations.approval_decided` takes the case and the event that
moved it, locks the notice and issues it or marks it not confirmed (services/approval.py); its
sweeper finds decided cases whose notice still waits.
"""

from amanah.dispatch import task_on_commit
from workflow.registry import effect_register


@effect_register("violation_approval_decided", label_ar="تطبيق قرار اعتماد المخالفة",
                 label_en="Apply the fine approval decision",
                 help_ar="يصدر إشعار المخالفة وفاتورتها أو يسجل عدم اعتمادها.",
                 help_en="Issues the notice and its bill, or marks it not confirmed.")
def effect_approval_decided(*, case_id: int, event_id: int) -> None:
    task_on_commit("violations.approval_decided", case_id=case_id, event_id=event_id)
