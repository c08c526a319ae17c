"""Uploaded photos and documents are judged by their first bytes, never by name or header."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise

from sinergi.core.errors import InvalidInput

JPEG, PNG, PDF = b"\xff\xd8\xff", b"\x89PNG", b"%PDF"
PHOTO_TYPES = (JPEG, PNG)
DOCUMENT_TYPES = (JPEG, PNG, PDF)


def check_upload(
    upload: Any,
    *,
    kinds: tuple[bytes, ...],
    max_bytes: int,
    missing: str | Promise,
    wrong_kind: str | Promise,
    field: str,
) -> None:
    """Refuse a missing, oversized or wrongly typed file with the caller's message."""
    if upload is None or upload.size > max_bytes:
        raise InvalidInput(str(missing), field=field)
    head = upload.read(4)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in kinds):
        raise InvalidInput(str(wrong_kind), field=field)
