"""A letter laid out once (``Layout``) and written as PDF (fpdf2) and as DOCX (python-docx).

The layout follows the Indonesian official letter (Permendagri on the administration of official
documents): letterhead (kop surat) centred with a rule under it; then either a title block
(decree, record, assignment letter, certificate: centred, in capitals, with the number) or the
number, attachment and subject lines with the addressee (a letter); the body; the place and
date with the signatory's position, name and NIP; copies (tembusan); and an attachment table
(the members or groups) on a page of its own. The DOCX is the same text, so an office can
adjust a copy in a word processor; the stored PDF is the record.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sinergi.core.pdf import latin

# fpdf2 (which imports numpy) and python-docx take ~0.5 s to import, and this module is on the
# API's import path: every process would pay it, so they are imported when a letter is made.
if TYPE_CHECKING:
    from fpdf import FPDF

log = logging.getLogger(__name__)


@dataclass
class Layout:
    letterhead: list[str]
    number: str
    title: list[str] = field(default_factory=list)
    # (label, value) lines under the letterhead of a letter: Nomor, Lampiran, Perihal.
    header: list[tuple[str, str]] = field(default_factory=list)
    recipient: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)  # paragraphs; a paragraph may hold lines
    place_date: list[str] = field(default_factory=list)
    signatory_position: str = ""
    signatory_name: str = ""
    signatory_nip: str = ""
    # A second signing party (the group's chair on a handover record): heading, name.
    counterpart: tuple[str, str] | None = None
    copies: list[str] = field(default_factory=list)
    table_title: str = ""
    table: list[list[str]] = field(default_factory=list)  # first row: the headings
    logo: bytes | None = None

    def text(self) -> str:
        """Every word of the letter, in reading order (tests read letters back with it)."""
        parts = [*self.letterhead, *self.title]
        parts += [f"{label} : {value}" for label, value in self.header]
        parts += [*self.recipient, *self.body, *self.place_date, self.signatory_position]
        parts += [self.signatory_name, f"NIP. {self.signatory_nip}"]
        parts += [*self.copies, self.table_title]
        parts += [" ".join(row) for row in self.table]
        return "\n".join(p for p in parts if p)


# --- PDF --------------------------------------------------------------------------------------


def _line_text(
    doc: FPDF, text: str, *, style: str = "", size: float = 11, align: str = "L"
) -> None:
    doc.set_font("Times", style, size)
    doc.multi_cell(0, size * 0.5, latin(text), align=align, new_x="LMARGIN", new_y="NEXT")


def pdf(layout: Layout) -> bytes:
    from fpdf import FPDF

    doc = FPDF(orientation="P", unit="mm", format="A4")
    doc.set_auto_page_break(True, margin=20)
    doc.set_margins(25, 18, 20)
    doc.add_page()
    top = doc.get_y()
    if layout.logo:
        try:
            doc.image(io.BytesIO(layout.logo), x=25, y=top, h=22)
        except Exception:  # a logo that cannot be drawn leaves the text intact
            log.warning("letter logo could not be drawn in the PDF", exc_info=True)
    for index, line in enumerate(layout.letterhead):
        _line_text(
            doc, line, style="B" if index < 2 else "", size=14 if index < 2 else 10, align="C"
        )
    doc.ln(1)
    doc.set_line_width(0.8)
    doc.line(doc.l_margin, doc.get_y(), doc.w - doc.r_margin, doc.get_y())
    doc.set_line_width(0.2)
    doc.ln(5)
    for line in layout.title:
        _line_text(doc, line, style="B", size=12, align="C")
    if layout.title:
        doc.ln(4)
    for label, value in layout.header:
        doc.set_font("Times", "", 11)
        doc.cell(25, 5.5, latin(label))
        doc.cell(4, 5.5, ":")
        doc.multi_cell(0, 5.5, latin(value), new_x="LMARGIN", new_y="NEXT")
    if layout.header:
        doc.ln(4)
    for line in layout.recipient:
        _line_text(doc, line)
    if layout.recipient:
        doc.ln(4)
    for paragraph in layout.body:
        _line_text(doc, paragraph, align="J")
        doc.ln(2.5)
    doc.ln(4)
    _pdf_signatures(doc, layout)
    if layout.copies:
        doc.ln(6)
        _line_text(doc, "Tembusan:", size=10)
        for n, line in enumerate(layout.copies, 1):
            _line_text(doc, f"{n}. {line}", size=10)
    if layout.table:
        doc.add_page()
        _line_text(doc, layout.table_title, style="B", size=11, align="C")
        _line_text(doc, f"Nomor {layout.number}", size=10, align="C")
        doc.ln(4)
        doc.set_font("Times", "", 10)
        with doc.table(text_align="LEFT", line_height=5.5) as table:
            for row in layout.table:
                cells = table.row()
                for value in row:
                    cells.cell(latin(value))
    return bytes(doc.output())


def _pdf_signatures(doc: FPDF, layout: Layout) -> None:
    half = (doc.w - doc.l_margin - doc.r_margin) / 2
    right = doc.l_margin + half
    start = doc.get_y()
    if layout.counterpart:
        heading, name = layout.counterpart
        doc.set_xy(doc.l_margin, start)
        doc.set_font("Times", "", 11)
        doc.multi_cell(half - 4, 5.5, latin(heading), align="C", new_x="LMARGIN", new_y="NEXT")
        doc.ln(18)
        doc.set_font("Times", "BU", 11)
        doc.cell(half - 4, 5.5, latin(name), align="C")
        doc.set_y(start)
    lines = [*layout.place_date, layout.signatory_position]
    doc.set_font("Times", "", 11)
    for line in lines:
        doc.set_x(right)
        doc.multi_cell(half, 5.5, latin(line), align="C", new_x="LEFT", new_y="NEXT")
    doc.ln(18)
    doc.set_x(right)
    doc.set_font("Times", "BU", 11)
    doc.multi_cell(half, 5.5, latin(layout.signatory_name), align="C", new_x="LEFT", new_y="NEXT")
    doc.set_x(right)
    doc.set_font("Times", "", 11)
    doc.multi_cell(
        half, 5.5, latin(f"NIP. {layout.signatory_nip}"), align="C", new_x="LMARGIN", new_y="NEXT"
    )


# --- DOCX -------------------------------------------------------------------------------------


def docx(layout: Layout) -> bytes:
    from docx import Document as DocxDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    document = DocxDocument()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2)
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(2)
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)

    def para(text: str, *, bold: bool = False, size: float = 11, align: Any = None) -> None:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)
        if align is not None:
            paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(2)

    if layout.logo:
        try:
            document.add_picture(io.BytesIO(layout.logo), height=Cm(2.2))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        except Exception:  # as in the PDF: the text matters, the logo does not
            log.warning("letter logo could not be placed in the DOCX", exc_info=True)
    for index, line in enumerate(layout.letterhead):
        para(line, bold=index < 2, size=14 if index < 2 else 10, align=WD_ALIGN_PARAGRAPH.CENTER)
    para("_" * 70, align=WD_ALIGN_PARAGRAPH.CENTER, size=8)
    for line in layout.title:
        para(line, bold=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    for label, value in layout.header:
        para(f"{label}\t: {value}")
    for line in layout.recipient:
        para(line)
    for paragraph in layout.body:
        para(paragraph, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    signatures = document.add_table(rows=1, cols=2)
    left, right = signatures.rows[0].cells
    if layout.counterpart:
        heading, name = layout.counterpart
        left.text = f"{heading}\n\n\n\n{name}"
    right.text = "\n".join(
        [
            *layout.place_date,
            layout.signatory_position,
            "\n\n",
            layout.signatory_name,
            f"NIP. {layout.signatory_nip}",
        ]
    )
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if layout.copies:
        para("Tembusan:", size=10)
        for n, line in enumerate(layout.copies, 1):
            para(f"{n}. {line}", size=10)
    if layout.table:
        document.add_page_break()
        para(layout.table_title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        para(f"Nomor {layout.number}", size=10, align=WD_ALIGN_PARAGRAPH.CENTER)
        table = document.add_table(rows=0, cols=len(layout.table[0]))
        table.style = "Table Grid"
        for row in layout.table:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
