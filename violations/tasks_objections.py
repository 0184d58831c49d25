"""Celery tasks of objections: ids in, services called; running twice does no harm."""

from celery import shared_task

from amanah.notifications import sms_send


@shared_task(name="violations.objection_settle")
def objection_settle_task(case_id: int) -> str:
    from .models import Objection
    from .services.objections import objection_settle

    objection_id = Objection.objects.filter(case_id=case_id).values_list("pk", flat=True).first()
    if objection_id is None:
        return ""
    return objection_settle(objection_id=objection_id).status


@shared_task(name="violations.objections_settle_sweep")
def objections_settle_sweep() -> int:
    from .services.objections import objections_settle_due

    return objections_settle_due()


@shared_task(name="violations.objection_outcome_sms")
def objection_outcome_sms(objection_id: int) -> bool:
    from amanah.permissions import person_for_user

    from .models import Objection
    from .services.objections import objection_outcome_text

    objection = (Objection.objects.select_related("violation", "filed_by")
                 .filter(pk=objection_id).first())
    if objection is None or objection.decided_at is None:
        return False
    person = person_for_user(objection.filed_by)
    if person is None or not person.mobile:
        return False
    sms_send(to=person.mobile, body=objection_outcome_text(objection, person.language or "ar"))
    return True
