"""Security patterns (pola pengamanan TPS, P-T-L) as data: validation and loading.

P police guard up to T TPS with L Linmas, per TPS category; optionally TNI per post; a radius per
category bounding the pairwise distance of a post's TPS; whether a post of that category may take less
vulnerable TPS into its spare places; Linmas per PPK and PPS office; the share of the police the Polres
keeps back as its reserve. No national 2024 table is public — each Polres sets its own — so a pattern set
is stored with every plan (``deploy.Plan.patterns``) and the shipped defaults (``rules/patterns_default.json``,
shared/DOMAIN.md §5) only seed the form. Pure: no ORM.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).parent / "rules"
DEFAULT_FILE = RULES_DIR / "patterns_default.json"
MAX_RESERVE_SHARE = 0.9


class PatternError(ValueError):
    """A pattern set that cannot be planned with; ``problems`` names each category/field and what is wrong."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Pattern:
    category: str
    police: int  # P
    tps: int  # T
    linmas: int  # L (per post of T TPS)
    tni: int
    radius_m: float
    mix_lower: bool  # a post of this category may fill spare places with less vulnerable TPS
    priority: int = 1  # lower is covered first when people are short

    @property
    def label(self) -> str:
        return f"{self.police}-{self.tps}-{self.linmas}"

    def linmas_for(self, tps_count: int) -> int:
        """Linmas of a post holding ``tps_count`` TPS: L per T TPS, pro rata, rounded up."""
        return -(-self.linmas * tps_count // self.tps)


@dataclass(frozen=True, slots=True)
class PatternSet:
    name: str
    version: str
    source: str
    patterns: Mapping[str, Pattern]
    ranks: Mapping[str, int]  # vulnerability rank per category (from the indicator catalogue)
    linmas_per_ppk: int
    linmas_per_pps: int
    reserve_share: float

    def pattern(self, category: str) -> Pattern:
        return self.patterns[category]

    def categories_by_rank(self) -> list[str]:
        """Most vulnerable first."""
        return sorted(self.patterns, key=lambda c: -self.ranks[c])

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "patterns": [asdict(p) for p in sorted(self.patterns.values(), key=lambda p: self.ranks[p.category])],
            "linmas_per_ppk": self.linmas_per_ppk,
            "linmas_per_pps": self.linmas_per_pps,
            "reserve_share": self.reserve_share,
        }


def _int(raw: Mapping[str, Any], key: str, field: str, problems: list[tuple[str, str]]) -> int:
    value = raw.get(key)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        problems.append((field, f"harus bilangan bulat, bukan {value!r}"))
        return 0
    return int(value)


def pattern_set_parse(raw: Mapping[str, Any], *, ranks: Mapping[str, int]) -> PatternSet:
    """Validate a pattern document against the categories of the indicator catalogue (``ranks``).

    Every category needs a pattern; P ≥ 1 and T ≥ 1 (a pattern with T ≤ 0 or P ≤ 0 cannot guard any TPS
    and is refused with a message naming the category); L, TNI ≥ 0; radius > 0; reserve share 0–0.9.
    """
    problems: list[tuple[str, str]] = []
    patterns: dict[str, Pattern] = {}
    items = raw.get("patterns")
    if not isinstance(items, list) or not items:
        raise PatternError([("patterns", "daftar pola kosong")])
    for item in items:
        category = str(item.get("category", "")) if isinstance(item, Mapping) else ""
        if category not in ranks:
            problems.append((f"patterns.{category or '?'}", f"kategori '{category}' tidak dikenal di katalog"))
            continue
        if category in patterns:
            problems.append((f"patterns.{category}", "kategori tercantum dua kali"))
            continue
        assert isinstance(item, Mapping)
        field = f"patterns.{category}"
        police = _int(item, "police", f"{field}.police", problems)
        tps = _int(item, "tps", f"{field}.tps", problems)
        linmas = _int(item, "linmas", f"{field}.linmas", problems)
        tni = _int(item, "tni", f"{field}.tni", problems) if "tni" in item else 0
        if police <= 0:
            problems.append(
                (f"{field}.police", f"P harus ≥ 1 (pola {category}: P = {police}); tanpa polisi TPS tidak terjaga")
            )
        if tps <= 0:
            problems.append(
                (f"{field}.tps", f"T harus ≥ 1 (pola {category}: T = {tps}); satu pos menjaga sedikitnya satu TPS")
            )
        if linmas < 0:
            problems.append((f"{field}.linmas", f"L tidak boleh negatif ({linmas})"))
        if tni < 0:
            problems.append((f"{field}.tni", f"TNI tidak boleh negatif ({tni})"))
        # Default priority: the more vulnerable, the earlier (rank 3 → 1, rank 0 → 4).
        priority = _int(item, "priority", f"{field}.priority", problems) if "priority" in item else 10 - ranks[category]
        if priority < 1:
            problems.append((f"{field}.priority", f"prioritas harus ≥ 1 ({priority})"))
        radius = item.get("radius_m", 0)
        if isinstance(radius, bool) or not isinstance(radius, (int, float)) or radius <= 0:
            problems.append((f"{field}.radius_m", f"radius harus > 0 meter, bukan {radius!r}"))
            radius = 0
        patterns[category] = Pattern(
            category=category,
            police=police,
            tps=tps,
            linmas=linmas,
            tni=tni,
            radius_m=float(radius),
            mix_lower=bool(item.get("mix_lower", True)),
            priority=priority,
        )
    for category in sorted(set(ranks) - set(patterns)):
        problems.append((f"patterns.{category}", f"tidak ada pola untuk kategori '{category}'"))
    ppk = _int(raw, "linmas_per_ppk", "linmas_per_ppk", problems) if "linmas_per_ppk" in raw else 4
    pps = _int(raw, "linmas_per_pps", "linmas_per_pps", problems) if "linmas_per_pps" in raw else 4
    if ppk < 0 or pps < 0:
        problems.append(("linmas_per_ppk", "Linmas per kantor tidak boleh negatif"))
    share = raw.get("reserve_share", 0.0)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= MAX_RESERVE_SHARE:
        problems.append(
            ("reserve_share", f"cadangan harus 0–{MAX_RESERVE_SHARE:g} (bagian dari personel), bukan {share!r}")
        )
        share = 0.0
    if problems:
        raise PatternError(problems)
    return PatternSet(
        name=str(raw.get("name", "pola")),
        version=str(raw.get("version", "")),
        source=str(raw.get("source", "")),
        patterns=patterns,
        ranks={c: int(r) for c, r in ranks.items()},
        linmas_per_ppk=ppk,
        linmas_per_pps=pps,
        reserve_share=float(share),
    )


@lru_cache(maxsize=1)
def default_patterns_raw() -> dict[str, Any]:
    """The shipped default pattern document (a fresh copy is made by callers who edit it)."""
    data: dict[str, Any] = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    return data
