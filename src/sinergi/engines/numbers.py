"""Whole numbers as people and files write them: ASCII digits only.

``str.isdigit()`` accepts "²" (which ``int`` refuses, so ``isdigit()`` then ``int()`` crashes)
and "١٢٣" (which ``int`` reads): neither is what an Indonesian form, file or URL means. Every
"is this a number" test goes through ``ascii_int``; Django-free so the engines can use it.
"""

from __future__ import annotations

# The widest integer column (int8) has 19 digits: a longer number cannot be stored anywhere.
_MAX_DIGITS = 19


def ascii_int(text: str) -> int | None:
    """A whole number written with ASCII digits (and an optional minus); None otherwise."""
    text = text.strip()
    body = text[1:] if text.startswith("-") else text
    if not body or len(body) > _MAX_DIGITS or not (body.isascii() and body.isdigit()):
        return None
    return int(text)
