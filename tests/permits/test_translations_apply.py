"""Every English string the applying pages use has its Arabic in permits' catalogue, so no
label falls back to English on an Arabic page (the .po/.mo sync is tests/amanah's check)."""

import re
from pathlib import Path

from django.utils import translation

from permits import enums

ROOT = Path(__file__).resolve().parents[2]
ARABIC = re.compile(r"[\u0600-\u06FF]")
TRANSLATE_TAG = re.compile(r'{%\s*translate\s+"([^"]+)"')
BLOCK = re.compile(r"{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate\s*%}", re.S)
PY_CALL = re.compile(r'\b(?:_|gettext|gettext_lazy)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]')
APPLY_MODULES = ("views/apply.py", "forms.py")


def _untranslated(msgids) -> list[str]:
    with translation.override("ar"):
        return sorted({m for m in msgids if not ARABIC.search(translation.gettext(m))})


def test_every_apply_template_string_has_arabic():
    msgids = set()
    for path in (ROOT / "templates" / "permits" / "apply").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        msgids |= set(TRANSLATE_TAG.findall(text))
        msgids |= {re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body) for body in BLOCK.findall(text)}
    assert len(msgids) > 50
    assert _untranslated(msgids) == []


def test_every_apply_python_string_and_permits_label_has_arabic():
    msgids = set()
    for module in APPLY_MODULES:
        msgids |= set(PY_CALL.findall((ROOT / "permits" / module).read_text(encoding="utf-8")))
    assert _untranslated(msgids) == []
    # and the labels of the statuses and kinds the pages show
    with translation.override("ar"):
        missing = [f"{choices.__name__}.{value}" for choices in (
            enums.ApplicationStatus, enums.ApplicationEventKind, enums.PartyRole,
            enums.ConsentStatus, enums.FeeStage, enums.DocumentSupplier, enums.FiledBy,
            enums.FieldKind) for value, label in choices.choices
            if not ARABIC.search(str(label))]
    assert missing == []
