"""The region code engine against exact oracles, including property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sinergi.engines import wilayah as w

SEGMENTS = (2, 2, 2, 4)
digit_segments = st.integers(min_value=1, max_value=4).flatmap(
    lambda n: st.tuples(*(st.text("0123456789", min_size=s, max_size=s) for s in SEGMENTS[:n]))
)


@given(digit_segments)
def test_plain_and_dotted_spellings_normalise_to_the_same_dotted_code(
    parts: tuple[str, ...],
) -> None:
    dotted = ".".join(parts)
    plain = "".join(parts)
    assert w.normalize_code(plain) == dotted
    assert w.normalize_code(dotted) == dotted
    assert w.normalize_code(f" {'-'.join(parts)} ") == dotted
    assert w.plain(dotted) == plain
    assert w.level_of(dotted) == len(parts)


@given(st.text("0123456789", min_size=1, max_size=14).filter(lambda s: len(s) not in (2, 4, 6, 10)))
def test_plain_codes_of_any_other_length_are_refused(digits: str) -> None:
    with pytest.raises(w.RegionCodeError) as info:
        w.normalize_code(digits)
    assert info.value.reason == "bad_length"


@given(st.text(min_size=1, max_size=12).filter(lambda s: any(c.isalpha() for c in s)))
def test_letters_are_refused(text: str) -> None:
    with pytest.raises(w.RegionCodeError):
        w.normalize_code(text)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("3.273", "bad_format"),
        ("32.7.301", "bad_format"),
        ("32.73.01.100", "bad_format"),
        ("32.73.01.1001.1", "bad_format"),
        ("32a", "not_digits"),
    ],
)
def test_malformed_codes_say_why(raw: str, reason: str) -> None:
    with pytest.raises(w.RegionCodeError) as info:
        w.normalize_code(raw)
    assert info.value.reason == reason


@given(digit_segments)
def test_parent_and_ancestors_agree(parts: tuple[str, ...]) -> None:
    code = ".".join(parts)
    ancestors = w.ancestors_of(code)
    assert len(ancestors) == len(parts) - 1
    if ancestors:
        assert w.parent_of(code) == ancestors[-1]
        assert all(w.in_area(code, a) for a in ancestors)
    else:
        assert w.parent_of(code) is None


@given(digit_segments, digit_segments)
def test_in_area_matches_segment_prefix_oracle(a: tuple[str, ...], b: tuple[str, ...]) -> None:
    code, area = ".".join(a), ".".join(b)
    assert w.in_area(code, area) == (a[: len(b)] == b)


def test_shipped_data_has_the_official_counts() -> None:
    index = w.default_index()
    assert [index.count(level) for level in w.Level] == [38, 514, 7285, 83762]


def test_lookup_answers_in_any_spelling() -> None:
    index = w.default_index()
    assert index.lookup("3273011001") == w.RegionRecord("32.73.01.1001", "Sukarasa")
    record = index.lookup("32.73.01")
    assert record is not None and record.name == "Sukasari"
    assert index.lookup("99.99") is None


def test_nik_prefix_status_against_brute_force_oracle() -> None:
    index = w.default_index()
    districts = {r.code for r in w.read_records() if r.level == w.Level.DISTRICT}
    provinces = {r.code for r in w.read_records() if r.level == w.Level.PROVINCE}
    samples = ["327301", "320199", "990101", "920101", "650101", "110101", "000000", "347101"]
    for prefix in samples:
        dotted = f"{prefix[:2]}.{prefix[2:4]}.{prefix[4:]}"
        expected = (
            "known"
            if dotted in districts
            else "province_only"
            if prefix[:2] in provinces
            else "unknown_province"
        )
        assert index.nik_prefix_status(prefix) == expected, prefix
    # Regencies stdnum misses (Pangandaran, Kalimantan Utara, new Papua provinces) are known.
    assert index.nik_prefix_exists("321801")
    assert index.province_exists("65") and index.province_exists("96")


def test_city_and_village_kinds_follow_the_code_rules() -> None:
    assert w.is_city("32.73") and not w.is_city("32.04")
    assert w.village_kind("32.73.01.1001") == "kelurahan"
    assert w.village_kind("32.04.01.2001") == "desa"
    assert w.village_kind("32.73") is None


def test_retired_codes_are_marked() -> None:
    index = w.RegionIndex([w.RegionRecord("91", "Papua")], retired=["91.01"])
    assert index.is_retired("91.01") and not index.is_retired("91")
