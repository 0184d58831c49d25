"""Every English string of the approval part's pages, notice SMS and forms has its Arabic, so
no label falls back to English on an Arabic page (as the licence pages' test does)."""

import re
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parents[3]
ARABIC = re.compile(r"[\u0600-\u06FF]")
TRANSLATE_TAG = re.compile(r'{%\s*translate\s+"([^"]+)"')
BLOCK = re.compile(r"{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate\s*%}", re.S)
# A call whose English is one string or several adjacent ones (a long SMS text).
PY_CALL = re.compile(r'\b(?:_|gettext|gettext_lazy)\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)[,)]')
TEMPLATES = sorted((ROOT / "templates" / "violations" / "approval").glob("*.html"))
MODULES = ["violations/views/approval.py", "violations/notice.py"]


def _untranslated(msgids) -> list[str]:
    with translation.override("ar"):
        return sorted({m for m in msgids if not ARABIC.search(translation.gettext(m))})


def test_every_approval_page_string_has_arabic():
    msgids = set()
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        msgids |= set(TRANSLATE_TAG.findall(text))
        msgids |= {re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body) for body in BLOCK.findall(text)}
    assert len(msgids) > 25
    assert _untranslated(msgids) == []


def test_every_approval_python_string_has_arabic():
    msgids = set()
    for module in MODULES:
        for call in PY_CALL.findall((ROOT / module).read_text(encoding="utf-8")):
            msgids.add("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', call)))
    assert len(msgids) > 8
    assert _untranslated(msgids) == []
