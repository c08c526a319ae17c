"""Reads of the region hierarchy.

Regions are public reference data: every signed-in role may browse the whole country (a
facilitator needs the village codes of the next district too). Data *about people* in a region
is what gets scoped, through each module's own selectors.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sinergi.core.errors import InvalidInput, NotFound
from sinergi.core.scoping import area_q, user_area
from sinergi.engines import wilayah as engine
from sinergi.wilayah.models import Region

_CODE_CHARS = set("0123456789. -")


def parse_code(raw: str) -> str:
    """Normalise a code typed by a person, or raise InvalidInput saying what is wrong."""
    try:
        return engine.normalize_code(raw)
    except engine.RegionCodeError as exc:
        messages = {
            "empty": _("The region code is empty."),
            "not_digits": _("“%(code)s” is not a region code: use digits, optionally with dots."),
            "bad_format": _(
                "“%(code)s” is not a valid region code. Write it as 32, 32.73, 32.73.01 or "
                "32.73.01.1001 (or the same digits without dots)."
            ),
            "bad_length": _(
                "“%(code)s” has the wrong number of digits. A region code has 2 (province), "
                "4 (regency), 6 (district) or 10 (village) digits."
            ),
        }
        raise InvalidInput(messages[exc.reason] % {"code": raw[:40]}, field="code") from exc


def region_get(raw_code: str) -> Region:
    code = parse_code(raw_code)
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None:
        raise NotFound(
            _("There is no region with code %(code)s in the official list.") % {"code": code},
            field="code",
        )
    return region


def region_list(
    *, q: str = "", level: int | None = None, parent: str = "", include_retired: bool = False
) -> QuerySet[Region]:
    """Regions matching a name or code search, optionally one level or one parent's children.

    A query of digits and dots searches codes by prefix (``3273`` finds Kota Bandung and
    everything in it); anything else searches names, case-insensitively, word by word.
    """
    qs = Region.objects.all() if include_retired else Region.objects.current()
    if parent:
        qs = qs.filter(parent=region_get(parent))
    if level is not None:
        qs = qs.filter(level=level)
    q = q.strip()
    if q:
        if set(q) <= _CODE_CHARS and any(ch.isdigit() for ch in q):
            # Fixed-width segments make a plain prefix exact: "3273" -> "32.73" finds Kota
            # Bandung and all below it; an unfinished "327" -> "32.7" finds 32.71 to 32.79.
            qs = qs.filter(code__startswith=_dotted_prefix("".join(c for c in q if c.isdigit())))
        else:
            for word in q.split()[:5]:
                qs = qs.filter(name__icontains=word)
    return qs.select_related("parent__parent__parent").order_by("level", "code")


def area_from_text(*, actor: Any, text: str) -> str:
    """The region code a list filter means, typed as a code or as a name (one match, in the
    actor's area); several regions of that name are refused, naming them with their codes.

    Every list that filters by region (registry, KUBE, mentoring) reads its filter here, so a
    name works wherever a code does."""
    text = text.strip()
    if not text:
        return ""
    if set(text) <= set("0123456789. -"):
        return parse_code(text)
    found = list(region_list(q=text).filter(area_q("code", user_area(actor)))[:50])
    exact = [r for r in found if r.name.casefold() == text.casefold()]
    choices = exact or found
    if len(choices) == 1:
        return choices[0].code
    if not choices:
        raise InvalidInput(
            _("No region in your area is called “%(name)s”.") % {"name": text[:60]}, field="area"
        )
    named = "; ".join(f"{r.name} ({r.code})" for r in choices[:6])
    raise InvalidInput(
        _("Several regions match “%(name)s”: %(choices)s. Type the code of the one you mean.")
        % {"name": text[:60], "choices": named},
        field="area",
    )


def _dotted_prefix(digits: str) -> str:
    out, start = [], 0
    for size in (2, 2, 2, 4):
        part = digits[start : start + size]
        if not part:
            break
        out.append(part)
        start += size
    return ".".join(out)


def region_path(region: Region) -> list[Region]:
    """The region's ancestors from the province down, in one query."""
    codes = region.ancestor_codes()
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def region_names(codes: list[str]) -> dict[str, str]:
    """Region names by code, in one query; a code the list lacks is simply absent."""
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def region_in_user_area(region: Region, user: object) -> bool:
    return engine.in_area(region.code, user_area(user))
