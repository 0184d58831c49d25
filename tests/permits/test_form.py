"""The dynamic form: each kind of question validated against its row, shown-when conditions,
and the Django form of one step (labels with units, "only if" notes, errors in the page's
language next to the field)."""

import pytest
from django.utils import translation

from permits.enums import FieldKind
from permits.forms import (
    AnswerInvalid,
    StepForm,
    answer_clean,
    answers_errors,
    step_answers_clean,
    steps_shown,
    visible_keys,
)
from permits.models import PermitTypeField
from tests.permits.factories import GOOD_ANSWERS, permits_world

from .apply_helpers import fence_type_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return permits_world()


@pytest.fixture
def fields(world):
    return {f.key: f for f in world.permit_type.fields.all()}


@pytest.fixture
def fence(world):
    return {f.key: f for f in fence_type_make(world.municipality).fields.all()}


def _error(field, raw) -> tuple[str, str]:
    with pytest.raises(AnswerInvalid) as refused:
        answer_clean(field, raw)
    return refused.value.message_en, refused.value.message_ar


# --- Each kind --------------------------------------------------------------------------------


def test_whole_numbers(fields):
    floors = fields["floors"]  # 1 to 30
    assert [answer_clean(floors, raw) for raw in ("3", " 12 ", "٣", 7, "")] == [3, 12, 3, 7, None]
    assert _error(floors, "2.5") == ("Enter a whole number.", "أدخل عددًا صحيحًا.")
    assert _error(floors, True)[0] == "Enter a whole number."
    assert _error(floors, "0") == ("The smallest value allowed is 1.", "أقل قيمة مسموحة 1.")
    assert _error(floors, "31") == ("The largest value allowed is 30.", "أكبر قيمة مسموحة 30.")
    assert _error(floors, "9" * 40)[0] == "Enter a whole number."


def test_numbers_are_kept_with_two_places(fields):
    area = fields["built_area_m2"]  # at least 1
    assert [answer_clean(area, raw) for raw in ("420", "420.5", "1,250.75", "٤٢٠٫٥", 99)] == [
        "420.00", "420.50", "1250.75", "420.50", "99.00"]
    assert _error(area, "12.345") == ("At most two decimal places.",
                                      "منزلتان عشريتان على الأكثر.")
    assert _error(area, "0.5")[0] == "The smallest value allowed is 1."
    assert _error(area, "abc") == ("Enter a number.", "أدخل رقمًا.")
    assert _error(area, "NaN")[0] == "Enter a number."
    assert _error(area, "1e5")[0] == "Enter a number."
    assert _error(area, "9" * 14)[0] == "The number is too large."


def test_choices(fields):
    use = fields["use"]
    assert answer_clean(use, "commercial") == "commercial"
    assert _error(use, "factory") == ("Choose one of the options.",
                                      "اختر واحدًا من الخيارات.")


def test_dates_booleans_and_patterned_text(fence):
    assert answer_clean(fence["start_on"], "2027-01-10") == "2027-01-10"
    assert _error(fence["start_on"], "2026-02-30")[0] == "Enter a valid date (year-month-day)."
    assert _error(fence["start_on"], "10/01/2027")[0] == "Enter a valid date (year-month-day)."
    assert [answer_clean(fence["has_gate"], raw) for raw in ("true", "no", True, "1")] == [
        True, False, True, True]
    assert _error(fence["has_gate"], "maybe") == ("Answer yes or no.", "أجب بنعم أو لا.")
    assert answer_clean(fence["plate"], "AB-123") == "AB-123"
    assert _error(fence["plate"], "ab-123") == ("The format is not valid.", "الصيغة غير صحيحة.")
    assert _error(fence["plate"], "AB-1234")[0] == ("The text is too long (at most 6 "
                                                    "characters).")


def test_text_refuses_control_characters_but_a_long_answer_keeps_its_lines(fields):
    notes = fields["notes"]  # long text, at most 500
    assert answer_clean(notes, "سطر أول\nسطر ثان") == "سطر أول\nسطر ثان"
    assert _error(notes, "a\x00b")[0] == "The text contains characters that are not allowed."
    assert _error(notes, "x" * 501)[0] == "The text is too long (at most 500 characters)."
    assert _error(notes, 12)[0] == "Enter text."


def test_a_broken_admin_pattern_does_not_stop_applicants(fence):
    plate = fence["plate"]
    plate.pattern = "[A-Z"
    assert answer_clean(plate, "any") == "any"


# --- Shown when -------------------------------------------------------------------------------


def test_a_question_is_shown_by_its_controlling_answer(world):
    fields = list(world.permit_type.fields.all())
    assert "shop_count" not in visible_keys(fields, GOOD_ANSWERS)
    assert "shop_count" in visible_keys(fields, {**GOOD_ANSWERS, "use": "commercial"})


def test_a_hidden_question_is_not_required_and_its_answer_is_dropped(world):
    fields = list(world.permit_type.fields.all())
    step_1 = {k: GOOD_ANSWERS[k] for k in ("floors", "built_area_m2", "footprint_m2", "use")}
    answers, errors = step_answers_clean(fields=fields, step=1,
                                         data={**step_1, "shop_count": "x"}, answers={})
    assert errors == [] and "shop_count" not in answers
    answers, errors = step_answers_clean(fields=fields, step=1,
                                         data={**step_1, "use": "commercial"}, answers={})
    assert [(e.field, e.code) for e in errors] == [("shop_count", "permits.answer_missing")]


def test_a_chain_of_conditions_and_a_loop_hide_questions(world):
    fields = list(world.permit_type.fields.all())
    # a question shown only when the (hidden) number of shops is 2 is hidden too
    extra = PermitTypeField(permit_type=world.permit_type, key="mall_name", step=2,
                            kind=FieldKind.TEXT, label_ar="اسم", label_en="Name",
                            shown_when={"field": "shop_count", "in": [2]})
    looped = PermitTypeField(permit_type=world.permit_type, key="loop", step=2,
                             kind=FieldKind.TEXT, label_ar="دائري", label_en="Loop",
                             shown_when={"field": "loop", "in": ["x"]})
    every = [*fields, extra, looped]
    assert "mall_name" not in visible_keys(every, {**GOOD_ANSWERS, "shop_count": 2})
    assert "mall_name" in visible_keys(every, {**GOOD_ANSWERS, "use": "commercial",
                                               "shop_count": 2})
    assert "loop" not in visible_keys(every, {"loop": "x"})


def test_a_step_whose_questions_are_all_hidden_is_skipped(world, fence):
    fields = list(fence.values())
    assert steps_shown(fields, {"has_gate": True}) == [1, 2]
    assert steps_shown(fields, {"has_gate": False}) == [1]


def test_saved_answers_are_judged_again_at_submission(world):
    fields = list(world.permit_type.fields.all())
    assert answers_errors(fields=fields, answers=GOOD_ANSWERS) == []
    # an admin raised the minimum since the answer was saved
    broken = {**GOOD_ANSWERS, "floors": 0}
    assert [(e.field, e.code) for e in answers_errors(fields=fields, answers=broken)] == [
        ("floors", "permits.answer_invalid")]


# --- The form of a step -----------------------------------------------------------------------


def test_the_step_form_labels_units_and_notes_in_the_page_language(world):
    fields = list(world.permit_type.fields.all())
    arabic = StepForm(fields=fields, step=1, answers={}, language="ar")
    english = StepForm(fields=fields, step=1, answers={}, language="en")
    assert list(arabic.fields) == ["floors", "built_area_m2", "footprint_m2", "use",
                                   "shop_count"]
    assert arabic.fields["built_area_m2"].label == "مسطح البناء (م²)"
    assert english.fields["built_area_m2"].label == "Built-up area (m²)"
    # the shops question depends on an answer on the same page: shown with its condition
    assert english.notes == {"shop_count": "Only if “Use” is Commercial."}
    assert arabic.notes == {"shop_count": "فقط إذا كان «الاستخدام» تجاري."}
    assert english.required_keys == {"floors", "built_area_m2", "footprint_m2", "use",
                                     "shop_count"}


def test_the_step_form_says_the_services_errors_in_the_page_language(world):
    fields = list(world.permit_type.fields.all())
    data = {"floors": "40", "built_area_m2": "420", "footprint_m2": "300", "use": "commercial"}
    with translation.override("ar"):
        form = StepForm(data, fields=fields, step=1, answers={})
        assert not form.is_valid()
        assert form.errors == {"floors": ["أكبر قيمة مسموحة 30."],
                               "shop_count": ["هذا الحقل مطلوب."]}
    english = StepForm(data, fields=fields, step=1, answers={}, language="en")
    assert not english.is_valid()
    assert english.errors == {"floors": ["The largest value allowed is 30."],
                              "shop_count": ["This field is required."]}


def test_a_later_step_hides_what_an_earlier_answer_hid(world, fence):
    fields = list(fence.values())
    assert list(StepForm(fields=fields, step=2, answers={"has_gate": False}).fields) == []
    shown = StepForm(fields=fields, step=2, answers={"has_gate": True}, language="en")
    assert list(shown.fields) == ["gate_width_m"] and shown.notes == {}
