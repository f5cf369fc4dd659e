"""A synthetic country of Indonesia's real size, written as registry import files (for benchmarks).

Real totals (shared/DOMAIN.md §2): 38 provinces, 514 regencies/cities, 7,277 kecamatan, 83,731 villages,
820,161 TPS, DPT 203,056,748 at home. At ``scale=1.0`` the files hold exactly these counts; ``scale`` shrinks
every level proportionally (at least one child per parent) for tests.

The province codes are the real ones and each province starts from its approximate real centre; the squares
given to provinces are then pushed apart until none overlap, and every lower level is laid out on a grid
inside its parent's square with a little jitter. So districts never overlap, villages sit inside their
district and TPS inside their village, and the map looks roughly like the archipelago. Names are made up.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from linsek.core.geo import INDONESIA

REAL = {"provinces": 38, "regencies": 514, "districts": 7_277, "villages": 83_731, "tps": 820_161}
VOTERS_TOTAL = 203_056_748
CITY_SHARE = 98 / 514  # 98 kota among 514 regencies/cities

REGION_HEADER = ["code", "name", "kind", "lat", "lon"]
TPS_HEADER = ["village_code", "number", "address", "voters_male", "voters_female", "voters_total", "lat", "lon"]

# Real province codes with an approximate centre (lat, lon), west to east.
PROVINCES: list[tuple[str, float, float]] = [
    ("11", 4.4, 96.9), ("12", 2.2, 99.1), ("13", -0.8, 100.6), ("14", 0.5, 101.8), ("15", -1.6, 103.0),
    ("16", -3.3, 104.2), ("17", -3.8, 102.3), ("18", -4.9, 105.2), ("19", -2.4, 106.4), ("21", 1.0, 104.5),
    ("31", -6.2, 106.8), ("32", -6.9, 107.6), ("33", -7.2, 110.1), ("34", -7.9, 110.4), ("35", -7.6, 112.7),
    ("36", -6.4, 106.1), ("51", -8.4, 115.2), ("52", -8.6, 117.4), ("53", -9.0, 121.0), ("61", -0.1, 111.1),
    ("62", -1.7, 113.4), ("63", -3.1, 115.3), ("64", 0.5, 116.4), ("65", 3.0, 116.2), ("71", 1.0, 124.5),
    ("72", -1.4, 121.4), ("73", -3.7, 120.0), ("74", -4.1, 122.2), ("75", 0.6, 122.4), ("76", -2.5, 119.2),
    ("81", -3.2, 129.5), ("82", 1.6, 127.8), ("91", -2.5, 140.0), ("92", -1.5, 133.5), ("93", -7.0, 139.5),
    ("94", -3.8, 136.5), ("95", -4.1, 138.9), ("96", -1.0, 131.5),
]  # fmt: skip

_HEADS = ["Suka", "Karang", "Sido", "Tanjung", "Sumber", "Banyu", "Kali", "Wono", "Mekar", "Jati", "Pasir", "Teluk"]
_TAILS = ["maju", "rejo", "mulyo", "sari", "harjo", "agung", "jaya", "makmur", "asri", "wangi", "luhur", "indah"]


def national_generate(*, out_dir: Path, seed: int = 2024, scale: float = 1.0) -> dict[str, Path]:
    """Write ``regions.csv`` and ``tps.csv`` (the import layouts) into ``out_dir``; returns their paths.

    Deterministic for a seed. Rows are written as they are made, so memory holds only the per-village
    counts and voter totals (a few MB at full size).
    """
    if not 0 < scale <= 1.0:
        raise ValueError("scale must be in (0, 1]")
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    counts = _level_counts(scale)
    n_prov = counts["provinces"]
    provinces = PROVINCES if n_prov == len(PROVINCES) else [PROVINCES[i] for i in _spread_pick(n_prov)]

    regencies_per_prov = _apportion(rng, counts["regencies"], n_prov, cap=99)
    districts_per_reg = _apportion(rng, counts["districts"], counts["regencies"], cap=99)
    villages_per_dist = _apportion(rng, counts["villages"], counts["districts"], cap=999)
    tps_per_village = _apportion(rng, counts["tps"], counts["villages"], cap=999)
    voters = _voters(rng, counts["tps"], round(VOTERS_TOTAL * counts["tps"] / REAL["tps"]))
    male_share = rng.uniform(0.485, 0.515, size=counts["tps"])

    squares = _province_squares(provinces, regencies_per_prov)
    regions_path, tps_path = out_dir / "regions.csv", out_dir / "tps.csv"
    with (
        regions_path.open("w", newline="", encoding="utf-8") as rf,
        tps_path.open("w", newline="", encoding="utf-8") as tf,
    ):
        regions, tps = csv.writer(rf), csv.writer(tf)
        regions.writerow(REGION_HEADER)
        tps.writerow(TPS_HEADER)
        reg_i = dist_i = vill_i = tps_i = 0
        for p, (pcode, _, _) in enumerate(provinces):
            plat, plon, pside = squares[p]
            regions.writerow([pcode, f"Provinsi {_name(rng)}", "provinsi", f"{plat:.5f}", f"{plon:.5f}"])
            n_reg = int(regencies_per_prov[p])
            n_city = round(n_reg * CITY_SHARE) if n_reg > 3 else 0
            for r, (rlat, rlon, rside) in enumerate(_grid(rng, plat, plon, pside, n_reg)):
                is_city = r >= n_reg - n_city
                rcode = f"{pcode}.{71 + r - (n_reg - n_city) if is_city else r + 1:02d}"
                kind, label = ("kota", "Kota") if is_city else ("kabupaten", "Kabupaten")
                regions.writerow([rcode, f"{label} {_name(rng)}", kind, f"{rlat:.5f}", f"{rlon:.5f}"])
                n_dist = int(districts_per_reg[reg_i])
                reg_i += 1
                for d, (dlat, dlon, dside) in enumerate(_grid(rng, rlat, rlon, rside, n_dist)):
                    dcode = f"{rcode}.{d + 1:02d}"
                    regions.writerow([dcode, f"Kecamatan {_name(rng)}", "kecamatan", f"{dlat:.5f}", f"{dlon:.5f}"])
                    n_vill = int(villages_per_dist[dist_i])
                    dist_i += 1
                    village_rows = []
                    tps_rows = []
                    for v, (vlat, vlon, vside) in enumerate(_grid(rng, dlat, dlon, dside, n_vill)):
                        vkind = "kelurahan" if is_city else "desa"
                        vcode = f"{dcode}.{(1001 if is_city else 2001) + v}"
                        vname = _name(rng)
                        village_rows.append([vcode, f"{vkind.title()} {vname}", vkind, f"{vlat:.5f}", f"{vlon:.5f}"])
                        n_tps = int(tps_per_village[vill_i])
                        vill_i += 1
                        jitter = rng.uniform(-0.35 * vside, 0.35 * vside, size=(n_tps, 2))
                        for t in range(n_tps):
                            total = int(voters[tps_i])
                            male = round(total * male_share[tps_i])
                            tps_i += 1
                            tps_rows.append(
                                (
                                    vcode,
                                    t + 1,
                                    f"RT {t % 9 + 1:02d} RW {t // 9 + 1:02d} {vname}",
                                    male,
                                    total - male,
                                    total,
                                    f"{vlat + jitter[t, 0]:.6f}",
                                    f"{vlon + jitter[t, 1]:.6f}",
                                )
                            )
                    regions.writerows(village_rows)
                    tps.writerows(tps_rows)
    return {"regions": regions_path, "tps": tps_path}


def _level_counts(scale: float) -> dict[str, int]:
    """Counts per level at a scale: proportional, and never fewer than one child per parent."""
    counts: dict[str, int] = {}
    floor = 1
    for level in ("provinces", "regencies", "districts", "villages", "tps"):
        n = REAL[level] if scale == 1.0 else max(floor, round(REAL[level] * scale))
        counts[level] = n
        floor = n
    counts["provinces"] = min(counts["provinces"], len(PROVINCES))
    return counts


def _spread_pick(n: int) -> list[int]:
    """Indices of ``n`` provinces spread across the list (west to east) when the scale keeps only a few."""
    return sorted({round(i * (len(PROVINCES) - 1) / max(1, n - 1)) for i in range(n)})[:n]


def _apportion(rng: np.random.Generator, total: int, bins: int, *, cap: int) -> np.ndarray:
    """Split ``total`` into ``bins`` positive integers (each ≤ cap) with random weights; the sum is exact."""
    if total < bins or total > bins * cap:
        raise ValueError(f"cannot split {total} into {bins} parts of 1..{cap}")
    weights = rng.uniform(0.4, 1.6, size=bins)
    spare = total - bins
    shares = weights / weights.sum() * spare
    parts = np.floor(shares).astype(np.int64)
    remainder = spare - int(parts.sum())
    if remainder:
        order = np.argsort(-(shares - parts), kind="stable")
        parts[order[:remainder]] += 1
    parts += 1
    over = parts > cap
    while over.any():  # only at absurd scales: move the excess to bins with room
        excess = int((parts[over] - cap).sum())
        parts[over] = cap
        room = np.flatnonzero(parts < cap)
        for i in room[:excess]:
            parts[i] += 1
        over = parts > cap
    return parts


def _voters(rng: np.random.Generator, n: int, total: int) -> np.ndarray:
    """Voters per TPS around the national mean (KPU caps a TPS at 300), summing exactly to ``total``."""
    mean = total / n
    values = np.clip(np.rint(rng.normal(mean, 22.0, size=n)), 60, 300).astype(np.int64)
    diff = total - int(values.sum())
    step = 1 if diff > 0 else -1
    while diff:
        room = np.flatnonzero(values < 300) if step > 0 else np.flatnonzero(values > 60)
        pick = rng.choice(room, size=min(abs(diff), len(room)), replace=False)
        values[pick] += step
        diff -= step * len(pick)
    return values


def _province_squares(
    provinces: list[tuple[str, float, float]], regencies: np.ndarray
) -> list[tuple[float, float, float]]:
    """(lat, lon, side) per province: squares sized by regency count, pushed apart until none overlap."""
    lat = np.array([p[1] for p in provinces], dtype=float)
    lon = np.array([p[2] for p in provinces], dtype=float)
    side = 0.32 * np.sqrt(regencies.astype(float))
    for _ in range(400):
        moved = False
        for i in range(len(lat)):
            for j in range(i + 1, len(lat)):
                need = (side[i] + side[j]) / 2
                dy, dx = lat[j] - lat[i], lon[j] - lon[i]
                oy, ox = need - abs(dy), need - abs(dx)
                if oy > 0 and ox > 0:  # overlapping squares: separate along the cheaper axis
                    moved = True
                    if ox < oy:
                        shift = (ox / 2 + 1e-6) * (1 if dx >= 0 else -1)
                        lon[i] -= shift
                        lon[j] += shift
                    else:
                        shift = (oy / 2 + 1e-6) * (1 if dy >= 0 else -1)
                        lat[i] -= shift
                        lat[j] += shift
        np.clip(lat, INDONESIA.south + side / 2 + 0.1, INDONESIA.north - side / 2 - 0.1, out=lat)
        np.clip(lon, INDONESIA.west + side / 2 + 0.1, INDONESIA.east - side / 2 - 0.1, out=lon)
        if not moved:
            break
    return [(float(lat[i]), float(lon[i]), float(side[i])) for i in range(len(lat))]


def _grid(rng: np.random.Generator, lat: float, lon: float, side: float, n: int) -> list[tuple[float, float, float]]:
    """``n`` child squares on a grid filling a parent square; each child's point is jittered inside its cell."""
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    cell = side / max(cols, rows)
    jitter = rng.uniform(-0.2 * cell, 0.2 * cell, size=(n, 2))
    top, left = lat + side / 2, lon - side / 2
    out = []
    for k in range(n):
        r, c = divmod(k, cols)
        out.append((top - (r + 0.5) * cell + jitter[k, 0], left + (c + 0.5) * cell + jitter[k, 1], cell))
    return out


def _name(rng: np.random.Generator) -> str:
    head, tail = rng.integers(0, len(_HEADS)), rng.integers(0, len(_TAILS))
    return f"{_HEADS[head]}{_TAILS[tail]}"
