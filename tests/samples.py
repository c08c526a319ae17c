"""Real files for upload tests: images made by Pillow, PDFs made by fpdf2 or by hand."""

from __future__ import annotations

import io
import zlib

from fpdf import FPDF
from PIL import Image


def png(size: tuple[int, int] = (8, 6), colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def jpeg(size: tuple[int, int] = (8, 6), exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    extra = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (40, 120, 200)).save(out, format="JPEG", **extra)
    return out.getvalue()


def pdf() -> bytes:
    """A one-page PDF as a real writer makes it (compressed page stream, xref, trailer)."""
    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(text="Perjanjian kerja sama")
    return bytes(doc.output())


def pdf_by_hand(catalog_extra: bytes = b"", extra_objects: tuple[bytes, ...] = ()) -> bytes:
    """A minimal well-formed PDF whose catalogue and objects the test chooses."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        *extra_objects,
    ]
    body, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(body)


def flate_stream(content: bytes) -> bytes:
    packed = zlib.compress(content)
    return (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
        + packed
        + b"\nendstream"
    )


def main_of(html: str) -> str:
    """The page's own content: what is between <main> and </main>, without the header (menu,
    search box) and the offline app's configuration, which every signed-in page carries."""
    return html.split("<main", 1)[1].split("</main>", 1)[0]
