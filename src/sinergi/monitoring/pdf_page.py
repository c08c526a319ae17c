"""The one-page PDF itself (monitoring/pdf.py: loaded only when a page is made)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _
from fpdf import FPDF

from sinergi.core.pdf import latin as _latin
from sinergi.monitoring import charts


class Page(FPDF):
    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.add_page()
        self.set_margins(14, 12, 14)
        self.set_font("Helvetica", "B", 16)
        self.set_xy(14, 12)
        self.cell(0, 8, _latin(title), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 9)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, _latin(subtitle), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font("Helvetica", "B", 11)
        self.cell(0, 6, _latin(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 9)

    def figures(self, pairs: Sequence[tuple[str, str]], columns: int = 3) -> None:
        width = (self.w - 28) / columns
        for i, (label, value) in enumerate(pairs):
            if i and i % columns == 0:
                self.ln(11)
            x = 14 + (i % columns) * width
            y = self.get_y()
            self.set_xy(x, y)
            self.set_font("Helvetica", "", 7.5)
            self.set_text_color(90, 90, 90)
            self.cell(width, 4, _latin(label))
            self.set_xy(x, y + 4)
            self.set_font("Helvetica", "B", 11)
            self.set_text_color(0, 0, 0)
            self.cell(width, 6, _latin(value))
            self.set_xy(14, y)
        self.ln(12)

    def bars(self, chart: charts.BarChart, *, label_w: float = 45) -> None:
        """The page's bar chart (same shares and value texts), label beside the bar."""
        width = self.w - 28 - label_w - 30
        self.set_font("Helvetica", "", 8)
        for bar in chart.bars:
            y = self.get_y()
            self.set_xy(14, y)
            self.cell(label_w, 5, _latin(charts.shorten(bar.label, 30)))
            self.set_fill_color(47, 111, 79)
            self.rect(14 + label_w, y + 0.8, max(0.3, width * bar.share), 3.4, style="F")
            self.set_xy(14 + label_w + width * bar.share + 2, y)
            self.cell(28, 5, _latin(bar.text))
            self.ln(5)

    def columns(self, chart: charts.ColumnChart, height: float = 28) -> None:
        x0, y0 = 14.0, self.get_y() + height
        slot = (self.w - 28) / max(1, len(chart.columns))
        self.set_fill_color(58, 110, 165)
        self.set_font("Helvetica", "", 6.5)
        for i, column in enumerate(chart.columns):
            h = height * column.share
            self.rect(x0 + i * slot + slot * 0.15, y0 - h, slot * 0.7, max(h, 0.2), style="F")
            self.set_xy(x0 + i * slot, y0 + 0.5)
            self.cell(slot, 3, _latin(column.label), align="C")
        self.set_xy(14, y0 + 4)
        self.cell(0, 4, _latin(_("Highest month: %(v)s") % {"v": chart.top_text}))
        self.ln(5)

    def grid(
        self, header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float]
    ) -> None:
        self.set_font("Helvetica", "B", 7.5)
        for text, w in zip(header, widths, strict=True):
            self.cell(w, 5, _latin(text)[: int(w / 1.55)], border="B")
        self.ln(5)
        self.set_font("Helvetica", "", 8)
        for row in rows:
            if self.get_y() > self.h - 22:
                self.cell(0, 5, _latin(_("… more rows in the XLSX export")))
                self.ln(5)
                break
            for cell, w in zip(row, widths, strict=True):
                self.cell(w, 4.6, _latin(cell)[: int(w / 1.6)])
            self.ln(4.6)

    def footer_note(self, text: str) -> None:
        self.set_xy(14, self.h - 14)
        self.set_font("Helvetica", "", 7)
        self.set_text_color(110, 110, 110)
        self.multi_cell(0, 3.5, _latin(text))

    def bytes(self) -> bytes:
        return bytes(self.output())
