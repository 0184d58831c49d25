"""The guards and effects permit procedures name (registered when the app is ready).

Guards are cheap reads of the application behind the case and change nothing; a refusal says
why, so staff see it next to the disabled action. Effects only schedule a permits task after
the case's commit: the task locks the application and does the work (see permits/tasks.py).
"""

from amanah.dispatch import task_on_commit
from amanah.errors import DomainError
from workflow.registry import effect_register, guard_register

from .enums import FeeStage, InspectionOutcome, InspectionStatus


def _application(case):
    from .models import Application

    return (Application.objects.select_related("permit_type").filter(case_id=case.pk).first())


@guard_register("permit_correction_open", label_ar="طلب تصحيح مفتوح",
                label_en="A correction request is open",
                help_ar="يلزم أن يكون الموظف قد حدد في صفحة الطلب ما يجب تصحيحه.",
                help_en="Staff must first name on the application page what to correct.")
def guard_correction_open(*, case, transition, actor) -> bool:
    application = _application(case)
    if application is None or not application.corrections.filter(
            answered_at__isnull=True).exists():
        raise DomainError("permits.correction_form_required",
                          "اطلب التصحيح من صفحة الطلب بتحديد الحقول والمستندات المطلوب تصحيحها.",
                          "Request corrections from the application page, naming the fields "
                          "and documents to correct.")
    return True


@guard_register("permit_no_open_correction", label_ar="لا تصحيحات معلقة",
                label_en="No correction left open",
                help_ar="يلزم أن يكون مقدم الطلب قد أكمل كل التصحيحات المطلوبة.",
                help_en="The applicant must have made every requested correction.")
def guard_no_open_correction(*, case, transition, actor) -> bool:
    application = _application(case)
    if application is not None and application.corrections.filter(
            answered_at__isnull=True).exists():
        raise DomainError("permits.correction_unanswered",
                          "أكمل التصحيحات المطلوبة في صفحة الطلب أولاً.",
                          "Make the requested corrections on the application page first.")
    return True


@guard_register("permit_plan_check_passed", label_ar="اجتاز المخطط فحص الاشتراطات",
                label_en="Plan passed the zone check",
                help_ar="يلزم أن يجتاز المخطط فحص اشتراطات المنطقة لآخر نسخة من البيانات.",
                help_en="The plan must pass the zone rule check on the latest answers.")
def guard_plan_check_passed(*, case, transition, actor) -> bool:
    application = _application(case)
    if application is None or not application.permit_type.plan_check:
        return True
    latest = application.plan_checks.filter(
        answers_version=application.answers_version).order_by("-checked_at", "-id").first()
    if latest is None or not latest.passed:
        raise DomainError("permits.plan_check_required",
                          "يجب أن يجتاز المخطط فحص اشتراطات المنطقة لآخر نسخة من البيانات.",
                          "The plan must pass the zone rule check on the latest answers.")
    return True


@guard_register("permit_application_fee_paid", label_ar="رسوم التقديم مسددة",
                label_en="Application fee paid",
                help_ar="يلزم سداد رسوم تقديم الطلب إن كانت للرخصة رسوم تقديم.",
                help_en="The application fee must be paid, where the permit has one.")
def guard_application_fee_paid(*, case, transition, actor) -> bool:
    application = _application(case)
    if application is None or not application.permit_type.fee_rules.filter(
            stage=FeeStage.APPLICATION).exists():
        return True
    if not application.fees.filter(stage=FeeStage.APPLICATION, paid_at__isnull=False).exists():
        raise DomainError("permits.application_fee_unpaid", "لم تُسدد رسوم تقديم الطلب بعد.",
                          "The application fee has not been paid yet.")
    return True


@guard_register("permit_inspection_passed", label_ar="كشف ميداني ناجح",
                label_en="Site inspection passed",
                help_ar="يلزم تسجيل كشف ميداني ناجح إن كانت الرخصة تتطلب كشفاً.",
                help_en="A passed site inspection must be recorded, where the permit needs one.")
def guard_inspection_passed(*, case, transition, actor) -> bool:
    application = _application(case)
    if application is None or application.permit_type.inspection_checklist_id is None:
        return True
    latest = (application.inspections.filter(purpose=application.permit_type.inspection_purpose,
                                             status=InspectionStatus.DONE)
              .order_by("-done_at", "-id").first())
    if latest is None or latest.outcome != InspectionOutcome.PASSED:
        raise DomainError("permits.inspection_not_passed",
                          "لم يُسجَّل كشف ميداني ناجح لهذا الطلب.",
                          "No passed site inspection is recorded for this application.")
    return True


def _schedule(task_name: str):
    def effect(*, case_id: int, event_id: int) -> None:
        task_on_commit(task_name, case_id=case_id, event_id=event_id)

    effect.__name__ = task_name.rsplit(".", 1)[1]
    return effect


# Each effect schedules the task of the same name; the task takes the case and the event that
# moved it, locks the application and acts (running it twice does no harm).
effect_register("permit_approved", label_ar="اعتماد طلب الرخصة", label_en="Approve the application",
                help_ar="يصدر فاتورة رسوم الإصدار وينتظر سدادها، أو يمضي إن لم تكن رسوم.",
                help_en="Bills the issuance fee and waits for it, or moves on if there is none.")(
    _schedule("permits.application_approved"))
effect_register("permit_rejected", label_ar="رفض طلب الرخصة", label_en="Reject the application",
                help_ar="يسجل رفض الطلب بالسبب الذي ذكره الموظف.",
                help_en="Records the rejection with the reason staff gave.")(
    _schedule("permits.application_rejected"))
effect_register("permit_withdrawn", label_ar="سحب طلب الرخصة", label_en="Withdraw the application",
                help_ar="يسجل سحب مقدم الطلب لطلبه.",
                help_en="Records that the applicant withdrew the application.")(
    _schedule("permits.application_withdrawn"))
effect_register("permit_issue", label_ar="إصدار الرخصة", label_en="Issue the permit",
                help_ar="يصدر الرخصة (أو نسختها المعدلة) ويبلغ أطراف الطلب.",
                help_en="Issues the permit (or its amended version) and tells the parties.")(
    _schedule("permits.application_issue"))
