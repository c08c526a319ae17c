"""One-page PDF summaries for meetings: a region's dashboard, or one group's standing.

fpdf2 with its built-in Helvetica: no font files, no browser. The built-in fonts cover
Latin-1 only, so text is folded to it (Indonesian and English need nothing more).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sinergi.monitoring.pdf_page import Page as Page  # loaded by __getattr__ below

_FOLD = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "“": '"',
        "”": '"',
        "’": "'",
        "‘": "'",
        "…": "...",
        "≤": "<=",
        "→": "->",
        "×": "x",
    }
)


def _latin(text: object) -> str:
    return str(text).translate(_FOLD).encode("latin-1", "replace").decode("latin-1")


def __getattr__(name: str) -> Any:
    """``Page`` (monitoring/pdf_page.py) is loaded when first asked for: fpdf2, which imports
    numpy, costs ~0.5 s to import, and this module is on every process's import path."""
    if name == "Page":
        from sinergi.monitoring.pdf_page import Page

        return Page
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
