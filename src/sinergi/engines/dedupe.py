"""Find the same person twice: exact by NIK, fuzzy by Indonesian-aware name and evidence.

Names are normalised for Indonesian spelling (old spellings oe/dj/tj/ch/sj/nj, the many ways
of writing Muhammad, Nur/Noor, Siti/St., titles such as H., Hj., S.Pd. dropped) and compared
with Jaro-Winkler (RapidFuzz). Pairs are only compared inside blocks — same sex, birth date and
district; the same with day and month swapped; the same NIK up to its serial — so the cost
grows with the number of rows, not its square. The decision is deliberately conservative: a
pair is *confident* only with strong evidence on two independent keys (NIK and name, or name
and birth date and place); weaker pairs are *candidates* for a person to review. Twins, a
father and son of the same name and namesakes in one village differ in name or birth date and
stay apart.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

_TITLES = {
    "h",
    "hj",
    "haji",
    "hajjah",
    "dr",
    "drs",
    "dra",
    "ir",
    "prof",
    "st",
    "spd",
    "sag",
    "se",
    "sh",
    "skom",
    "sip",
    "sos",
    "ssos",
    "sst",
    "amd",
    "ama",
    "mm",
    "mpd",
    "msi",
    "bsc",
    "ba",
    "spdi",
    "sthi",
    "skm",
    "ssi",
    "sp",
    "sked",
    "spt",
    "apt",
    "ners",
    "alm",
    "almh",
    "bin",
    "binti",
}
_MUHAMMAD = {
    "muhammad",
    "muhamad",
    "mohammad",
    "mohamad",
    "mochammad",
    "mochamad",
    "moch",
    "moh",
    "muh",
    "mhd",
    "md",
    "m",
}
_RESPELL = [
    ("oe", "u"),
    ("dj", "j"),
    ("tj", "c"),
    ("ch", "kh"),
    ("sj", "sy"),
    ("nj", "ny"),
    ("j", "y"),
]
_NON_LETTER = re.compile(r"[^a-z\s]")
_REPEAT = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def normalise_name(name: str, *, old_j: bool = False) -> str:
    """A comparable form: lower case, no titles, one spelling of each common variant.

    Old "tj" is new "c" (Tjipto, Cipto) but clerks also write old "j" for new "y" after a t
    (Setja, Setya); ``old_j`` reads every j as y instead, and callers compare both readings.
    """
    text = name.lower().replace(".", ". ").replace(",", " ")
    words: list[str] = []
    for raw in text.split():
        word = _NON_LETTER.sub("", raw)
        if word == "st" and not words:
            word = "siti"  # "St." before a name is Siti; after it, S.T. is a degree
        elif not word or word in _TITLES:
            continue
        if word in _MUHAMMAD and (raw.endswith(".") or word != "m" or not words):
            word = "muhammad"
        elif word in ("noor", "nurul", "nuur"):
            word = "nur"
        for old, new in _RESPELL if old_j else _RESPELL[:-1]:
            if old_j and old == "tj":
                continue
            word = word.replace(old, new)
        words.append(_REPEAT.sub(r"\1", word))
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    nik: str
    name: str
    sex: str
    birth_date: date | None
    village: str
    kk: str = ""


@dataclass(frozen=True, slots=True)
class Pair:
    id_a: str
    id_b: str
    score: float
    confident: bool
    reason: str


def _nik_near(a: str, b: str) -> bool:
    """One digit different, or two neighbouring digits swapped."""
    if len(a) != len(b):
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) == 1:
        return True
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
    )


def _swapped(d: date | None) -> date | None:
    if d is None or d.day > 12 or d.day == d.month:
        return None
    try:
        return date(d.year, d.day, d.month)
    except ValueError:
        return None


def name_similarity(a: str, b: str) -> float:
    """Jaro-Winkler of the normalised names (best of the two readings of old j), 0-1."""
    na, nb = normalise_name(a), normalise_name(b)
    if not na or not nb:
        return 0.0
    full = max(
        JaroWinkler.normalized_similarity(na, nb),
        JaroWinkler.normalized_similarity(
            normalise_name(a, old_j=True), normalise_name(b, old_j=True)
        ),
    )
    # A dropped last name ("Siti Aminah" / "Siti Aminah Lubis") still counts as close.
    ta, tb = na.split(), nb.split()
    if len(ta) != len(tb):
        short, long_ = (ta, tb) if len(ta) < len(tb) else (tb, ta)
        if long_[: len(short)] == short:
            full = max(full, 0.95 if len(short) >= 2 else 0.9)
    return full


def score_pair(a: Record, b: Record) -> Pair | None:
    """Judge one pair; None when it is clearly two people."""
    lo, hi = (a, b) if a.id < b.id else (b, a)
    if a.nik and a.nik == b.nik:
        return Pair(lo.id, hi.id, 1.0, True, "same_nik")
    if a.sex != b.sex:
        return None
    names = name_similarity(a.name, b.name)
    same_date = a.birth_date is not None and a.birth_date == b.birth_date
    swapped = not same_date and a.birth_date is not None and _swapped(a.birth_date) == b.birth_date
    near = _nik_near(a.nik, b.nik)
    if not (same_date or swapped or near):
        return None
    score = 0.5 * names + 0.2 * (1.0 if same_date else 0.7 if swapped else 0.0)
    score += 0.2 * (1.0 if near else 0.0) + 0.1 * (1.0 if a.village == b.village else 0.0)
    if near and names >= 0.9 and (same_date or swapped):
        return Pair(lo.id, hi.id, round(score, 4), True, "nik_typo")
    if same_date and names >= 0.97 and a.village == b.village:
        return Pair(lo.id, hi.id, round(score, 4), True, "same_name_date_village")
    if names >= 0.85:
        return Pair(lo.id, hi.id, round(score, 4), False, "candidate")
    return None


def _blocks(record: Record) -> Iterator[tuple[object, ...]]:
    district = record.village.replace(".", "")[:6]
    if record.birth_date is not None:
        yield ("d", record.sex, record.birth_date, district)
        swapped = _swapped(record.birth_date)
        if swapped is not None:  # meet the other spelling of the date in its own block
            yield ("d", record.sex, min(record.birth_date, swapped), district, "swap")
    if len(record.nik) == 16:
        yield ("n", record.nik[:12])
        yield ("x", record.nik)


MAX_BLOCK = 300  # a block this large is a data problem (one NIK prefix for hundreds of rows)


def block_dates(birth_date: date | None) -> list[date]:
    """The birth dates whose records share a date block with a record born on ``birth_date``:
    the date itself and, when it can be read the other way round, day and month swapped."""
    if birth_date is None:
        return []
    swapped = _swapped(birth_date)
    return [birth_date] if swapped is None else [birth_date, swapped]


def _blocked(records: Iterable[Record]) -> dict[tuple[object, ...], list[Record]]:
    blocks: dict[tuple[object, ...], list[Record]] = defaultdict(list)
    for record in records:
        for key in _blocks(record):
            blocks[key].append(record)
    return blocks


def _pairs(
    blocks: Iterable[list[Record]], include_candidates: bool, new: frozenset[str] | None
) -> list[Pair]:
    """Score every pair of a block (with ``new``, only pairs with at least one of those ids)."""
    seen: dict[tuple[str, str], Pair] = {}
    for members in blocks:
        if len(members) < 2:
            continue
        members = members[:MAX_BLOCK]
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if a.id == b.id or (new is not None and a.id not in new and b.id not in new):
                    continue
                key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
                if key in seen:
                    continue
                pair = score_pair(a, b)
                if pair is not None and (pair.confident or include_candidates):
                    seen[key] = pair
    return sorted(seen.values(), key=lambda p: (p.id_a, p.id_b))


def find_pairs(records: Iterable[Record], *, include_candidates: bool = False) -> list[Pair]:
    """All confident pairs (and with ``include_candidates`` the weaker ones), each once."""
    return _pairs(_blocked(records).values(), include_candidates, None)


def find_pairs_against(
    new: Iterable[Record], existing: Iterable[Record], *, include_candidates: bool = False
) -> list[Pair]:
    """The pairs of ``find_pairs(new + existing)`` that involve at least one new record.

    ``existing`` need only hold the records that share a block with a new one (the caller
    fetches those by index), which is what keeps a small import's check small however large
    the registry. A record in both is taken as new. Blocks keep the stored records first, so a
    block over ``MAX_BLOCK`` is cut as the full scan cuts it when stored rows come first.
    """
    new = list(new)
    ids = frozenset(r.id for r in new)
    blocks = _blocked([*(r for r in existing if r.id not in ids), *new])
    return _pairs(
        (m for m in blocks.values() if any(r.id in ids for r in m)), include_candidates, ids
    )
