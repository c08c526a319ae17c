"""Regions name the places the task inbox's items concern (core.inbox); nothing waits here."""

from __future__ import annotations

from sinergi.core.inbox import area_namer
from sinergi.wilayah.selectors import region_names

area_namer(region_names)
