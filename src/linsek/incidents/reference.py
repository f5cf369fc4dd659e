"""Reference data for checking and routing reports, read from the database and kept a short while in memory.

The intake lanes check thousands of reports a second against TPS codes, the regency's extent and the
organisation directory; these change rarely (an import), so each process keeps them for
``REFERENCE_TTL`` seconds. A TPS is looked up by code on first use (a national table does not fit
comfortably in every worker); villages for locating a bare point, and the directory, load whole.
"""

from __future__ import annotations

import difflib
import threading
import time
from dataclasses import dataclass
from typing import Any

from linsek.core.geo import BBox, geojson_bbox, haversine_m, point_in_geometry
from linsek.incidents.routing import Directory, Org
from linsek.incidents.submission import RegionRef, TpsRef

REFERENCE_TTL = 60.0
EXTENT_MARGIN_DEG = 0.05  # ~5.5 km around the outermost village/TPS when a regency has no boundary polygon
LOCATE_MAX_M = 25_000.0  # a bare point farther than this from every village centroid is outside the area


@dataclass(frozen=True, slots=True)
class _Village:
    ref: RegionRef
    lat: float
    lon: float


class DbGazetteer:
    """The :class:`~linsek.incidents.submission.Gazetteer` over the regions tables, thread-safe, cached."""

    def __init__(self, ttl: float = REFERENCE_TTL) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._tps: dict[str, tuple[float, TpsRef | None]] = {}
        self._regions: dict[str, tuple[float, RegionRef | None]] = {}
        self._villages: tuple[float, list[_Village]] | None = None
        self._extents: dict[int, tuple[float, Any]] = {}

    def clear(self) -> None:
        with self._lock:
            self._tps.clear()
            self._regions.clear()
            self._villages = None
            self._extents.clear()

    # -- TPS and regions by code --
    def prefetch_tps(self, codes: list[str]) -> None:
        """Load many TPS in one query (a batch of reports), so that ``tps()`` hits the cache."""
        from linsek.regions.models import PollingStation

        now = time.monotonic()
        missing = [c for c in dict.fromkeys(codes) if c not in self._tps or now - self._tps[c][0] > self.ttl]
        if not missing:
            return
        found: dict[str, TpsRef] = {}
        for i in range(0, len(missing), 500):
            for row in PollingStation.objects.filter(code__in=missing[i : i + 500]).values_list(
                "id", "code", "village_id", "district_id", "regency_id", "province_id", "lat", "lon", "voters_total"
            ):
                found[row[1]] = TpsRef(*row)
        with self._lock:
            for code in missing:
                self._tps[code] = (now, found.get(code))

    def tps(self, code: str) -> TpsRef | None:
        hit = self._tps.get(code)
        if hit is None or time.monotonic() - hit[0] > self.ttl:
            self.prefetch_tps([code])
            hit = self._tps[code]
        return hit[1]

    def region(self, code: str) -> RegionRef | None:
        hit = self._regions.get(code)
        if hit is not None and time.monotonic() - hit[0] <= self.ttl:
            return hit[1]
        from linsek.regions.models import Region

        ref: RegionRef | None = None
        region = Region.objects.filter(code=code).values("id", "code", "level", "voters_total").first()
        if region is not None:
            chain = {region["level"]: region["id"]}
            parts = code.split(".")
            ancestors = [".".join(parts[:n]) for n in range(1, len(parts))]
            for row in Region.objects.filter(code__in=ancestors).values("id", "level"):
                chain[row["level"]] = row["id"]
            ref = RegionRef(
                region["id"],
                code,
                region["level"],
                chain.get("village"),
                chain.get("district"),
                chain.get("regency"),
                chain.get("province"),
                region["voters_total"],
            )
        with self._lock:
            self._regions[code] = (time.monotonic(), ref)
        return ref

    # -- places from points --
    def _village_list(self) -> list[_Village]:
        now = time.monotonic()
        if self._villages is not None and now - self._villages[0] <= self.ttl:
            return self._villages[1]
        from linsek.regions.models import Region

        villages: list[_Village] = []
        rows = Region.objects.filter(level="village", lat__isnull=False, lon__isnull=False).values_list(
            "id", "code", "lat", "lon", "voters_total", "parent_id", "parent__parent_id", "parent__parent__parent_id"
        )
        for vid, code, lat, lon, voters, district, regency, province in rows:
            if lat is None or lon is None:
                continue
            villages.append(
                _Village(RegionRef(vid, code, "village", vid, district, regency, province, voters), lat, lon)
            )
        with self._lock:
            self._villages = (now, villages)
        return villages

    def locate(self, lat: float, lon: float) -> RegionRef | None:
        """The village whose centroid is nearest, if the point lies within that village's regency."""
        best: _Village | None = None
        best_d = LOCATE_MAX_M
        for v in self._village_list():
            if abs(v.lat - lat) > 0.3 or abs(v.lon - lon) > 0.3:
                continue
            d = haversine_m(lat, lon, v.lat, v.lon)
            if d < best_d:
                best, best_d = v, d
        if best is None or best.ref.regency_id is None:
            return None
        return best.ref if self.inside_regency(best.ref.regency_id, lat, lon) else None

    def _extent(self, regency_id: int) -> Any:
        hit = self._extents.get(regency_id)
        if hit is not None and time.monotonic() - hit[0] <= self.ttl:
            return hit[1]
        import json

        from linsek.regions.models import PollingStation, Region

        extent: Any = None
        boundary = Region.objects.filter(id=regency_id).values_list("boundary", flat=True).first() or ""
        if boundary.strip():
            try:
                geometry = json.loads(boundary)
                geometry = geometry.get("geometry", geometry)
                if geometry.get("type") in ("Polygon", "MultiPolygon"):
                    extent = ("polygon", geometry, geojson_bbox(geometry))
            except (ValueError, AttributeError):
                extent = None
        if extent is None:
            points: list[tuple[float, float]] = [
                (lat, lon)
                for lat, lon in PollingStation.objects.filter(regency_id=regency_id, lat__isnull=False).values_list(
                    "lat", "lon"
                )
                if lat is not None and lon is not None
            ]
            points += [(v.lat, v.lon) for v in self._village_list() if v.ref.regency_id == regency_id]
            if points:
                lats = [p[0] for p in points]
                lons = [p[1] for p in points]
                extent = ("box", BBox(min(lons), min(lats), max(lons), max(lats)).expanded(EXTENT_MARGIN_DEG), None)
        with self._lock:
            self._extents[regency_id] = (time.monotonic(), extent)
        return extent

    def inside_regency(self, regency_id: int, lat: float, lon: float) -> bool:
        extent = self._extent(regency_id)
        if extent is None:
            return True  # nothing known about the regency's extent: cannot refuse
        if extent[0] == "polygon":
            # The coarse boundary may clip the coast: accept points just outside it (islands, piers).
            return point_in_geometry(lat, lon, extent[1]) or (
                extent[2] is not None and extent[2].expanded(0.01).contains(lat, lon)
            )
        box: BBox = extent[1]
        return box.contains(lat, lon)

    def suggest(self, code: str) -> list[str]:
        """Up to three known codes closest to an unknown one, from the longest prefix that exists."""
        from linsek.regions.models import PollingStation, Region

        parts = code.split(".")
        for n in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:n]) + "."
            candidates = list(
                PollingStation.objects.filter(code__startswith=prefix).values_list("code", flat=True)[:2000]
            )
            candidates += list(Region.objects.filter(code__startswith=prefix).values_list("code", flat=True)[:2000])
            if candidates:
                return difflib.get_close_matches(code, candidates, n=3, cutoff=0.5) or sorted(candidates)[:3]
        return []


class DirectoryCache:
    """The organisation directory for routing and escalation, rebuilt every ``ttl`` seconds."""

    def __init__(self, ttl: float = REFERENCE_TTL) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._value: tuple[float, Directory] | None = None

    def clear(self) -> None:
        self._value = None

    def get(self) -> Directory:
        value = self._value
        if value is not None and time.monotonic() - value[0] <= self.ttl:
            return value[1]
        from linsek.agencies.models import Organisation, OrganisationType

        regions: dict[int, set[int]] = {}
        for org_id, region_id in Organisation.jurisdiction.through.objects.filter(
            organisation__active=True
        ).values_list("organisation_id", "region_id"):
            regions.setdefault(org_id, set()).add(region_id)
        orgs = [
            Org(oid, code, name, type_id, parent_id, frozenset(regions.get(oid, ())))
            for oid, code, name, type_id, parent_id in Organisation.objects.filter(active=True).values_list(
                "id", "code", "name", "type_id", "parent_id"
            )
        ]
        parents = {}
        names = {}
        for code, name, parent_types in OrganisationType.objects.values_list("code", "name_id", "parent_types"):
            parents[code] = tuple(parent_types or ())
            names[code] = name
        directory = Directory.build(orgs, parents, names)
        with self._lock:
            self._value = (time.monotonic(), directory)
        return directory


GAZETTEER = DbGazetteer()
DIRECTORY = DirectoryCache()


def reference_clear() -> None:
    """Forget cached reference data (after an import; tests)."""
    from linsek.incidents.rules import rules_cache_clear

    GAZETTEER.clear()
    DIRECTORY.clear()
    rules_cache_clear()
