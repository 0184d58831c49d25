"""Images are stored re-encoded: decoded whole and encoded afresh, pixels only."""

import io
import logging

from PIL import Image, ImageOps

from ..errors import DomainError
from .policy import ARABIC_DIGITS, KNOWN_TYPES, UploadPolicy, refusal

logger = logging.getLogger("amanah.uploads")  # one logger name for the whole service

_OUTPUT_MODES = {
    "PNG": {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"},
    "JPEG": {"L", "RGB"},
    "WEBP": {"RGB", "RGBA"},
}


def _malformed_image(field: str | None) -> DomainError:
    return refusal("upload.malformed_image",
                   "تعذّرت قراءة الصورة؛ قد تكون تالفة أو ناقصة. احفظها من جديد ثم ارفعها.",
                   "The image cannot be read: it may be damaged or incomplete. Save it again "
                   "and upload it anew.", field=field)


def _too_many_pixels(policy: UploadPolicy, field: str | None) -> DomainError:
    megapixels = f"{policy.max_pixels / 1_000_000:g}"
    return refusal("upload.image_too_large",
                   f"أبعاد الصورة أكبر من المسموح (بحد أقصى {megapixels.translate(ARABIC_DIGITS)}"
                   " ميجابكسل). صغّرها ثم ارفعها.",
                   f"The image has too many pixels (at most {megapixels} megapixels). Make it "
                   "smaller and upload it again.", field=field)


def image_reencode(content, content_type: str, policy: UploadPolicy, field: str | None
                    ) -> bytes:
    """Decode the whole image and encode it afresh in the same format: what is stored is
    pixels only — no metadata, no comment chunks, nothing appended after the image's end."""
    pillow_format = KNOWN_TYPES[content_type].pillow_format
    try:
        content.seek(0)
        with Image.open(content, formats=[pillow_format]) as probe:
            # The size is in the header: a decompression bomb is refused before it is decoded
            # (Pillow's own, higher limit refuses the worst ones already while opening).
            width, height = probe.size
            if width * height > policy.max_pixels:
                raise _too_many_pixels(policy, field)
            probe.verify()
        content.seek(0)
        with Image.open(content, formats=[pillow_format]) as image:
            image.load()
            transparency = image.info.get("transparency")
            clean = ImageOps.exif_transpose(image)
            clean.info = {}
            if clean.mode not in _OUTPUT_MODES[pillow_format]:
                has_alpha = "A" in clean.getbands() or transparency is not None
                clean = clean.convert("RGBA" if has_alpha and pillow_format != "JPEG" else "RGB")
                transparency = None
            options = {"quality": 90} if pillow_format in ("JPEG", "WEBP") else {}
            if transparency is not None and pillow_format == "PNG":
                options["transparency"] = transparency
            output = io.BytesIO()
            clean.save(output, format=pillow_format, **options)
    except DomainError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(policy, field) from None
    except MemoryError:
        raise
    except Exception as exc:  # any decoder surprise is the uploader's damaged file, not a 500
        logger.info("upload: image refused by the decoder: %s: %s", type(exc).__name__, exc)
        raise _malformed_image(field) from None
    return output.getvalue()
