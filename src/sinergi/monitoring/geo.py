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

from sinergi.core.numbers import format_number

DATA = Path(__file__).resolve().parent / "data"
WIDTH = 1000.0
# Room around the shapes so the outermost coasts and their outline stroke stay in the frame.
PAD = 6


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
    # The projected bounds fit the view's width less the padding on both sides.
    scale = (WIDTH - 2 * PAD) / span_x
    height = max(1, round((north - south) * scale)) + 2 * PAD
    shapes = []
    for feature in features:
        parts = []
        for poly in _polygons(feature["geometry"]):
            for ring in poly:
                points: list[tuple[int, int]] = []
                for lon, lat in ring:
                    xy = (
                        PAD + round((lon - west) * squash * scale),
                        PAD + round((north - lat) * scale),
                    )
                    if not points or points[-1] != xy:
                        points.append(xy)
                if len(set(points)) < 3:
                    continue  # smaller than a pixel at this scale
                head = f"M{points[0][0]} {points[0][1]}"
                parts.append(head + "".join(f"L{x} {y}" for x, y in points[1:]) + "Z")
        props = feature["properties"]
        shapes.append(Shape(props["code"], props["name"], "".join(parts)))
    return Outline(tuple(shapes), int(WIDTH), height)


# Five greens a step apart in lightness (ColorBrewer YlGn, lightest dropped), so neighbouring
# classes differ visibly; regions without a figure are a neutral grey, not the palest green.
PALETTE = ("#c2e699", "#78c679", "#31a354", "#006837", "#00361a")
EMPTY = "#d5d9de"


def _classes(values: list[float]) -> list[tuple[float, float]]:
    """Up to five (low, high) classes holding about as many regions each (quantiles): with a few
    large regions, equal-width classes would paint every other one the same colour."""
    ordered = sorted(set(values))
    k = min(len(PALETTE), len(ordered))
    bounds = [ordered[min(len(ordered) - 1, (i * len(ordered)) // k)] for i in range(k)]
    out = []
    for i, low in enumerate(bounds):
        higher = [v for v in ordered if v >= low and (i + 1 == k or v < bounds[i + 1])]
        out.append((low, higher[-1]))
    return out


def colour_scale(values: dict[str, float]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Colour per code and the legend (colour, value range as people read numbers); zero and
    missing regions stay grey."""
    positive = [v for v in values.values() if v > 0]
    if not positive:
        return {}, []
    classes = _classes(positive)
    colours = {}
    for code, value in values.items():
        if value > 0:
            index = next(i for i, (_low, high) in enumerate(classes) if value <= high)
            colours[code] = PALETTE[index]
    legend = [
        (
            PALETTE[i],
            format_number(low)
            if round(low) == round(high)
            else f"{format_number(low)} – {format_number(high)}",
        )
        for i, (low, high) in enumerate(classes)
    ]
    return colours, legend
