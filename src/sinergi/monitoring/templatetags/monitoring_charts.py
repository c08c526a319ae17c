"""The dashboards' charts written out in one tag each.

Seven charts a dashboard (about 60 bars and columns, eight values each) through the template
engine were a third of the dashboard's CPU: a lookup, escape and localisation per value.
``{% bar_chart chart title %}`` and ``{% column_chart chart title %}`` write the same SVG, byte
for byte (tests/monitoring/test_chart_tags.py holds the templates they replaced). Coordinates
are written with ``str`` as the templates' ``stringformat:'s'`` did: machine numbers, never a
decimal comma.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from sinergi.core.templatetags.fast_lists import escape_text as e
from sinergi.monitoring.charts import BarChart, ColumnChart

register = template.Library()


def _open(width: int, height: int, title: str, font: int) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{e(title)}"'
        f' font-size="{font}" preserveAspectRatio="xMinYMin meet">\n'
    )


@register.simple_tag
def bar_chart(chart: BarChart, title: str) -> SafeString:
    if not chart.bars:
        return mark_safe("\n")  # nothing drawn: what the template left
    out = [_open(chart.width, chart.height, title, chart.font)]
    for b in chart.bars:
        out.append(
            f"<g><title>{e(b.label)}: {e(b.text)}</title>"
            f'<text x="0" y="{b.label_y}" class="chart-label">{e(b.short)}</text>'
            f'<rect x="0" y="{b.bar_y}" width="{b.bar_w}" height="{chart.bar_h}"'
            f' fill="{e(b.colour)}"/>'
            f'<text x="{b.value_x}" y="{b.value_y}" class="chart-value">{e(b.text)}</text></g>\n'
        )
    out.append("</svg>\n")
    return mark_safe("".join(out))  # noqa: S308  # every text above is escaped


@register.simple_tag
def column_chart(chart: ColumnChart, title: str) -> SafeString:
    if not chart.columns:
        return mark_safe("\n")  # nothing drawn: what the template left
    out = [
        _open(chart.width, chart.height, title, chart.font),
        f'<line x1="{chart.left}" y1="{chart.base_y}" x2="{chart.width}" y2="{chart.base_y}"'
        ' class="chart-axis"/>\n'
        f'<text x="{chart.left}" y="{chart.font}" dx="-6" text-anchor="end"'
        f' class="chart-label">{e(chart.top_text)}</text>\n'
        f'<text x="{chart.left}" y="{chart.base_y}" dx="-6" text-anchor="end"'
        ' class="chart-label">0</text>\n',
    ]
    for c in chart.columns:
        label = ""
        if c.label_x is not None:
            label = (
                f'<text x="{c.label_x}" y="{chart.height - 4}" text-anchor="middle"'
                f' class="chart-label">{e(c.label)}</text>'
            )
        out.append(
            f"<g><title>{e(c.label)}: {e(c.text)}</title>"
            f'<rect x="{c.x}" y="{c.y}" width="{c.w}" height="{c.h}" fill="{e(chart.colour)}"/>'
            f"{label}</g>\n"
        )
    out.append("</svg>\n")
    return mark_safe("".join(out))  # noqa: S308  # every text above is escaped
