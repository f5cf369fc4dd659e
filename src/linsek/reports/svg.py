"""Charts and the small map of the situation report as SVG, drawn on the server from plain numbers.

Pure functions, no ORM and no JavaScript: the same markup goes into the web page, the PDF (WeasyPrint draws
SVG) and the frozen report. Only presentation attributes are used (no ``style``), so the strict Content
Security Policy of the pages holds; every text is XML-escaped.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

INK = "#1b2330"
SOFT = "#6b7687"
LINE = "#d8dde5"
BAR = "#1d5fa8"
BAR_PREV = "#aac4e4"
FONT = "DejaVu Sans, Arial, sans-serif"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" font-family="{FONT}" font-size="11">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bar_chart(points: Sequence[tuple[str, int]], *, title: str, highlight_last: bool = True) -> str:
    """Vertical bars (e.g. reports per day), labels under the bars, values above."""
    width, height, left, bottom, top = 560, 200, 34, 28, 18
    n = max(1, len(points))
    top_value = max([v for _, v in points] + [1])
    scale = (height - bottom - top) / top_value
    step = (width - left - 8) / n
    bar = max(4.0, step * 0.65)
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - 4}" y2="{height - bottom}" stroke="{LINE}"/>']
    for tick in _ticks(top_value):
        y = height - bottom - tick * scale
        body.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{width - 4}" y2="{_num(y)}" stroke="{LINE}" stroke-dasharray="2 3"/>'
        )
        body.append(f'<text x="{left - 4}" y="{_num(y + 4)}" text-anchor="end" fill="{SOFT}">{tick}</text>')
    for i, (label, value) in enumerate(points):
        x = left + i * step + (step - bar) / 2
        h = value * scale
        colour = BAR if (i == n - 1 or not highlight_last) else BAR_PREV
        body.append(
            f'<rect x="{_num(x)}" y="{_num(height - bottom - h)}" width="{_num(bar)}" height="{_num(h)}" '
            f'fill="{colour}"/>'
        )
        body.append(
            f'<text x="{_num(x + bar / 2)}" y="{_num(height - bottom - h - 4)}" text-anchor="middle" '
            f'fill="{INK}">{value}</text>'
        )
        body.append(
            f'<text x="{_num(x + bar / 2)}" y="{height - bottom + 14}" text-anchor="middle" '
            f'fill="{SOFT}">{escape(label)}</text>'
        )
    return _svg(width, height, body, title)


def hbar_chart(rows: Sequence[tuple[str, int, int]], *, title: str, legend: tuple[str, str] = ("", "")) -> str:
    """Horizontal bars per area: this period (dark) over the previous one (light)."""
    rows = list(rows)[:40]
    label_w, width, row_h, top = 150, 560, 18, 22
    height = top + row_h * max(1, len(rows)) + 8
    top_value = max([max(a, b) for _, a, b in rows] + [1])
    scale = (width - label_w - 40) / top_value
    body: list[str] = []
    if legend[0]:
        body.append(
            f'<rect x="{label_w}" y="4" width="10" height="10" fill="{BAR}"/>'
            f'<text x="{label_w + 14}" y="13" fill="{INK}">{escape(legend[0])}</text>'
        )
        body.append(
            f'<rect x="{label_w + 140}" y="4" width="10" height="10" fill="{BAR_PREV}"/>'
            f'<text x="{label_w + 154}" y="13" fill="{INK}">{escape(legend[1])}</text>'
        )
    for i, (label, value, previous) in enumerate(rows):
        y = top + i * row_h
        body.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end" fill="{INK}">{escape(label[:24])}</text>')
        body.append(f'<rect x="{label_w}" y="{y + 9}" width="{_num(previous * scale)}" height="5" fill="{BAR_PREV}"/>')
        body.append(f'<rect x="{label_w}" y="{y + 2}" width="{_num(value * scale)}" height="8" fill="{BAR}"/>')
        body.append(
            f'<text x="{_num(label_w + max(value, previous) * scale + 4)}" y="{y + 12}" fill="{INK}">{value}</text>'
        )
    return _svg(width, height, body, title)


@dataclass(frozen=True, slots=True)
class MapArea:
    code: str
    name: str
    lat: float | None
    lon: float | None
    boundary: str  # GeoJSON geometry text, may be empty
    colour: str
    value: int


def _rings(geometry: dict[str, object]) -> list[list[tuple[float, float]]]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    polys: list[object] = []
    if kind == "Polygon":
        polys = [coords]
    elif kind == "MultiPolygon" and isinstance(coords, list):
        polys = list(coords)
    elif kind == "Feature" and isinstance(geometry.get("geometry"), dict):
        return _rings(geometry["geometry"])  # type: ignore[arg-type]
    out = []
    for poly in polys:
        if isinstance(poly, list) and poly:
            ring = poly[0]
            if isinstance(ring, list):
                out.append([(float(p[0]), float(p[1])) for p in ring if isinstance(p, list | tuple) and len(p) >= 2])
    return out


def _thin(ring: list[tuple[float, float]], max_points: int = 240) -> list[tuple[float, float]]:
    if len(ring) <= max_points:
        return ring
    step = math.ceil(len(ring) / max_points)
    return [*ring[::step], ring[-1]]


def area_map(areas: Sequence[MapArea], *, title: str, legend: Sequence[tuple[str, str]] = ()) -> str:
    """The child areas as outlines (or dots at their centroid) filled by status, with their report counts."""
    shapes: list[tuple[MapArea, list[list[tuple[float, float]]]]] = []
    for a in areas:
        rings: list[list[tuple[float, float]]] = []
        if a.boundary:
            try:
                rings = [_thin(r) for r in _rings(json.loads(a.boundary))]
            except (ValueError, TypeError, KeyError):
                rings = []
        shapes.append((a, rings))
    xs = [x for _, rings in shapes for r in rings for x, _ in r] + [a.lon for a in areas if a.lon is not None]
    ys = [y for _, rings in shapes for r in rings for _, y in r] + [a.lat for a in areas if a.lat is not None]
    width, height, pad = 560, 360, 14
    if not xs or not ys:
        return _svg(width, 40, [f'<text x="8" y="24" fill="{SOFT}">—</text>'], title)
    west, east, south, north = min(xs), max(xs), min(ys), max(ys)
    kx = math.cos(math.radians((north + south) / 2))
    span_x = max((east - west) * kx, 1e-6)
    span_y = max(north - south, 1e-6)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad - 24) / span_y)
    used_h = span_y * scale + 2 * pad + 24
    height = int(min(height, max(120, used_h)))

    def px(lon: float, lat: float) -> tuple[float, float]:
        return pad + (lon - west) * kx * scale, pad + (north - lat) * scale

    body: list[str] = []
    for a, rings in shapes:
        label = f"{a.name}: {a.value}"
        if rings:
            d = " ".join(
                "M" + " L".join(f"{_num(px(x, y)[0])},{_num(px(x, y)[1])}" for x, y in ring) + " Z" for ring in rings
            )
            body.append(
                f'<path d="{d}" fill="{a.colour}" fill-opacity="0.55" stroke="#ffffff" stroke-width="1">'
                f"<title>{escape(label)}</title></path>"
            )
    for a, rings in shapes:
        if a.lat is None or a.lon is None:
            continue
        x, y = px(a.lon, a.lat)
        if rings:
            body.append(
                f'<text x="{_num(x)}" y="{_num(y + 3)}" text-anchor="middle" fill="{INK}" font-size="9">'
                f"{escape(a.name[:14])} {a.value}</text>"
            )
        else:  # no outline imported: a dot at the centroid, labelled beside it
            body.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="7" fill="{a.colour}" stroke="#ffffff">'
                f"<title>{escape(a.name)}</title></circle>"
                f'<text x="{_num(x + 10)}" y="{_num(y + 4)}" fill="{INK}" font-size="10">'
                f"{escape(a.name[:18])} {a.value}</text>"
            )
    for i, (colour, text) in enumerate(legend):
        x = pad + i * 120
        body.append(
            f'<rect x="{x}" y="{height - 16}" width="10" height="10" fill="{colour}" fill-opacity="0.55"/>'
            f'<text x="{x + 14}" y="{height - 7}" fill="{INK}">{escape(text)}</text>'
        )
    return _svg(width, height, body, title)


def _ticks(top: int) -> list[int]:
    if top <= 5:
        return list(range(1, top + 1))
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(int(step), top + 1, int(step)))
