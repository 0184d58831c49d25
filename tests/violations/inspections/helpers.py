"""What the inspection tests share: a photo, and answering a draft through the services."""

import datetime as dt

from amanah import clock
from tests.samples import jpeg, upload
from violations.enums import Answer
from violations.services.inspections import finding_record, photo_add


def photo_file(name: str = "evidence.jpg", *, width: int = 40):
    return upload(name, jpeg(width=width), "image/jpeg")


def answer_all(inspection, actor, *, no=(), notes=None) -> None:
    """Answer every question of the inspection through the services; a photo for each "no"."""
    questions = inspection.checklist.questions.order_by("position")
    if inspection.only_item_codes:
        questions = questions.filter(item_code__in=inspection.only_item_codes)
    for question in questions:
        answer = Answer.NO if question.item_code in no else Answer.YES
        finding_record(inspection_id=inspection.pk, actor=actor, question_id=question.pk,
                       answer=answer, note=(notes or {}).get(question.item_code, ""))
        if answer == Answer.NO:
            photo_add(inspection_id=inspection.pk, actor=actor, file=photo_file(),
                      taken_at=clock.now() - dt.timedelta(minutes=5),
                      item_code=question.item_code)
