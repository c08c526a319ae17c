"""The KUBE list's rows tag writes what the loop it replaced wrote, byte for byte (the loop is
kept beside this test as the oracle), in both languages, for every status."""

from __future__ import annotations

from pathlib import Path

from django.template import Context, Template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.kube.models import BusinessType, Kube, Status
from sinergi.kube.templatetags.kube_rows import kube_rows
from sinergi.wilayah.models import Region

ORACLE = (Path(__file__).parent / "templates" / "oracle" / "kube_rows.html").read_text()
text = st.text(alphabet=st.sampled_from("aZ 0<>&\"'é·—/"), max_size=30)


@st.composite
def groups(draw: st.DrawFn) -> Kube:
    # Unsaved rows built as the list's query leaves them: related rows and the member count.
    kube = Kube(
        pk=draw(st.integers(1, 10**9)),
        name=draw(text),
        area_code=draw(text),
        status=draw(st.sampled_from(Status.values)),
        business_type=BusinessType(code="x", name=draw(text), name_en=draw(text)),
        village=Region(name=draw(text)),
    )
    kube.member_count = draw(st.integers(0, 20))  # type: ignore[attr-defined]
    return kube


@settings(max_examples=80, deadline=None)
@given(st.lists(groups(), max_size=6), st.sampled_from(["id", "en"]))
def test_kube_rows_as_the_loop_drew_them(page: list[Kube], language: str) -> None:
    with translation.override(language):
        expected = Template(ORACLE).render(Context({"page": page}))
        assert str(kube_rows(page)) == expected.removesuffix("\n")
