"""Regions name the places the task inbox's items concern (core.inbox); nothing waits here.

The names are kept per process: the inbox page asks for the same few dozen codes on every
request, for names that change only when a decree's regions are loaded. (The look-up itself is
an index probe since ``wilayah 0003``; before, it read the whole region table, 8-17 ms. What is
saved now is a statement and its round trip on every inbox request.) A name is kept at most
``NAMES_SECONDS``, so a load shows within that time; a code without a region is asked again
each time (it may be added).
"""

from __future__ import annotations

import time

from sinergi.core.inbox import area_namer
from sinergi.wilayah.selectors import region_names

NAMES_SECONDS = 600.0
# Enough for every code a national inbox names; past it the kept names start over.
NAMES_KEPT = 20_000

_names: dict[str, str] = {}
_since = time.monotonic()


@area_namer
def inbox_region_names(codes: list[str]) -> dict[str, str]:
    global _since
    now = time.monotonic()
    if now - _since > NAMES_SECONDS or len(_names) > NAMES_KEPT:
        _names.clear()
        _since = now
    missing = [code for code in codes if code not in _names]
    if missing:
        _names.update(region_names(missing))
    return {code: _names[code] for code in codes if code in _names}
