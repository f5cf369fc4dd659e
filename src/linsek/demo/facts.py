"""The Jepara facts the demo is built from, read from ``demo/data/`` (sources in ``data/SOURCES.md``).

Pure: no ORM. The CSV files are copies of ``shared/data`` (codes, names, counts, rounded points);
the JSON files hold the organisations, the scenario figures and the name lists.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class District:
    code: str
    name: str
    village_count: int
    lat: float
    lon: float
    is_island: bool


@dataclass(frozen=True, slots=True)
class Village:
    code: str
    district_code: str
    name: str
    kind: str  # "desa" or "kelurahan"
    lat: float
    lon: float
    tps: int


@dataclass(frozen=True, slots=True)
class Island:
    code: str
    name: str
    lat: float
    lon: float
    inhabited: bool | None
    area_km2: float | None


@dataclass(frozen=True, slots=True)
class JeparaFacts:
    districts: tuple[District, ...]
    villages: tuple[Village, ...]
    islands: dict[str, Island]  # by name ("Pulau Karimunjawa")
    scenario: dict[str, Any]
    organisations: dict[str, Any]
    names: dict[str, Any]

    def district(self, code: str) -> District:
        return next(d for d in self.districts if d.code == code)

    def villages_of(self, district_code: str) -> list[Village]:
        return [v for v in self.villages if v.district_code == district_code]


class FactsError(ValueError):
    """The demo's data files contradict each other (a broken edit)."""


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return data


def _optional_float(text: str) -> float | None:
    return float(text) if text.strip() else None


@cache
def jepara_facts() -> JeparaFacts:
    """Read and cross-check the data files once per process."""
    districts = tuple(
        District(
            code=r["kode"],
            name=r["kecamatan"],
            village_count=int(r["desa_kelurahan_count"]),
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            is_island=r["island"] == "1",
        )
        for r in _csv("jepara_kecamatan.csv")
    )
    villages = tuple(
        Village(
            code=r["kode"],
            district_code=r["kecamatan_kode"],
            name=r["desa"],
            kind=r["type"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            tps=int(r["tps_2024"]),
        )
        for r in _csv("jepara_desa.csv")
    )
    islands = {
        r["pulau"]: Island(
            code=r["kode"],
            name=r["pulau"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            inhabited={"berpenghuni": True, "tidak_berpenghuni": False}.get(r["status"]),
            area_km2=_optional_float(r["luas_km2"]),
        )
        for r in _csv("jepara_pulau.csv")
    }
    facts = JeparaFacts(
        districts=districts,
        villages=villages,
        islands=islands,
        scenario=_json("jepara_scenario.json"),
        organisations=_json("organisations.json"),
        names=_json("names.json"),
    )
    _facts_check(facts)
    return facts


def _facts_check(facts: JeparaFacts) -> None:
    """The invariants the loader relies on; a broken edit of a data file fails here, loudly."""
    problems: list[str] = []
    district_codes = {d.code for d in facts.districts}
    for d in facts.districts:
        n = len(facts.villages_of(d.code))
        if n != d.village_count:
            problems.append(
                f"{d.code} {d.name}: {n} villages in jepara_desa.csv, {d.village_count} in jepara_kecamatan.csv"
            )
    for v in facts.villages:
        if v.district_code not in district_codes or not v.code.startswith(v.district_code + "."):
            problems.append(f"{v.code}: unknown or mismatched district {v.district_code}")
        expected_kind = "kelurahan" if v.code.rsplit(".", 1)[1].startswith("1") else "desa"
        if v.kind != expected_kind:
            problems.append(f"{v.code}: type {v.kind}, but the code says {expected_kind}")
    voters = facts.scenario["voters"]
    if sum(v.tps for v in facts.villages) != voters["tps"]:
        problems.append(f"TPS in jepara_desa.csv sum to {sum(v.tps for v in facts.villages)}, not {voters['tps']}")
    if voters["male"] + voters["female"] != voters["total"]:
        problems.append("scenario voters: male + female != total")
    kj = voters["karimunjawa"]
    if sum(v.tps for v in facts.villages_of(kj["district"])) != kj["tps"]:
        problems.append(f"Karimunjawa TPS in jepara_desa.csv differ from {kj['tps']}")
    placement = facts.scenario["islands"]["placement"]
    for v in facts.villages_of(kj["district"]):
        placed = sum(p["tps"] for p in placement if p["village"] == v.code)
        if placed != v.tps:
            problems.append(f"{v.code} {v.name}: {placed} TPS placed on islands, {v.tps} in jepara_desa.csv")
    for p in placement:
        if p["island"] not in facts.islands or facts.islands[p["island"]].area_km2 is None:
            problems.append(f"island {p['island']!r} missing from jepara_pulau.csv or without an area")
    village_tps = {v.code: v.tps for v in facts.villages}
    for s in facts.scenario["special_tps"]:
        if s["village"] not in village_tps or len(s["numbers"]) != len(s["voters"]):
            problems.append(f"special TPS {s}: unknown village or numbers/voters of different length")
    for r in facts.scenario["risk_villages"]:
        if r["village"] not in village_tps:
            problems.append(f"risk village {r['village']} unknown")
    for code, k in facts.organisations["koramil_numbers"].items():
        if code not in district_codes or facts.district(code).name != k["district_name"]:
            problems.append(f"koramil_numbers: {code} is not Kecamatan {k['district_name']}")
    if problems:
        raise FactsError("demo data files are inconsistent:\n  " + "\n  ".join(problems))
