"""The numbers behind the small charts, shared by the SVG partials and the one-page PDF.

A chart is computed once as data: each item's label (shortened, the full text kept for a
``<title>``), its value formatted with the one number formatter, and its share of the largest
value. The page draws it with ``monitoring/charts/*.html`` (SVG, no JavaScript, printable); the
PDF draws the same shares and texts with fpdf2. Every chart on a page also has its numbers in a
table (and the exports), so the picture only has to be readable.

Phone first: the SVGs are 360 units wide with 15-unit text, so at 375 px (a card about 300 px
wide) text is still 12.5 px; nothing is drawn outside the viewBox: widths are reserved for the
longest value text and labels are cut with an ellipsis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sinergi.core.numbers import format_number

COLOURS = ("#2f6f4f", "#b86e12", "#2d5f94", "#a23b72", "#5c636a", "#5f7f1f")
WIDTH = 360
FONT = 15
# Average advance of a character at FONT in a sans-serif face, a little generous for digits.
CHAR = FONT * 0.6


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (the full text goes in a title)."""
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "…"


def _width(text: str) -> float:
    return len(text) * CHAR


@dataclass(frozen=True)
class Bar:
    label: str
    short: str
    value: float
    text: str
    share: float  # of the largest value, 0..1
    colour: str
    # SVG geometry (user units)
    label_y: float = 0
    bar_y: float = 0
    bar_w: float = 0
    value_x: float = 0
    value_y: float = 0


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    bar_h: int
    font: int


def bars(items: Sequence[tuple[str, float]], *, colours: Sequence[str] = COLOURS) -> BarChart:
    """Horizontal bars, one per (label, value): the label on its own line above its bar, so a
    long name keeps the whole width; the value after the bar's end, always inside the view."""
    top = max((v for _l, v in items), default=0) or 1
    texts = [format_number(v) for _l, v in items]
    room = WIDTH - max((_width(t) for t in texts), default=0) - 8
    limit = int(WIDTH / CHAR)
    row, bar_h = FONT + 4 + 14 + 8, 14
    out = []
    for i, ((label, value), text) in enumerate(zip(items, texts, strict=True)):
        top_y = i * row
        share = max(0.0, value / top)
        width = room * share
        out.append(
            Bar(
                label=label,
                short=shorten(label, limit),
                value=value,
                text=text,
                share=share,
                colour=colours[i % len(colours)],
                label_y=top_y + FONT,
                bar_y=top_y + FONT + 4,
                bar_w=round(width, 1),
                value_x=round(width + 6, 1),
                value_y=top_y + FONT + 4 + bar_h - 2,
            )
        )
    return BarChart(tuple(out), WIDTH, max(1, row * len(items)), bar_h, FONT)


@dataclass(frozen=True)
class Column:
    label: str
    value: float
    text: str
    share: float
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0
    label_x: float | None = None  # None: the label is left out (every k-th shown)


@dataclass(frozen=True)
class ColumnChart:
    columns: tuple[Column, ...]
    top_text: str
    width: int
    height: int
    left: float
    base_y: float
    font: int
    colour: str


def columns(
    labels: Sequence[str], values: Sequence[float], *, colour: str = COLOURS[0]
) -> ColumnChart:
    """Columns over time (one per month) with the largest value marked on the axis; month labels
    are thinned so they never overlap, and kept inside the view at both ends."""
    height = 190
    top = max(values, default=0) or 1
    top_text = format_number(top)
    left = max(_width(top_text), _width("0")) + 8
    base_y = height - FONT - 8
    usable = base_y - FONT - 4
    slot = (WIDTH - left) / max(1, len(labels))
    label_w = max((_width(label) for label in labels), default=0) + 6
    every = max(1, math.ceil(label_w / slot)) if slot else 1
    half = label_w / 2
    out = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        share = max(0.0, value / top)
        h = usable * share
        x = left + i * slot + slot * 0.15
        centre = min(max(x + slot * 0.35, left + half), WIDTH - half)
        out.append(
            Column(
                label=label,
                value=value,
                text=format_number(value),
                share=share,
                x=round(x, 1),
                y=round(base_y - h, 1),
                w=round(slot * 0.7, 1),
                h=round(h, 1),
                label_x=round(centre, 1) if (len(labels) - 1 - i) % every == 0 else None,
            )
        )
    return ColumnChart(tuple(out), top_text, WIDTH, height, round(left, 1), base_y, FONT, colour)
