"""Every English msgid the review pages use has its Arabic in permits' own catalogue, so no
label of the staff, correction or visit pages falls back to English on an Arabic page."""

import re
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
ARABIC = re.compile(r"[\u0600-\u06FF]")
TRANSLATE_TAG = re.compile(r'{%\s*translate\s+"([^"]+)"')
BLOCK = re.compile(r"{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate\s*%}", re.S)
# _("…") with one literal or literals joined over lines.
PY_CALL = re.compile(r'\b_\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)[,)]')
TEMPLATES = ("staff", "corrections", "inspections")
MODULES = ("permits/views/staff.py", "permits/views/review_pages.py",
           "permits/review_hooks.py", "permits/admin_inspections.py")


def _msgids() -> set[str]:
    found = set()
    for folder in TEMPLATES:
        for path in (ROOT / "templates" / "permits" / folder).rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            found |= set(TRANSLATE_TAG.findall(text))
            found |= {re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body) for body in BLOCK.findall(text)}
    for module in MODULES:
        for literals in PY_CALL.findall((ROOT / module).read_text(encoding="utf-8")):
            found.add("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', literals)))
    return found


def test_every_review_string_has_arabic():
    msgids = _msgids()
    assert len(msgids) > 100
    with translation.override("ar"):
        assert sorted(m for m in msgids if not ARABIC.search(translation.gettext(m))) == []


def test_the_statuses_and_labels_the_pages_show_have_arabic():
    from permits.enums import (
        ApplicationEventKind,
        ApplicationStatus,
        FeeStage,
        FindingAnswer,
        InspectionOutcome,
        InspectionPurpose,
        InspectionStatus,
        PartyRole,
    )

    labels = [label for enum in (ApplicationStatus, ApplicationEventKind, FeeStage,
                                 FindingAnswer, InspectionOutcome, InspectionPurpose,
                                 InspectionStatus, PartyRole) for label in enum.labels]
    with translation.override("ar"):
        assert [str(label) for label in labels if not ARABIC.search(str(label))] == []
