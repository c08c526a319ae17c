"""PDFs of the compliance app: notification letters, the records of processing and the DPIA.

fpdf2 with its built-in Helvetica, as monitoring's one-page summaries (no font files, no
browser); the built-in fonts cover Latin-1 only, so text is folded to it. Text flows over as
many A4 pages as it needs.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from sinergi.compliance.register import Row, Section
from sinergi.core.pdf import latin


class Document:
    """An A4 document of headings, paragraphs and label-value pairs. It holds its fpdf2
    document rather than being one: fpdf2 (which imports numpy) costs ~0.5 s to import and
    this module is on every process's import path, so fpdf2 is imported when a PDF is made."""

    def __init__(self, title: str, subtitle: str = "") -> None:
        from fpdf import FPDF

        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_auto_page_break(True, margin=16)
        self.pdf.set_margins(18, 16, 18)
        self.pdf.add_page()
        self.pdf.set_font("Helvetica", "B", 14)
        self.pdf.multi_cell(0, 7, latin(title), new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            self.pdf.set_font("Helvetica", "", 9)
            self.pdf.set_text_color(90, 90, 90)
            self.pdf.multi_cell(0, 5, latin(subtitle), new_x="LMARGIN", new_y="NEXT")
            self.pdf.set_text_color(0, 0, 0)
        self.pdf.ln(3)

    def heading(self, text: str) -> None:
        self.pdf.ln(2)
        self.pdf.set_font("Helvetica", "B", 11)
        self.pdf.multi_cell(0, 6, latin(text), new_x="LMARGIN", new_y="NEXT")

    def text(self, body: str, size: float = 10) -> None:
        self.pdf.set_font("Helvetica", "", size)
        self.pdf.multi_cell(0, size * 0.5, latin(body), new_x="LMARGIN", new_y="NEXT")

    def items(self, lines: Sequence[str]) -> None:
        self.pdf.set_font("Helvetica", "", 9.5)
        for line in lines:
            self.pdf.multi_cell(0, 4.8, latin("- " + line), new_x="LMARGIN", new_y="NEXT")

    def pairs(self, rows: Sequence[tuple[str, str]]) -> None:
        for label, value in rows:
            self.pdf.set_font("Helvetica", "B", 8.5)
            self.pdf.multi_cell(0, 4.4, latin(label), new_x="LMARGIN", new_y="NEXT")
            self.pdf.set_font("Helvetica", "", 9)
            self.pdf.multi_cell(0, 4.6, latin(value or "-"), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())


def letter(subject: str, body: str) -> bytes:
    doc = Document(subject)
    doc.text(body)
    return doc.bytes()


def register(title: str, subtitle: str, rows: Sequence[Row]) -> bytes:
    doc = Document(title, subtitle)
    for row in rows:
        doc.heading(row.label)
        doc.pairs(
            [
                (_("Purpose"), row.purpose),
                (
                    _("Legal basis"),
                    " ".join(x for x in (row.legal_basis, row.legal_reference) if x),
                ),
                (_("Data subjects"), row.subjects),
                (_("Recipients"), row.recipients_text),
                (_("Transfers"), row.transfers),
                (_("Retention"), row.retention),
                (_("Security measures"), "; ".join(row.measures)),
                (_("To do"), " ".join(row.gaps)),
            ]
        )
    return doc.bytes()


def sections(title: str, parts: Sequence[Section]) -> bytes:
    doc = Document(title)
    for part in parts:
        doc.heading(part.heading)
        for paragraph in part.paragraphs:
            doc.text(paragraph, 9.5)
        doc.items(part.items)
    return doc.bytes()
