"""Every English msgid the payments app uses has its Arabic in payments' own catalogue, so no
label falls back to English on an Arabic page (the .po/.mo sync is tests/amanah's check)."""

import re
from pathlib import Path

from django.apps import apps
from django.db import models
from django.utils import translation
from django.utils.functional import Promise

ROOT = Path(__file__).resolve().parents[2]
ARABIC = re.compile(r"[\u0600-\u06FF]")
TRANSLATE_TAG = re.compile(r'{%\s*translate\s+"([^"]+)"')
PLURAL_TAG = re.compile(r"{%\s*blocktranslate\s+count\s+(\w+)=[^%]*%}(.*?){%\s*plural\s*%}"
                        r"(.*?){%\s*endblocktranslate\s*%}", re.S)
SIMPLE_BLOCK = re.compile(r"{%\s*blocktranslate\s*%}(.*?){%\s*endblocktranslate\s*%}", re.S)
# _("…") / gettext("…") / gettext_lazy("…") with one literal (concatenated ones are skipped).
PY_CALL = re.compile(r'\b(?:_|gettext|gettext_lazy|pgettext)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]')


def _placeholders(text: str) -> str:
    return re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", text)


def _untranslated(msgids) -> list[str]:
    with translation.override("ar"):
        return sorted({m for m in msgids if not ARABIC.search(translation.gettext(m))})


def test_every_template_string_has_arabic():
    # given every translatable string in the payments templates
    singles, plurals = set(), set()
    for path in (ROOT / "templates" / "payments").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        singles |= set(TRANSLATE_TAG.findall(text))
        singles |= {_placeholders(body) for body in SIMPLE_BLOCK.findall(text)}
        plurals |= {(_placeholders(one), _placeholders(many))
                    for _var, one, many in PLURAL_TAG.findall(text)}
    assert singles and plurals
    # then each one has Arabic
    assert _untranslated(singles) == []
    with translation.override("ar"):
        missing = [(one, many) for one, many in plurals
                   if not all(ARABIC.search(translation.ngettext(one, many, n))
                              for n in (1, 2, 5, 11))]
    assert missing == []


def test_every_python_string_has_arabic():
    # given every one-literal gettext call in the payments code
    msgids = set()
    for path in (ROOT / "payments").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        msgids |= {m.encode().decode("unicode_escape").encode("latin-1").decode()
                   for m in PY_CALL.findall(path.read_text(encoding="utf-8"))}
    assert msgids
    # then each one has Arabic
    assert _untranslated(msgids) == []


def test_every_model_field_choice_and_name_has_arabic():
    # given the payments models' names, field labels and choice labels that are marked for
    # translation (lazy); a plain string there is a name nobody shows
    lazy = []
    for model in apps.get_app_config("payments").get_models():
        # An unnamed model's default plural is lazy too, though nothing was marked: skipped.
        lazy += [model._meta.original_attrs.get(name)
                 for name in ("verbose_name", "verbose_name_plural")]
        for field in model._meta.get_fields():
            if isinstance(field, models.Field) and not field.auto_created:
                lazy += [field.verbose_name, field.help_text]
                lazy += [label for _value, label in field.flatchoices]
    lazy = [value for value in lazy if isinstance(value, Promise)]
    assert lazy
    # then each one reads in Arabic under /ar/
    with translation.override("en"):
        english = [str(value) for value in lazy]
    with translation.override("ar"):
        missing = sorted({en for en, value in zip(english, lazy, strict=True)
                          if not ARABIC.search(str(value))})
    assert missing == []
