"""Every English string of the objection pages and their Python has its Arabic, so no label
falls back to English on an Arabic page."""

import re
from pathlib import Path

from django.utils import translation

from violations.enums import ObjectionDecision, ObjectionStatus

ROOT = Path(__file__).resolve().parents[3]
ARABIC = re.compile(r"[\u0600-\u06FF]")
TRANSLATE_TAG = re.compile(r'{%\s*translate\s+"([^"]+)"')
# a gettext call, its argument possibly split over implicitly joined literals
PY_CALL = re.compile(r'\b(?:_|gettext|gettext_lazy)\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)[,)]')
TEMPLATES = sorted((ROOT / "templates" / "violations" / "objections").glob("*.html"))
MODULES = ["violations/views/objections.py", "violations/forms_objections.py",
           "violations/objection_hooks.py"]


def _untranslated(msgids) -> list[str]:
    with translation.override("ar"):
        return sorted({m for m in msgids if not ARABIC.search(translation.gettext(m))})


def test_every_objection_page_string_has_arabic():
    msgids = set()
    for path in TEMPLATES:
        msgids |= set(TRANSLATE_TAG.findall(path.read_text(encoding="utf-8")))
    assert len(msgids) > 20
    assert _untranslated(msgids) == []


def test_every_objection_python_string_has_arabic():
    msgids = set()
    for module in MODULES:
        for call in PY_CALL.findall((ROOT / module).read_text(encoding="utf-8")):
            msgids.add("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', call)))
    assert len(msgids) > 8
    assert _untranslated(msgids) == []


def test_objection_statuses_and_decisions_have_arabic():
    labels = [str(label) for _, label in (*ObjectionStatus.choices, *ObjectionDecision.choices)]
    assert _untranslated(labels) == []
