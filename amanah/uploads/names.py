"""Names: the uploader's file name cleaned for display, and the name a stored file is
downloaded under."""

import re
import unicodedata

from .policy import KNOWN_TYPES

DISPLAY_NAME_MAX = 120


def display_name_clean(name: str) -> str:
    """The uploader's file name, fit only for display: no folders, no control or invisible
    formatting characters (bidi overrides could make "exe.pdf" read as "fdp.exe"), capped."""
    name = unicodedata.normalize("NFKC", str(name))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if len(name) > DISPLAY_NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10 and stem:
            name = f"{stem[:DISPLAY_NAME_MAX - len(extension) - 1].rstrip(' .')}.{extension}"
        else:
            name = name[:DISPLAY_NAME_MAX].rstrip(" .")
    return name or "document"


def download_name(display_name: str, content_type: str) -> str:
    """The name a stored file is downloaded under: the display name's stem with the extension
    of the type its content was found to be, so "evil.html" that is a PNG saves as a .png."""
    kind = KNOWN_TYPES.get(content_type)
    if kind is None:
        return display_name
    stem, dot, _extension = display_name.rpartition(".")
    return f"{(stem if dot and stem else display_name) or 'document'}.{kind.extension}"
