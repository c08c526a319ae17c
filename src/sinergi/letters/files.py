"""A letter's stored file sent back with its true type, as a download (the page and the API)."""

from __future__ import annotations

from django.http import FileResponse, Http404

from sinergi.letters.models import Letter, LetterStatus

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def file_response(letter: Letter, fmt: str) -> FileResponse:
    stored = letter.pdf if fmt == "pdf" else letter.docx
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = "".join(c if c.isalnum() or c in "-." else "-" for c in letter.number)[:120]
    if letter.status == LetterStatus.VOID:
        # The stored file is the record as signed; the name says it no longer stands.
        name = f"BATAL-{name}"
    response = FileResponse(
        handle, content_type=CONTENT_TYPES[fmt], as_attachment=True, filename=f"{name}.{fmt}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
