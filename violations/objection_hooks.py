"""The guard and effect the "violation_objection" procedure names (registered when the app is
ready): the decide step waits until legal staff decided every line, and taking it schedules
`objection_settle` after the case's commit."""

from amanah.dispatch import task_on_commit
from amanah.errors import DomainError
from workflow.registry import effect_register, guard_register


@guard_register("violation_objection_decided", label_ar="البت في كل بنود الاعتراض",
                label_en="Every objection item decided",
                help_ar="يلزم أن تبت الإدارة القانونية في كل بند من بنود الاعتراض.",
                help_en="Legal staff must have decided every item of the objection.")
def guard_objection_decided(*, case, transition, actor) -> bool:
    from .models import Objection
    from .services.objections import objection_undecided_lines

    objection = Objection.objects.filter(case_id=case.pk).first()
    if objection is None:
        raise DomainError("violations.objection_not_found", "الاعتراض غير موجود.",
                          "No objection belongs to this case.")
    undecided = objection_undecided_lines(objection)
    if undecided:
        raise DomainError("violations.objection_undecided",
                          f"ابتّ في كل بند من صفحة الاعتراض أولاً (المتبقي: {'، '.join(undecided)}).",
                          f"Decide every item on the objection's page first (left: "
                          f"{', '.join(undecided)}).")
    return True


@effect_register("violation_objection_settle", label_ar="تسوية الاعتراض",
                 label_en="Settle the objection",
                 help_ar="يطبق قرار الاعتراض على المخالفة وغراماتها.",
                 help_en="Applies the objection's decision to the notice and its fines.")
def effect_objection_settle(*, case_id: int, event_id: int) -> None:
    # swept by violations.objections_settle_sweep if lost
    task_on_commit("violations.objection_settle", case_id=case_id)


def case_link(*, case, user, is_staff_view: bool):
    """The case page of an objection links to where its lines are decided (legal staff) or
    read (the objector). One query, only for objection cases."""
    if case.definition.code != "violation_objection":
        return None
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from .models import Objection

    number = Objection.objects.filter(case_id=case.pk).values_list("number", flat=True).first()
    if number is None:
        return None
    if is_staff_view:
        return _("Decide the objection's items"), reverse("violations:legal_objection",
                                                          args=[number])
    return _("The objection"), reverse("violations:objection", args=[number])
