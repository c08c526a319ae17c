"""Text that can always be written: whatever a file or an exception held, saving it never fails."""

from __future__ import annotations


def storable(value: object, limit: int) -> str:
    """``value`` as text PostgreSQL and SQLite both accept, at most ``limit`` characters.

    NUL is refused by PostgreSQL text columns and an unpaired surrogate (what a wrongly decoded
    UTF-16 file yields) cannot be encoded as UTF-8; either one would make the write that records
    a failure fail in turn. Both are dropped or replaced, other control characters shown escaped.
    """
    text = str(value).encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    text = "".join(c if c >= " " or c in "\t\n" else f"\\x{ord(c):02x}" for c in text)
    return text[:limit]
