"""Every label of the violations models (verbose names, help texts, choices), every enum label,
and every string of the violations admin has its Arabic, so nothing falls back to English on an
Arabic page or in the Arabic admin."""

import re
from pathlib import Path

from django.apps import apps
from django.db.models import Choices
from django.utils import translation
from django.utils.functional import Promise

import violations.enums

ROOT = Path(__file__).resolve().parents[3]
ARABIC = re.compile(r"[\u0600-\u06FF]")
TRANSLATE_TAG = re.compile(r'{%\s*translate\s+"([^"]+)"')
PY_CALL = re.compile(r'\b(?:_|gettext|gettext_lazy)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]')


def _untranslated(labels) -> list[str]:
    with translation.override("ar"):
        return sorted({str(label) for label in labels if not ARABIC.search(str(label))})


def _model_labels() -> list[Promise]:
    """The gettext labels the violations models declare (not the ones Django or
    simple_history make up, nor the event fields amanah declares)."""
    labels = []
    for model in apps.get_app_config("violations").get_models():
        if model.__name__.startswith("Historical"):
            continue
        if "verbose_name" in model._meta.original_attrs:
            labels += [model._meta.verbose_name, model._meta.verbose_name_plural]
        for field in model._meta.get_fields():
            if getattr(field, "model", model) is not model or not field.concrete:
                continue
            for label in (field.verbose_name, field.help_text,
                          *(label for _, label in field.choices or ())):
                if isinstance(label, Promise):
                    labels.append(label)
    return labels


def test_every_model_label_has_arabic():
    labels = _model_labels()
    assert len(labels) > 100
    assert _untranslated(labels) == []


def test_every_enum_label_has_arabic():
    labels = [member.label for obj in vars(violations.enums).values()
              if isinstance(obj, type) and issubclass(obj, Choices) for member in obj]
    assert len(labels) > 60
    assert _untranslated(labels) == []


def test_every_admin_string_has_arabic():
    msgids = set(PY_CALL.findall((ROOT / "violations" / "admin.py").read_text(encoding="utf-8")))
    for path in (ROOT / "templates" / "violations" / "admin").glob("*.html"):
        msgids |= set(TRANSLATE_TAG.findall(path.read_text(encoding="utf-8")))
    assert len(msgids) > 8
    with translation.override("ar"):
        assert sorted(m for m in msgids if not ARABIC.search(translation.gettext(m))) == []
