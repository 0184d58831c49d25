"""Every English string of the licence pages has its Arabic, so no label falls back to English
on an Arabic page (as tests/permits/test_translations_apply.py does for the apply pages)."""

import re
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parents[3]
ARABIC = re.compile(r"[\u0600-\u06FF]")
TRANSLATE_TAG = re.compile(r'{%\s*translate\s+"([^"]+)"')
BLOCK = re.compile(r"{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate\s*%}", re.S)
PY_CALL = re.compile(r'\b(?:_|gettext|gettext_lazy)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]')
TEMPLATES = [*(ROOT / "templates" / "permits" / "licences").glob("*.html"),
             ROOT / "templates" / "permits" / "permit" / "_licence.html",
             ROOT / "templates" / "permits" / "permit" / "renew.html"]
MODULES = ["views.py", "forms.py", "apply.py"]


def _untranslated(msgids) -> list[str]:
    with translation.override("ar"):
        return sorted({m for m in msgids if not ARABIC.search(translation.gettext(m))})


def _msgids(text: str) -> set[str]:
    msgids = set(TRANSLATE_TAG.findall(text))
    for body in BLOCK.findall(text):
        # a counted block is two msgids, the singular and the plural
        for part in re.split(r"{%\s*plural\s*%}", body)[:1]:
            msgids.add(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", part))
    return msgids


def test_every_licence_page_string_has_arabic():
    msgids = set()
    for path in TEMPLATES:
        msgids |= _msgids(path.read_text(encoding="utf-8"))
    assert len(msgids) > 40
    assert _untranslated(msgids) == []


def test_every_licence_python_string_has_arabic():
    msgids = set()
    for module in MODULES:
        msgids |= set(PY_CALL.findall(
            (ROOT / "permits" / "licences" / module).read_text(encoding="utf-8")))
    assert len(msgids) > 5
    assert _untranslated(msgids) == []
