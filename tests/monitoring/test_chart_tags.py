"""The chart tags write what the templates they replaced wrote, byte for byte (the templates
are kept beside this test as the oracle), in both languages, for generated charts."""

from __future__ import annotations

from pathlib import Path

from django.template import Context, Template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.monitoring import charts
from sinergi.monitoring.templatetags.monitoring_charts import bar_chart, column_chart

ORACLE = Path(__file__).parent / "templates" / "oracle"
labels = st.text(
    alphabet=st.sampled_from("aZ 0<>&\"'é·…/"), min_size=0, max_size=40
)  # markup, quotes, long names that are shortened
amounts = st.floats(min_value=0, max_value=5e12, allow_nan=False) | st.integers(0, 10**9)


def oracle(name: str, chart: object, title: str) -> str:
    source = (ORACLE / name).read_text()
    return Template(source).render(Context({"chart": chart, "title": title}))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(labels, amounts), max_size=6),
    labels,
    st.sampled_from(["id", "en"]),
)
def test_bars_as_the_template_drew_them(
    items: list[tuple[str, float]], title: str, language: str
) -> None:
    with translation.override(language):
        chart = charts.bars(items)
        assert str(bar_chart(chart, title)) == oracle("bars.html", chart, title)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(labels, amounts), max_size=14),
    labels,
    st.sampled_from(["id", "en"]),
)
def test_columns_as_the_template_drew_them(
    items: list[tuple[str, float]], title: str, language: str
) -> None:
    with translation.override(language):
        chart = charts.columns([label for label, _ in items], [value for _, value in items])
        assert str(column_chart(chart, title)) == oracle("columns.html", chart, title)


def test_a_dashboard_year_draws_every_column() -> None:
    months = [f"{m:02d}/26" for m in range(1, 13)]
    chart = charts.columns(months, [1_500_000.0 * m for m in range(12)])
    svg = str(column_chart(chart, "Penjualan <Rp>"))
    assert svg.count("<rect ") == 12 and 'aria-label="Penjualan &lt;Rp&gt;"' in svg
    assert svg == oracle("columns.html", chart, "Penjualan <Rp>")
