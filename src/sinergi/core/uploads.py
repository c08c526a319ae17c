"""Uploaded photos and documents: judged by content, re-made on the way in, typed on the way out.

An upload's name and declared type are chosen by whoever sends it, so neither decides anything.
Images are decoded with Pillow and encoded again as JPEG or PNG, which drops whatever rode along
after or inside the pixels (trailing HTML in a polyglot, EXIF with the GPS position of a
person's house, comments); PDFs are checked for the structure of a PDF and refused when they
carry scripts, launch actions or embedded files. The stored name is generated, with the
extension of what was actually stored. Serving sniffs the stored bytes again, so files saved
before these checks existed are typed by what they are, never by their name.
"""

from __future__ import annotations

import io
import re
import uuid
import zlib
from typing import Any

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from sinergi.core.errors import InvalidInput

JPEG, PNG, PDF = "jpeg", "png", "pdf"
PHOTO_TYPES = (JPEG, PNG)
DOCUMENT_TYPES = (JPEG, PNG, PDF)

CONTENT_TYPES = {JPEG: "image/jpeg", PNG: "image/png", PDF: "application/pdf"}
_MAGIC = ((b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG), (b"%PDF-", PDF))

# A phone's 12-50 MP photo passes; a few-kilobyte PNG declaring 40,000 x 40,000 pixels (which
# would take gigabytes once decoded) is refused from its header, before any pixel is read.
MAX_PIXELS = 60_000_000
# Stored photos are shrunk to this longest side: a receipt stays legible, pages stay light on a
# weak connection.
MAX_SIDE = 2560
# Decompressed PDF streams are searched for active content up to this many bytes in all; past
# that the file is refused rather than trusted unread.
MAX_PDF_INFLATED = 64 * 1024 * 1024

# PDF names that make a reader run, open or unpack something: scripts, launching programs,
# files carried inside, multimedia players, form submission to elsewhere.
_ACTIVE_NAMES = frozenset(
    {
        b"JavaScript",
        b"JS",
        b"Launch",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
        b"SubmitForm",
        b"ImportData",
        b"XFA",
    }
)
_PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n")


def sniff(head: bytes) -> str | None:
    """The kind named by a file's first bytes, or None."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def clean_upload(
    upload: Any,
    *,
    kinds: tuple[str, ...],
    max_bytes: int,
    missing: str | Promise,
    wrong_kind: str | Promise,
    field: str,
) -> ContentFile[bytes]:
    """Refuse a missing, oversized, wrongly typed or unsafe file; return a clean copy to store.

    The copy has a generated name with its true extension (``<uuid>.png``), ready to assign to a
    ``FileField``, which stores it through the default storage under its ``upload_to`` folder.
    """
    if upload is None or upload.size > max_bytes:
        raise InvalidInput(str(missing), field=field)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if len(data) > max_bytes:
        raise InvalidInput(str(missing), field=field)
    kind = sniff(data[:8])
    if kind not in kinds:
        raise InvalidInput(str(wrong_kind), field=field)
    if kind == PDF:
        _check_pdf(data, field=field)
        body, ext = data, PDF
    else:
        body, ext = _reencode(data, field=field, wrong_kind=wrong_kind)
    return ContentFile(body, name=f"{uuid.uuid4().hex}.{ext}")


def _reencode(data: bytes, *, field: str, wrong_kind: str | Promise) -> tuple[bytes, str]:
    unreadable = _(
        "The image could not be read; it may be damaged or incomplete. "
        "Take or save the photo again and upload it once more."
    )
    try:
        # Only the two formats accepted are tried: no other decoder ever sees the bytes.
        with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as im:
            width, height = im.size
            if width * height > MAX_PIXELS:
                raise InvalidInput(_too_large(width, height), field=field)
            im.load()
            fmt = im.format
            picture = ImageOps.exif_transpose(im)
        return _encode(picture, fmt)
    except Image.DecompressionBombError as exc:
        raise InvalidInput(_too_large(0, 0), field=field) from exc
    except UnidentifiedImageError as exc:
        raise InvalidInput(str(wrong_kind), field=field) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(unreadable, field=field) from exc


def _encode(picture: Image.Image, fmt: str | None) -> tuple[bytes, str]:
    picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # Nothing of the original's metadata (EXIF, comments, text chunks, ICC) is written again;
    # only a palette image's transparent index is part of the picture itself.
    transparency = picture.info.get("transparency")
    picture.info.clear()
    if transparency is not None:
        picture.info["transparency"] = transparency
    out = io.BytesIO()
    if fmt == "JPEG":
        if picture.mode not in ("L", "RGB"):
            picture = picture.convert("RGB")
        picture.save(out, format="JPEG", quality=85, optimize=True)
        return out.getvalue(), JPEG
    if picture.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        picture = picture.convert("RGBA")
    picture.save(out, format="PNG")
    return out.getvalue(), PNG


def _too_large(width: int, height: int) -> str:
    if width and height:
        return _(
            "The image is too large: %(width)d x %(height)d pixels. At most %(max)d megapixels "
            "are accepted; send a smaller photo."
        ) % {"width": width, "height": height, "max": MAX_PIXELS // 1_000_000}
    return _(
        "The image is too large. At most %(max)d megapixels are accepted; send a smaller photo."
    ) % {"max": MAX_PIXELS // 1_000_000}


def _check_pdf(data: bytes, *, field: str) -> None:
    """A PDF must look like one from both ends and carry nothing a reader would run or unpack."""
    tail = data[-2048:]
    if b"%%EOF" not in tail or b"startxref" not in tail or b" obj" not in data:
        raise InvalidInput(
            _(
                "The PDF is incomplete or is not a real PDF. Save or export the document as PDF "
                "again and upload it once more."
            ),
            field=field,
        )
    if _has_active_content(data):
        raise InvalidInput(
            _(
                "The PDF contains scripts, actions or embedded files, which are not accepted. "
                "Print it to a new PDF (or scan the paper) and upload that file."
            ),
            field=field,
        )


def _has_active_content(data: bytes) -> bool:
    if _names_active(data):
        return True
    # Objects can hide inside compressed streams (PDF 1.5 object streams), so every stream that
    # inflates is searched too, within a total budget that a zip bomb cannot exceed.
    budget = MAX_PDF_INFLATED
    for match in _STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            break
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(data[start:end], budget + 1)
        except zlib.error:
            continue  # not Flate (an image, say): nothing a reader would interpret as objects
        budget -= len(inflated)
        if budget < 0 or _names_active(inflated):
            return True
    return False


def _names_active(data: bytes) -> bool:
    for match in _PDF_NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            # /J#61vaScript is /JavaScript spelled with an escape.
            name = _PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        if name in _ACTIVE_NAMES:
            return True
    return False


def serve_upload(stored: FieldFile, *, download_name: str) -> FileResponse:
    """Send a stored upload typed by its bytes: images inline, anything else as a download.

    ``download_name`` is the name without extension; the extension follows the content.
    """
    handle = stored.open("rb")
    kind = sniff(handle.read(8))
    handle.seek(0)
    if kind in (JPEG, PNG):
        response = FileResponse(handle, content_type=CONTENT_TYPES[kind])
        response["Content-Disposition"] = f'inline; filename="{download_name}.{kind}"'
    else:
        content_type = CONTENT_TYPES[PDF] if kind == PDF else "application/octet-stream"
        ext = PDF if kind == PDF else "bin"
        response = FileResponse(
            handle, content_type=content_type, as_attachment=True, filename=f"{download_name}.{ext}"
        )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were talked into rendering it, an upload gets no script and no origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
