"""Small geo helpers over plain floats (WGS84 degrees)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class BBox:
    """A lon/lat box: west, south, east, north."""

    west: float
    south: float
    east: float
    north: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    def expanded(self, degrees: float) -> BBox:
        return BBox(self.west - degrees, self.south - degrees, self.east + degrees, self.north + degrees)


# Indonesia's land and sea territory with a small margin: Sabang/Weh (~95.0E, 6.0N),
# Merauke (~141.0E), Rote/Ndana (~11.0S), Miangas (~5.6N, 126.6E).
INDONESIA = BBox(west=94.7, south=-11.2, east=141.1, north=6.2)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def geojson_bbox(geometry: dict[str, object]) -> BBox | None:
    """Bounding box of a GeoJSON Polygon or MultiPolygon geometry, or None if it has no points."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(node: object) -> None:
        if isinstance(node, list) and node and isinstance(node[0], (int, float)):
            xs.append(float(node[0]))
            ys.append(float(node[1]))
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(geometry.get("coordinates"))
    if not xs:
        return None
    return BBox(min(xs), min(ys), max(xs), max(ys))


def point_in_geometry(lat: float, lon: float, geometry: dict[str, object]) -> bool:
    """Whether a point lies inside a GeoJSON Polygon/MultiPolygon (even-odd rule, holes honoured)."""
    gtype = geometry.get("type")
    coords = geometry.get("coordinates")
    polygons: list[Any] = [coords] if gtype == "Polygon" else list(coords) if gtype == "MultiPolygon" else []  # type: ignore[call-overload]
    for polygon in polygons:
        inside = False
        for ring in polygon:  # the first ring is the shell, others are holes: even-odd handles both
            if _ring_contains(ring, lon, lat):
                inside = not inside
        if inside:
            return True
    return False


def _ring_contains(ring: list[list[float]], x: float, y: float) -> bool:
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / ((yj - yi) or 1e-300) + xi:
            inside = not inside
        j = i
    return inside
