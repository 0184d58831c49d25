"""Every English msgid of the catalogue's pages, forms and admin (and of the permits models and
enums the admin and the cards show) has its Arabic, so no label falls back to English on an
Arabic page. The .po/.mo sync is tests/amanah/test_pages_i18n.py's check."""

import re
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
ARABIC = re.compile(r"[\u0600-\u06FF]")
TRANSLATE_TAG = re.compile(r'{%\s*translate\s+"([^"]+)"')
PLURAL_TAG = re.compile(r"{%\s*blocktranslate\s+count\s+(\w+)=[^%]*%}(.*?){%\s*plural\s*%}"
                        r"(.*?){%\s*endblocktranslate\s*%}", re.S)
BLOCK = re.compile(r"{%\s*blocktranslate(?:\s+with[^%]*)?\s*%}(.*?){%\s*endblocktranslate\s*%}",
                   re.S)
PY_CALL = re.compile(r'\b(?:_|gettext|gettext_lazy|pgettext)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]')
TEMPLATES = [ROOT / "templates/permits/catalogue", ROOT / "templates/amanah/home_anonymous.html"]
PYTHON = ["permits/admin.py", "permits/forms_catalogue.py", "permits/service_cards.py",
          "permits/views/catalogue.py", "permits/enums.py", "permits/models.py"]


def _placeholders(text: str) -> str:
    return re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", text)


# Written the same in both languages (a formula of amounts and units).
NEUTRAL = {"%(rate)s × %(quantity)s %(unit)s = %(product)s"}


def _untranslated(msgids) -> list[str]:
    with translation.override("ar"):
        return sorted({m for m in msgids - NEUTRAL
                       if not ARABIC.search(translation.gettext(m))})


def test_every_catalogue_template_string_has_arabic():
    singles, plurals = set(), set()
    paths = [p for t in TEMPLATES for p in ([t] if t.is_file() else t.rglob("*.html"))]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        singles |= set(TRANSLATE_TAG.findall(text))
        singles |= {_placeholders(body) for body in BLOCK.findall(text)}
        plurals |= {(_placeholders(one), _placeholders(many))
                    for _var, one, many in PLURAL_TAG.findall(text)}
    assert len(singles) > 50 and len(plurals) == 5
    assert _untranslated(singles) == []
    with translation.override("ar"):
        missing = [(one, many) for one, many in plurals
                   if not all(ARABIC.search(translation.ngettext(one, many, n))
                              for n in (0, 1, 2, 5, 11, 100))]
    assert missing == []


def test_every_catalogue_python_string_has_arabic():
    msgids = set()
    for name in PYTHON:
        source = (ROOT / name).read_text(encoding="utf-8")
        msgids |= {m.encode().decode("unicode_escape").encode("latin-1").decode()
                   for m in PY_CALL.findall(source)}
    assert len(msgids) > 200
    assert _untranslated(msgids) == []
