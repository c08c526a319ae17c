"""Reading letters back, and a signed template per office (shared by the letters tests and the
query-count and permission-matrix worlds)."""

from __future__ import annotations

import io
import re
import zlib
from typing import Any

from sinergi.letters.models import Kind, LetterTemplate

SIGNATORY = "Drs. Hendra Gunawan, M.Si."
NIP = "196805121994031007"


def pdf_text(data: bytes) -> str:
    """The text of an fpdf2 PDF: every ``(…) Tj`` of its inflated content streams."""
    assert data.startswith(b"%PDF-")
    parts = []
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            body = zlib.decompress(stream.group(1))
        except zlib.error:
            body = stream.group(1)
        for text in re.finditer(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", body):
            raw = re.sub(rb"\\(.)", rb"\1", text.group(1))
            parts.append(raw.decode("latin-1"))
    return " ".join(parts)


def docx_text(data: bytes) -> str:
    """The text of a DOCX (paragraphs and table cells) read back with python-docx."""
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def flat(text: str) -> str:
    return " ".join(text.split()).lower()


def sign(office_code: str, *, kinds: Any = None, **values: Any) -> None:
    """Give ``office_code`` its own templates of ``kinds`` (all), signed, without a service
    (fixtures: the service and its audit are tested on their own)."""
    from sinergi.letters.kinds import default_fields

    for kind in kinds or Kind.values:
        fields = {
            **default_fields(kind),
            "signatory_name": SIGNATORY,
            "signatory_nip": NIP,
            **values,
        }
        LetterTemplate.objects.update_or_create(kind=kind, office_code=office_code, defaults=fields)


def issue_letters(kube: Any, officer: Any, count: int = 2) -> list[Any]:
    """``count`` decrees of a demo group, its office's templates signed (the permission
    matrix's and the query counts' worlds)."""
    from sinergi.letters.services import letter_issue

    sign(kube.area_code[:5])
    return [
        letter_issue(actor=officer, kind=Kind.KUBE_DECREE, object_id=kube.pk) for _ in range(count)
    ]
