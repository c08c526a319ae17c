"""What the search box can find, registered by the app that owns each kind of record.

Each domain app declares its kinds in ``<app>/search.py`` (``SearchConfig.ready`` loads those
modules, as ``core`` does for ``inbox``), so the search app names no domain app and each app
keeps its own scope rule::

    from sinergi.search import providers

    @providers.provider("kube", label=_("KUBE"), order=30, allowed=lambda a: a.has_perm(...))
    def groups(actor, query, *, limit):
        return [providers.Hit(...) for row in ranking.by_name(selectors.kube_list(...), ...)]

A provider reads through its app's selectors (area, party and role rules), returns at most
``limit + 1`` hits best first (the extra one tells the page there are more) and never returns
a full NIK or KK number, a decile or an income. ``more`` gives the address of the module's own
list filtered by the query, when it has one. A provider of full numbers (``number=``) is
called only with a whole 16-digit NIK or KK that came in a POST body, and logs the read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from sinergi.core.errors import InvalidInput

# A query is a name, a code or an order number, not a text: longer is refused, and only so
# many words are matched (each word is one more index condition).
MIN_LENGTH = 2
MAX_LENGTH = 100
MAX_WORDS = 6
# Hits per kind: on the results page, in the drop-down as a person types, and at most (one
# kind on its own, or the API's ``limit``).
PER_KIND = 5
SUGGEST_PER_KIND = 3
MAX_PER_KIND = 50
# More digits than any region code (10) in a query: a NIK or KK, whole or in part. Part of a
# number is never searched, and a whole one only from a POST body.
NUMBER_DIGITS = 11

_SPACES = re.compile(r"\s+")
_ORDER_NUMBER = re.compile(r"^(?:#|no\.?\s*|nomor\s*|pesanan\s*#?|order\s*#?)?(\d{1,9})$", re.I)


@dataclass(frozen=True)
class Query:
    """What a person typed, cleaned: ``text`` as typed (spaces collapsed), ``folded`` in lower
    case without accents, ``words`` the first :data:`MAX_WORDS` words of it."""

    text: str
    folded: str
    words: tuple[str, ...]
    # Whether similar spellings are looked for when the name as typed is nowhere: not while a
    # person is still typing (the drop-down), where the next letter usually settles it, nor
    # once another kind of the same search found the name as typed (it is not a typo).
    similar: bool = True

    @property
    def order_number(self) -> int | None:
        """The order number the text names ("12", "#12", "pesanan 12"), if it is one."""
        found = _ORDER_NUMBER.match(self.text)
        return int(found.group(1)) if found else None

    @property
    def digits(self) -> str:
        return "".join(ch for ch in self.text if ch.isdigit())


def fold(text: str) -> str:
    """Lower case without accents: "Ñoman" and "noman" are typed the same on a phone."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def looks_like_number(text: str) -> bool:
    """Digits (with the usual separators) long enough to be a NIK or KK, whole or in part."""
    return digit_count(text) >= NUMBER_DIGITS and not re.search(r"[^\d\s.\-/]", text)


def parse(raw: str) -> Query:
    """The query from a search box, or a refusal saying what to type instead.

    A 16-digit number (a NIK or KK) is refused here: numbers are searched only by POST
    (:func:`parse_number`), so they never reach a web address, a log or the browser history;
    part of one is refused too, since a number is never matched by a part.
    """
    text = _SPACES.sub(" ", (raw or "").replace("\x00", "")).strip()
    if len(text) > MAX_LENGTH:
        raise InvalidInput(
            _("Type at most %(n)s characters: a name, a code or an order number.")
            % {"n": MAX_LENGTH},
            field="q",
        )
    if looks_like_number(text):
        if digit_count(text) == 16:
            raise InvalidInput(
                _(
                    "A full NIK or KK number is searched privately, never in a web address: "
                    "use the number search (it sends the number in the form, not the address)."
                ),
                field="q",
            )
        raise InvalidInput(
            _(
                "NIK and KK numbers are searched whole (all 16 digits) with the number search, "
                "never by part of the number."
            ),
            field="q",
        )
    if len(text) < MIN_LENGTH:
        raise InvalidInput(
            _("Type at least %(n)s characters to search.") % {"n": MIN_LENGTH}, field="q"
        )
    folded = fold(text)
    return Query(text=text, folded=folded, words=tuple(folded.split()[:MAX_WORDS]))


def parse_number(raw: str) -> str:
    """The 16 digits of a NIK or KK typed with or without separators, or a refusal."""
    text = (raw or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(text) > 40 or re.search(r"[^\d\s.\-/]", text) or len(digits) != 16:
        raise InvalidInput(
            _("Type the whole NIK or KK number: 16 digits (spaces or dots may separate them)."),
            field="number",
        )
    return digits


@dataclass(frozen=True)
class Hit:
    """One record found: what the person reads (``title``, ``detail``) and where it opens.

    ``rank`` orders hits of one kind: 0 the whole name, 1 the start of the name, 2 the start
    of a word in it, 3 every word somewhere in it, 4 a similar spelling (a typo)."""

    kind: str
    title: str
    url: str
    detail: str = ""
    rank: int = 0


Search = Callable[..., Sequence[Hit]]
NumberSearch = Callable[..., Sequence[Hit]]


@dataclass
class Kind:
    code: str
    label: str | Promise
    order: int
    allowed: Callable[[Any], bool]
    searches: list[Search] = field(default_factory=list)
    numbers: list[NumberSearch] = field(default_factory=list)
    more: Callable[[Any, Query], str | None] | None = None
    # Searched after the kinds of a lower value (see :func:`provider`).
    late: int = 0

    def more_url(self, actor: Any, query: Query) -> str | None:
        return self.more(actor, query) if self.more is not None else None


_KINDS: dict[str, Kind] = {}


def _kind(
    code: str,
    label: str | Promise,
    order: int,
    allowed: Callable[[Any], bool],
    more: Callable[[Any, Query], str | None] | None,
    late: int = 0,
) -> Kind:
    known = _KINDS.get(code)
    if known is None:
        known = _KINDS[code] = Kind(code, label, order, allowed, more=more, late=late)
    else:
        known.late = max(known.late, late)
        # A second app adds a way to the same kind (the mentoring pages' groups for partners
        # who may not open the KUBE pages): who may search it is either app's rule.
        first = known.allowed
        known.allowed = lambda actor: first(actor) or allowed(actor)
        known.more = known.more or more
    return known


def provider(
    code: str,
    *,
    label: str | Promise,
    order: int,
    allowed: Callable[[Any], bool],
    more: Callable[[Any, Query], str | None] | None = None,
    late: int = 0,
) -> Callable[[Search], Search]:
    """Register ``fn(actor, query, *, limit) -> [Hit]`` as a search of kind ``code``.

    ``allowed(actor)`` says whether the kind is offered to the actor at all (its box on the
    results page, a refusal when asked for by name); ``order`` places it on the page. The kinds
    are searched by ascending ``late`` (then page order), whatever their place on the page:
    once a kind has found the name as typed, the kinds after it do not look for similar
    spellings (``Query.similar``), and on a national-size table (persons, households) that
    look-up is the dearest part of a search, so those kinds come last."""

    def register(fn: Search) -> Search:
        kind = _kind(code, label, order, allowed, more, late)
        if fn not in kind.searches:
            kind.searches.append(fn)
        return fn

    return register


def number_provider(
    code: str, *, label: str | Promise, order: int, allowed: Callable[[Any], bool]
) -> Callable[[NumberSearch], NumberSearch]:
    """Register ``fn(actor, digits, *, limit) -> [Hit]``: the records of kind ``code`` that a
    whole NIK or KK (``digits``, 16 of them, from a POST body) names. It logs the read."""

    def register(fn: NumberSearch) -> NumberSearch:
        kind = _kind(code, label, order, allowed, None)
        if fn not in kind.numbers:
            kind.numbers.append(fn)
        return fn

    return register


def kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.code))


def kinds_for(actor: Any) -> list[Kind]:
    """The kinds the actor may search, in page order."""
    return [k for k in kinds() if k.searches and k.allowed(actor)]


def number_kinds_for(actor: Any) -> list[Kind]:
    """The kinds a whole NIK or KK finds for the actor (none for partner roles)."""
    return [k for k in kinds() if k.numbers and k.allowed(actor)]


def get(code: str) -> Kind | None:
    return _KINDS.get(code)
