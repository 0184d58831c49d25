"""The dynamic application form: built at run time from a permit type's PermitTypeField rows.

One validation serves the page, the API and the services: `answer_clean` judges one answer
against its field's row (kind, required, limits, pattern, choices) and `step_answers_clean` a
step's answers, with `shown_when` conditions read against the answers as they would be saved.
A field that is not shown is not required, and its answer is dropped on save. Errors are
bilingual (`AnswerError`); the Django form shows them in the page's language next to the field.

How answers are stored (the `answers` JSON): text as text, whole numbers as ints, numbers as
strings with two decimal places ("420.00"), dates as ISO strings, booleans as true/false.
"""

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .enums import FieldKind
from .models import PermitTypeDocument, PermitTypeField

logger = logging.getLogger(__name__)

TEXT_MAX = 200
TEXTAREA_MAX = 2000
# Far beyond any real quantity of a permit, and inside the columns' 14 digits with 2 places.
NUMBER_LIMIT = Decimal("1000000000000")
TWO_PLACES = Decimal("0.01")
# C0 controls (and DEL) never belong in an answer: PostgreSQL refuses a NUL in JSON, the rest
# only hide text. A long answer may keep its line breaks and tabs.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫", "01234567890123456789.")
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def _is_english(language: str | None = None) -> bool:
    return (language or get_language() or "ar").startswith("en")


@dataclass(frozen=True)
class AnswerError:
    """Why one answer was refused, in both languages."""

    field: str
    message_ar: str
    message_en: str
    code: str = "permits.answer_invalid"

    def message(self, language: str | None = None) -> str:
        return self.message_en if _is_english(language) else self.message_ar


class AnswerInvalid(Exception):
    def __init__(self, message_ar: str, message_en: str):
        super().__init__(message_en)
        self.message_ar, self.message_en = message_ar, message_en


def _number_text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def field_label(field: PermitTypeField, language: str | None = None) -> str:
    """The question as the citizen reads it, with its unit: "Built-up area (m²)"."""
    english = _is_english(language)
    label = field.label_en if english else field.label_ar
    unit = (field.unit_en if english else field.unit_ar) or ""
    return f"{label} ({unit})" if unit else label


def choice_label(field: PermitTypeField, value, language: str | None = None) -> str:
    for choice in field.choices or []:
        if _norm(choice.get("value")) == _norm(value):
            return str(choice.get("en" if _is_english(language) else "ar")
                       or choice.get("ar") or choice.get("value"))
    return str(value)


def answer_display(field: PermitTypeField, value, language: str | None = None) -> str:
    """An answer as the review page and the application page show it (the label carries the
    unit)."""
    english = _is_english(language)
    if value is None or value == "":
        return ""
    if field.kind == FieldKind.CHOICE:
        return choice_label(field, value, language)
    if field.kind == FieldKind.BOOLEAN:
        if english:
            return "Yes" if value else "No"
        return "نعم" if value else "لا"
    return str(value)


# --- One answer -------------------------------------------------------------------------------


def _bounds_check(field: PermitTypeField, number: Decimal) -> None:
    low, high = field.min_value, field.max_value
    if low is not None and number < low:
        raise AnswerInvalid(f"أقل قيمة مسموحة {_number_text(low)}.",
                            f"The smallest value allowed is {_number_text(low)}.")
    if high is not None and number > high:
        raise AnswerInvalid(f"أكبر قيمة مسموحة {_number_text(high)}.",
                            f"The largest value allowed is {_number_text(high)}.")
    if abs(number) >= NUMBER_LIMIT:
        raise AnswerInvalid("الرقم أكبر من المعقول.", "The number is too large.")


def _text_clean(field: PermitTypeField, raw) -> str:
    if not isinstance(raw, str):
        raise AnswerInvalid("أدخل نصًا.", "Enter text.")
    multiline = field.kind == FieldKind.TEXTAREA
    value = raw.strip()
    if (_CONTROL if multiline else _CONTROL_SINGLE_LINE).search(value):
        raise AnswerInvalid("النص يحتوي على رموز غير مسموحة.",
                            "The text contains characters that are not allowed.")
    limit = field.max_length or (TEXTAREA_MAX if multiline else TEXT_MAX)
    if len(value) > limit:
        raise AnswerInvalid(f"النص أطول من المسموح ({limit} حرفًا على الأكثر).",
                            f"The text is too long (at most {limit} characters).")
    if field.pattern and value:
        try:
            matches = re.fullmatch(field.pattern, value) is not None
        except re.error:
            # An admin's broken pattern must not stop every applicant: logged for the admin.
            logger.warning("permit field %s has an invalid pattern %r", field, field.pattern)
            matches = True
        if not matches:
            raise AnswerInvalid("الصيغة غير صحيحة.", "The format is not valid.")
    return value


def _integer_clean(field: PermitTypeField, raw) -> int:
    if isinstance(raw, bool):
        raise AnswerInvalid("أدخل عددًا صحيحًا.", "Enter a whole number.")
    if isinstance(raw, int):
        number = Decimal(raw)
    else:
        text = str(raw).translate(_DIGITS).strip() if isinstance(raw, str | float) else ""
        if not re.fullmatch(r"[+-]?\d{1,15}", text):
            raise AnswerInvalid("أدخل عددًا صحيحًا.", "Enter a whole number.")
        number = Decimal(text)
    _bounds_check(field, number)
    return int(number)


def _decimal_clean(field: PermitTypeField, raw) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise AnswerInvalid("أدخل رقمًا.", "Enter a number.")
    text = str(raw).translate(_DIGITS).strip().replace(",", "")
    if not re.fullmatch(r"[+-]?(\d{1,15}(\.\d*)?|\.\d+)", text):
        raise AnswerInvalid("أدخل رقمًا.", "Enter a number.")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise AnswerInvalid("أدخل رقمًا.", "Enter a number.") from None
    if number != number.quantize(TWO_PLACES, rounding=ROUND_HALF_UP):
        raise AnswerInvalid("منزلتان عشريتان على الأكثر.", "At most two decimal places.")
    _bounds_check(field, number)
    return str(number.quantize(TWO_PLACES))


def _date_clean(field: PermitTypeField, raw) -> str:
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = str(raw).translate(_DIGITS).strip() if isinstance(raw, str) else ""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise AnswerInvalid("أدخل تاريخًا صحيحًا (سنة-شهر-يوم).",
                            "Enter a valid date (year-month-day).") from None


def _choice_clean(field: PermitTypeField, raw):
    for choice in field.choices or []:
        if _norm(choice.get("value")) == _norm(raw):
            return choice.get("value")
    raise AnswerInvalid("اختر واحدًا من الخيارات.", "Choose one of the options.")


def _boolean_clean(field: PermitTypeField, raw) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower() if isinstance(raw, str | int) else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise AnswerInvalid("أجب بنعم أو لا.", "Answer yes or no.")


_CLEANERS = {
    FieldKind.TEXT: _text_clean,
    FieldKind.TEXTAREA: _text_clean,
    FieldKind.INTEGER: _integer_clean,
    FieldKind.DECIMAL: _decimal_clean,
    FieldKind.DATE: _date_clean,
    FieldKind.CHOICE: _choice_clean,
    FieldKind.BOOLEAN: _boolean_clean,
}


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def answer_clean(field: PermitTypeField, raw):
    """The answer as it is stored, or None when it is blank; AnswerInvalid when it breaks the
    field's rules. Whether a blank answer is allowed is the caller's (it depends on shown_when)."""
    if is_blank(raw):
        return None
    cleaner = _CLEANERS.get(field.kind)
    if cleaner is None:
        raise AnswerInvalid("نوع السؤال غير معروف.", "Unknown kind of question.")
    return cleaner(field, raw)


# --- Shown when -------------------------------------------------------------------------------


def _norm(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def condition_of(row) -> tuple[str, list] | None:
    """(controlling field key, values that show it) of a field or document, or None."""
    shown_when = row.shown_when if isinstance(row.shown_when, dict) else {}
    key, values = shown_when.get("field"), shown_when.get("in")
    if not key or not isinstance(values, list):
        return None
    return str(key), values


def visible_keys(fields: Iterable[PermitTypeField], answers: Mapping) -> set[str]:
    """The keys of the fields shown for these answers: a field with a condition is shown when
    its controlling field is shown and answered with one of the listed values."""
    by_key = {f.key: f for f in fields}
    memo: dict[str, bool] = {}

    def shown(key: str, seen: frozenset) -> bool:
        if key in memo:
            return memo[key]
        field = by_key.get(key)
        if field is None or key in seen:  # an unknown controller or a loop hides the field
            return False
        condition = condition_of(field)
        result = True
        if condition is not None:
            controller, values = condition
            result = (shown(controller, seen | {key})
                      and _norm(answers.get(controller)) in {_norm(v) for v in values})
        memo[key] = result
        return result

    return {key for key in by_key if shown(key, frozenset())}


def document_is_shown(document: PermitTypeDocument, fields: Iterable[PermitTypeField],
                      answers: Mapping, visible: set[str] | None = None) -> bool:
    condition = condition_of(document)
    if condition is None:
        return True
    controller, values = condition
    visible = visible_keys(fields, answers) if visible is None else visible
    return controller in visible and _norm(answers.get(controller)) in {_norm(v) for v in values}


def type_steps(fields: Iterable[PermitTypeField]) -> list[int]:
    """The form's steps, in order (the step numbers its fields name)."""
    return sorted({f.step for f in fields})


def steps_shown(fields: list[PermitTypeField], answers: Mapping) -> list[int]:
    """Steps with at least one question to show: a question shown, or one whose condition is
    answered on the same step (the page shows it with its "only if" note)."""
    visible = visible_keys(fields, answers)
    step_of = {f.key: f.step for f in fields}
    shown = set()
    for field in fields:
        condition = condition_of(field)
        same_step = condition is not None and step_of.get(condition[0]) == field.step
        if field.key in visible or same_step:
            shown.add(field.step)
    return sorted(shown)


# --- A step, and all answers ------------------------------------------------------------------


def _required(field: PermitTypeField) -> AnswerError:
    return AnswerError(field.key, "هذا الحقل مطلوب.", "This field is required.",
                       code="permits.answer_missing")


def step_answers_clean(*, fields: list[PermitTypeField], step: int, data: Mapping,
                       answers: Mapping) -> tuple[dict, list[AnswerError]]:
    """The step's answers cleaned, merged over the earlier `answers` with hidden answers
    dropped everywhere (a change here can hide a question of another step); and the errors.
    Only the step's own questions are read from `data`."""
    step_fields = [f for f in fields if f.step == step]
    cleaned: dict = {}
    errors: list[AnswerError] = []
    for field in step_fields:
        try:
            cleaned[field.key] = answer_clean(field, data.get(field.key))
        except AnswerInvalid as invalid:
            cleaned[field.key] = None
            errors.append(AnswerError(field.key, invalid.message_ar, invalid.message_en))
    merged = {**answers, **{k: v for k, v in cleaned.items() if v is not None}}
    for key in cleaned:
        if cleaned[key] is None:
            merged.pop(key, None)
    visible = visible_keys(fields, merged)
    failed = {e.field for e in errors}
    for field in step_fields:
        if field.key in visible and field.required and field.key not in merged \
                and field.key not in failed:
            errors.append(_required(field))
    errors = [e for e in errors if e.field in visible]
    # Hidden questions' answers go, and so do answers to questions the type no longer asks.
    return {key: value for key, value in merged.items() if key in visible}, errors


def answers_errors(*, fields: list[PermitTypeField], answers: Mapping) -> list[AnswerError]:
    """Everything wrong with the saved answers as a whole (at submission): each shown question
    answered when required, and each answer still within its field's rules (an admin may have
    changed them since it was saved)."""
    visible = visible_keys(fields, answers)
    errors = []
    for field in fields:
        if field.key not in visible:
            continue
        try:
            value = answer_clean(field, answers.get(field.key))
        except AnswerInvalid as invalid:
            errors.append(AnswerError(field.key, invalid.message_ar, invalid.message_en))
            continue
        if value is None and field.required:
            errors.append(_required(field))
    return errors


# --- The Django form of one step ---------------------------------------------------------------


def _only_if_note(field: PermitTypeField, by_key: dict, language: str) -> str:
    controller_key, values = condition_of(field)
    controller = by_key.get(controller_key)
    if controller is None:
        return ""
    names = [choice_label(controller, v, language) if controller.kind == FieldKind.CHOICE
             else answer_display(controller, v, language) for v in values]
    label = field_label(controller, language)
    if _is_english(language):
        return f"Only if “{label}” is {' or '.join(names)}."
    return f"فقط إذا كان «{label}» {' أو '.join(names)}."


def _form_field(field: PermitTypeField, language: str) -> forms.Field:
    english = _is_english(language)
    options = {"label": field_label(field, language), "required": False,
               "help_text": (field.help_en if english else field.help_ar) or ""}
    attrs: dict = {}
    kind = field.kind
    if kind in (FieldKind.TEXT, FieldKind.TEXTAREA):
        limit = field.max_length or (TEXTAREA_MAX if kind == FieldKind.TEXTAREA else TEXT_MAX)
        attrs["maxlength"] = str(limit)
        widget = (forms.Textarea(attrs={**attrs, "rows": 4}) if kind == FieldKind.TEXTAREA
                  else forms.TextInput(attrs={**attrs, "dir": "auto"}))
        return forms.CharField(widget=widget, strip=False, **options)
    if kind in (FieldKind.INTEGER, FieldKind.DECIMAL):
        attrs = {"inputmode": "numeric" if kind == FieldKind.INTEGER else "decimal",
                 "dir": "ltr"}
        return forms.CharField(widget=forms.TextInput(attrs=attrs), **options)
    if kind == FieldKind.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date", "dir": "ltr"}),
                               **options)
    if kind == FieldKind.CHOICE:
        choices = [(str(c.get("value")), str(c.get("en" if english else "ar")
                                             or c.get("ar") or c.get("value")))
                   for c in field.choices or []]
        # A plain text field with a choice widget: the value is judged by answer_clean alone.
        if len(choices) <= 5:
            return forms.CharField(widget=forms.RadioSelect(choices=choices), **options)
        return forms.CharField(widget=forms.Select(choices=[("", "—"), *choices]), **options)
    if kind == FieldKind.BOOLEAN:
        choices = [("true", "Yes" if english else "نعم"), ("false", "No" if english else "لا")]
        return forms.CharField(widget=forms.RadioSelect(choices=choices), **options)
    return forms.CharField(**options)


def _initial(field: PermitTypeField, value):
    if value is None:
        return None
    if field.kind == FieldKind.BOOLEAN:
        return "true" if value else "false"
    return str(value)


class StepForm(forms.Form):
    """One step of a type's form, for the page. Every rule is judged by `step_answers_clean`
    (the services' own validation), so the page says exactly what the API and services say;
    the Django fields only carry labels, help, widgets and the submitted text."""

    def __init__(self, data=None, *, fields: list[PermitTypeField], step: int, answers: Mapping,
                 language: str | None = None):
        super().__init__(data)
        self.type_fields, self.step = fields, step
        self.answers = dict(answers)
        self.language = language or get_language() or "ar"
        self.cleaned_answers: dict = {}
        by_key = {f.key: f for f in fields}
        visible = visible_keys(fields, answers)
        self.notes: dict[str, str] = {}
        self.required_keys: set[str] = set()
        for field in (f for f in fields if f.step == step):
            condition = condition_of(field)
            same_step = (condition is not None and condition[0] in by_key
                         and by_key[condition[0]].step == step)
            # A question whose condition is answered on an earlier step is shown or not by
            # that answer; one answered on this step is shown with its "only if" note.
            if field.key not in visible and not same_step:
                continue
            self.fields[field.key] = _form_field(field, self.language)
            self.fields[field.key].initial = _initial(field, answers.get(field.key))
            if same_step:
                self.notes[field.key] = _only_if_note(field, by_key, self.language)
            if field.required:
                self.required_keys.add(field.key)

    def clean(self):
        raw = {key: self.data.get(key) for key in self.fields}
        self.cleaned_answers, errors = step_answers_clean(
            fields=self.type_fields, step=self.step, data=raw, answers=self.answers)
        for error in errors:
            if error.field in self.fields:
                self.add_error(error.field, error.message(self.language))
            else:
                self.add_error(None, error.message(self.language))
        return self.cleaned_data

    def rows(self):
        """(bound field, its "only if" note, whether required) in order, for the template."""
        return [(self[name], self.notes.get(name, ""), name in self.required_keys)
                for name in self.fields]


class StartForm(forms.Form):
    """Which service, where; and for an office, whose application (the owner's ID number)."""

    permit_type = forms.ChoiceField(label=_("Service"), widget=forms.RadioSelect)
    municipality = forms.ChoiceField(label=_("Municipality"))
    owner_national_id = forms.CharField(
        label=_("Owner's national ID or iqama number"), required=False, max_length=20,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric",
                                      "autocomplete": "off"}),
        help_text=_("Only when you file for an owner as an engineering office or contractor."))
    office = forms.ChoiceField(label=_("Filing as"), required=False)

    def __init__(self, data=None, *, types, municipalities, offices, initial=None):
        super().__init__(data, initial=initial)
        self.fields["permit_type"].choices = types
        self.fields["municipality"].choices = municipalities
        if offices:
            self.fields["office"].choices = [("", _("Choose the office")), *offices]
        else:
            del self.fields["office"]


class DocumentUploadForm(forms.Form):
    kind = forms.SlugField(widget=forms.HiddenInput, max_length=40)
    # Empty files reach the upload service, which refuses them saying what is allowed.
    file = forms.FileField(label=_("File"), allow_empty_file=True)
