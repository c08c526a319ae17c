"""Small SVG charts rendered on the server: readable without JavaScript, printable, tiny.

Every chart on a page also has its numbers in a table beside it (and in the exports), so the
SVG only has to be a picture; each bar carries a ``<title>`` with its exact value.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from sinergi.core.money import rupiah

# A constant, not data: the only markup not built by format_html.
_END = mark_safe("</svg>")
_SVG = '<svg class="chart" viewBox="0 0 {} {}" role="img" preserveAspectRatio="xMinYMin meet">'


def _join(parts: Sequence[SafeString]) -> SafeString:
    """Concatenate pieces each already escaped by format_html (so nothing is escaped twice)."""
    return format_html("{}" * len(parts), *parts)


COLOURS = ("#2f6f4f", "#d08c2c", "#3a6ea5", "#a23b72", "#6c757d", "#8fb339")


def _number(value: float) -> str:
    return rupiah(round(value))


def bars(items: Sequence[tuple[str, float]], *, colours: Sequence[str] = COLOURS) -> SafeString:
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    if not items:
        return SafeString("")
    row, label_w, width = 26, 150, 440
    top = max((v for _l, v in items), default=0) or 1
    height = row * len(items) + 4
    parts = [format_html(_SVG, width, height)]
    for i, (label, value) in enumerate(items):
        y = i * row + 2
        w = max(0.0, (width - label_w - 80) * value / top)
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
                '<text x="{}" y="{}" class="chart-value">{}</text>',
                label_w - 6,
                y + 16,
                label,
                label_w,
                y + 3,
                f"{w:.1f}",
                row - 8,
                colours[i % len(colours)],
                label,
                _number(value),
                f"{label_w + w + 6:.1f}",
                y + 16,
                _number(value),
            )
        )
    parts.append(_END)
    return _join(parts)


def columns(
    labels: Sequence[str], values: Sequence[float], *, colour: str = COLOURS[0]
) -> SafeString:
    """Vertical columns over time (one per month), with the largest value marked on the axis."""
    if not labels:
        return SafeString("")
    width, height, left, bottom = 560, 180, 64, 22
    top = max(values, default=0) or 1
    slot = (width - left) / len(labels)
    parts = [
        format_html(
            _SVG + '<line x1="{}" y1="{}" x2="{}" y2="{}" class="chart-axis"/>'
            '<text x="{}" y="12" text-anchor="end" class="chart-label">{}</text>'
            '<text x="{}" y="{}" text-anchor="end" class="chart-label">0</text>',
            width,
            height,
            left,
            height - bottom,
            width,
            height - bottom,
            left - 6,
            _number(top),
            left - 6,
            height - bottom,
        )
    ]
    usable = height - bottom - 16
    every = max(1, len(labels) // 8)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = usable * value / top
        x = left + i * slot + slot * 0.15
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
                f"{x:.1f}",
                f"{height - bottom - h:.1f}",
                f"{slot * 0.7:.1f}",
                f"{h:.1f}",
                colour,
                label,
                _number(value),
            )
        )
        if i % every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" class="chart-label">{}</text>',
                    f"{x + slot * 0.35:.1f}",
                    height - 6,
                    label,
                )
            )
    parts.append(_END)
    return _join(parts)
