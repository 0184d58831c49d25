"""Every English string of the offender and report pages, of their Python modules and of the
statuses they show has its Arabic, so no label falls back to English on an Arabic page."""

import re
from pathlib import Path

from django.utils import translation

from violations.enums import (
    LineStatus,
    NoticeKind,
    ObjectionDecision,
    ObjectionStatus,
    PenaltyKind,
    PenaltyLift,
    PenaltyStatus,
    ShareSize,
    ViolationStatus,
)

ROOT = Path(__file__).resolve().parents[3]
ARABIC = re.compile(r"[\u0600-\u06FF]")
TRANSLATE_TAG = re.compile(r'{%\s*translate\s+"([^"]+)"')
TRANSLATE_TAG_SINGLE = re.compile(r"{%\s*translate\s+'([^']+)'")
BLOCK = re.compile(r"{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate\s*%}", re.S)
PY_CALL = re.compile(r'\b(?:_|gettext|gettext_lazy)\(\s*((?:"(?:[^"\\]|\\.)+"\s*)+)[,)%]')
TEMPLATES = [*(ROOT / "templates" / "violations" / "offender").glob("*.html"),
             *(ROOT / "templates" / "violations" / "reports").glob("*.html")]
MODULES = ["selectors.py", "views/offender.py", "views/reports.py", "apps.py"]
SHOWN_ENUMS = [LineStatus, NoticeKind, ObjectionDecision, ObjectionStatus, PenaltyKind,
               PenaltyLift, PenaltyStatus, ShareSize, ViolationStatus]


def _untranslated(msgids) -> list[str]:
    with translation.override("ar"):
        return sorted({m for m in msgids if not ARABIC.search(translation.gettext(m))})


def _msgids(text: str) -> set[str]:
    msgids = set(TRANSLATE_TAG.findall(text)) | set(TRANSLATE_TAG_SINGLE.findall(text))
    for body in BLOCK.findall(text):
        msgids.add(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body.strip()))
    return msgids


def _python_msgids(text: str) -> set[str]:
    found = set()
    for literal in PY_CALL.findall(text):
        found.add("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', literal)))
    return found


def test_every_offender_and_report_page_string_has_arabic():
    msgids = set()
    for path in TEMPLATES:
        msgids |= _msgids(path.read_text(encoding="utf-8"))
    assert len(msgids) > 60
    assert _untranslated(msgids) == []


def test_every_offender_python_string_has_arabic():
    msgids = set()
    for module in MODULES:
        msgids |= _python_msgids((ROOT / "violations" / module).read_text(encoding="utf-8"))
    assert len(msgids) > 15
    assert _untranslated(msgids) == []


def test_every_status_and_kind_the_pages_show_has_arabic():
    with translation.override("en"):
        labels = {str(label) for enum in SHOWN_ENUMS for label in enum.labels}
    assert _untranslated(labels) == []


def test_the_object_button_says_file_an_objection_not_django_s_item():
    # given the offender's button to object (a bare "Object" is Django's "item", عنصر)
    # when it is shown in Arabic
    with translation.override("ar"):
        shown = translation.gettext("File an objection")
    # then it says "file an objection"
    assert shown == "تقديم اعتراض"
    for name in ("mine.html", "notice.html"):
        text = (ROOT / "templates" / "violations" / "offender" / name).read_text(encoding="utf-8")
        assert '{% translate "File an objection" %}' in text
        assert '"Object"' not in text
