"""Maps drawn on the server as SVG: no map library, no tiles, nothing fetched from outside.

Each region is one ``<path>`` inside a link to its dashboard, so the map works without
JavaScript, on a weak connection and in print. Coordinates are projected equirectangularly
(Indonesia straddles the equator, so the distortion is small) and snapped to whole pixels of
the view, which drops the points a screen could not show: the national map is ~60 kB.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
WIDTH = 1000.0


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    d: str  # SVG path data


@dataclass(frozen=True)
class Outline:
    shapes: tuple[Shape, ...]
    width: int
    height: int


@lru_cache(maxsize=2)
def _features(level: str) -> tuple[dict[str, Any], ...]:
    with gzip.open(DATA / f"{level}.geojson.gz", "rt", encoding="utf-8") as fh:
        return tuple(json.load(fh)["features"])


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


@lru_cache(maxsize=64)
def outline(province: str = "") -> Outline:
    """Provinces of Indonesia, or with ``province`` the regencies of that province."""
    if province:
        features = [
            f for f in _features("regencies") if f["properties"]["province_code"] == province
        ]
    else:
        features = list(_features("provinces"))
    if not features:
        return Outline((), int(WIDTH), 1)
    rings = [ring for f in features for poly in _polygons(f["geometry"]) for ring in poly]
    lons = [p[0] for ring in rings for p in ring]
    lats = [p[1] for ring in rings for p in ring]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    squash = math.cos(math.radians((north + south) / 2))
    span_x = max((east - west) * squash, 1e-6)
    scale = WIDTH / span_x
    height = max(1, round((north - south) * scale))
    shapes = []
    for feature in features:
        parts = []
        for poly in _polygons(feature["geometry"]):
            for ring in poly:
                points: list[tuple[int, int]] = []
                for lon, lat in ring:
                    xy = (round((lon - west) * squash * scale), round((north - lat) * scale))
                    if not points or points[-1] != xy:
                        points.append(xy)
                if len(set(points)) < 3:
                    continue  # smaller than a pixel at this scale
                head = f"M{points[0][0]} {points[0][1]}"
                parts.append(head + "".join(f"L{x} {y}" for x, y in points[1:]) + "Z")
        props = feature["properties"]
        shapes.append(Shape(props["code"], props["name"], "".join(parts)))
    return Outline(tuple(shapes), int(WIDTH), height)


PALETTE = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
EMPTY = "#e9ecef"


def colour_scale(values: dict[str, float]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Five classes of equal width from the smallest non-zero value to the largest; zero and
    missing regions stay grey. Returns the colour per code and the legend (colour, range)."""
    positive = [v for v in values.values() if v > 0]
    if not positive:
        return {}, []
    low, high = min(positive), max(positive)
    step = (high - low) / len(PALETTE) or 1.0
    colours = {
        code: PALETTE[min(len(PALETTE) - 1, int((value - low) / step))]
        for code, value in values.items()
        if value > 0
    }
    legend = []
    for i, colour in enumerate(PALETTE):
        a, b = low + i * step, low + (i + 1) * step
        legend.append((colour, f"{a:,.0f} – {b:,.0f}"))
        if high == low:
            break
    return colours, legend
