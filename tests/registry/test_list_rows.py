"""The household list's rows tag writes what the loop it replaced wrote, byte for byte (the loop
is kept beside this test as the oracle), in both languages, with or without the decile."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.registry.templatetags.registry_rows import household_rows

ORACLE = (Path(__file__).parent / "templates" / "oracle" / "household_rows.html").read_text()
text = st.text(alphabet=st.sampled_from("aZ 0<>&\"'é·—/"), max_size=30)
households = st.builds(
    SimpleNamespace,
    pk=st.integers(1, 10**9),
    kk_mask=text,
    head_name=st.none() | text,
    area_code=text,
    village=st.builds(SimpleNamespace, name=text),
    member_count=st.integers(0, 40),
    desil=st.none() | st.integers(0, 10),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(households, max_size=6), st.booleans(), st.sampled_from(["id", "en"]))
def test_household_rows_as_the_loop_drew_them(
    page: list[SimpleNamespace], sees_welfare: bool, language: str
) -> None:
    with translation.override(language):
        expected = Template(ORACLE).render(Context({"page": page, "sees_welfare": sees_welfare}))
        assert str(household_rows(page, sees_welfare)) == expected.removesuffix("\n")


def test_the_decile_column_only_for_those_who_see_welfare() -> None:
    row = SimpleNamespace(
        pk=7, kk_mask="3273••••••••0001", head_name="<b>Siti</b>", area_code="32.73",
        village=SimpleNamespace(name="Sukarasa"), member_count=4, desil=2,
    )  # fmt: skip
    seen = str(household_rows([row], True))
    assert "<td>2</td>" in seen and "&lt;b&gt;Siti&lt;/b&gt;" in seen
    assert "<td>2</td>" not in str(household_rows([row], False))
