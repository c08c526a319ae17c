"""Maps drawn on the server as SVG: no map library, no tiles, nothing fetched from outside.

Each region is one ``<path>`` inside a link to its dashboard, so the map works without
JavaScript, on a weak connection and in print. Coordinates are projected equirectangularly
(Indonesia straddles the equator, so the distortion is small) and snapped to whole pixels of
the view, which drops the points a screen could not show.
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
# How far (in pixels of the view) a coast may move when its points are thinned: under one pixel
# of a 1,000-pixel map, so no change a screen shows, and the national map's data falls to a
# third (it was 109 kB of the dashboard's 142 kB, sent on every visit over weak connections).
TOLERANCE = 0.6


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


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker: a subsequence of ``points`` (first and last kept) such that every
    dropped point lies within ``tolerance`` of the segment between the kept points around it.
    A ring's last point repeats its first, so a span may start and end at one point."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    spans = [(0, len(points) - 1)]
    while spans:
        first, last = spans.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        squared = dx * dx + dy * dy
        far, far_distance = -1, tolerance
        for i in range(first + 1, last):
            px, py = points[i]
            # To the segment, not its line: a point past either end is as far as that end.
            t = min(1.0, max(0.0, ((px - ax) * dx + (py - ay) * dy) / squared)) if squared else 0.0
            distance = math.hypot(ax + t * dx - px, ay + t * dy - py)
            if distance > far_distance:
                far, far_distance = i, distance
        if far > 0:
            keep[far] = True
            spans += [(first, far), (far, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def ring_path(points: list[tuple[int, int]]) -> str:
    """A closed ring as SVG path data: an absolute start (after a ``z`` a relative ``m`` would
    count from the previous ring's start) then relative ``l`` steps, a few characters each where
    absolute ``L512 384`` are eight."""
    (x0, y0), rest = points[0], points[1:]
    steps = []
    px, py = x0, y0
    for x, y in rest:
        steps.append(f"{x - px} {y - py}")
        px, py = x, y
    return f"M{x0} {y0}l" + " ".join(steps) + "z"


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
                projected = [
                    (PAD + (lon - west) * squash * scale, PAD + (north - lat) * scale)
                    for lon, lat in ring
                ]
                points: list[tuple[int, int]] = []
                for x, y in simplify(projected, TOLERANCE):
                    xy = (round(x), round(y))
                    if not points or points[-1] != xy:
                        points.append(xy)
                if len(set(points)) < 3:
                    continue  # smaller than a pixel at this scale
                parts.append(ring_path(points))
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
