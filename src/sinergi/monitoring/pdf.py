"""One-page PDF summaries for meetings: a region's dashboard, or one group's standing.

fpdf2 with its built-in Helvetica: no font files, no browser. The built-in fonts cover
Latin-1 only, so text is folded to it (Indonesian and English need nothing more).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # both loaded by __getattr__ below
    from sinergi.monitoring.pdf_page import Page as Page
    from sinergi.monitoring.pdf_page import _latin as _latin


def __getattr__(name: str) -> Any:
    """``Page`` and ``_latin`` (monitoring/pdf_page.py) are loaded when first asked for: fpdf2,
    which imports numpy, costs ~0.5 s to import, and this module is on every process's import
    path."""
    if name in {"Page", "_latin"}:
        from sinergi.monitoring import pdf_page

        return getattr(pdf_page, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
