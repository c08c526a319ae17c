"""The sales list's rows tag writes what the loop it replaced wrote, byte for byte (the loop is
kept beside this test as the oracle), in both languages (thousands grouped by each)."""

from __future__ import annotations

from pathlib import Path

from django.template import Context, Template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.kube.models import Kube
from sinergi.market.models import BuyerType, Sale
from sinergi.market.templatetags.market_rows import sale_rows

ORACLE = (Path(__file__).parent / "templates" / "oracle" / "sale_rows.html").read_text()
text = st.text(alphabet=st.sampled_from("aZ 0<>&\"'é·—/"), max_size=30)
sales = st.builds(
    Sale,
    kube=st.builds(Kube, name=text),
    description=text,
    quantity=st.integers(0, 10**7),
    price=st.integers(0, 10**10),
    buyer_type=st.sampled_from(BuyerType.values),
    day=st.dates(),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(sales, max_size=6), st.sampled_from(["id", "en"]))
def test_sale_rows_as_the_loop_drew_them(page: list[Sale], language: str) -> None:
    with translation.override(language):
        expected = Template(ORACLE).render(Context({"page": page}))
        assert str(sale_rows(page)) == expected
