"""TPS vulnerability scoring: weighted indicators → score, 0–100 index, category, and why.

Pure: plain data in, frozen dataclasses out (no ORM, no clock). The rules come from a
:class:`~linsek.risk.catalogue.Catalogue`:

* every indicator earns ``weight × share`` points (yes/no: 0 or 1; counts: linear up to the saturation);
* the score's highest threshold reached sets the category (below every threshold: the base category);
* an indicator with ``min_category`` lifts the TPS to at least that category when present (a history of
  violence makes a TPS *rawan* whatever else is true);
* a special TPS (prison, hospital, pesantren, relocation — ``PollingStation.special``) or an indicator
  marked ``marks_khusus`` makes it *khusus*; a person with the command role may also set it by hand,
  which is an override (with its reason) kept outside this module.

The explanation lists the indicators that earned points, largest first, and the rule that decided.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from linsek.risk.catalogue import Catalogue, Indicator

YES = frozenset({"1", "ya", "y", "yes", "true", "benar", "ada", "x", "v", "✓"})
NO = frozenset({"0", "tidak", "tdk", "t", "no", "n", "false", "salah", "tidak ada", "-", ""})


@dataclass(frozen=True, slots=True)
class ValueProblem:
    """One unusable indicator value: which indicator (column), the value given, and why."""

    code: str
    value: str
    reason: str
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Contribution:
    code: str
    variable: str
    value: int
    points: float


@dataclass(frozen=True, slots=True)
class Reason:
    """The rule that set the category: ``threshold``, ``floor`` (an indicator's minimum), or ``khusus``."""

    rule: str
    category: str
    detail: str  # indicator code, the threshold's min score, or the special-TPS type


@dataclass(frozen=True, slots=True)
class RiskResult:
    score: float
    index: float  # 0–100: score / the catalogue's maximum
    category: str
    contributions: tuple[Contribution, ...]  # indicators that earned points, largest first
    reasons: tuple[Reason, ...]  # every rule that applied, the deciding one first

    def drivers(self, limit: int = 5) -> tuple[Contribution, ...]:
        return self.contributions[:limit]

    def as_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "index": self.index,
            "category": self.category,
            "contributions": [[c.code, c.value, c.points] for c in self.contributions],
            "reasons": [[r.rule, r.category, r.detail] for r in self.reasons],
        }


def _suggest(code: str, known: Iterable[str]) -> tuple[str, ...]:
    return tuple(difflib.get_close_matches(code.upper(), list(known), n=3, cutoff=0.5))


def value_parse(indicator: Indicator, raw: Any) -> tuple[int | None, str]:
    """One raw value (a cell, a form field, JSON) → an integer, or None and the reason in Indonesian."""
    if raw is None:
        return 0, ""
    if isinstance(raw, bool):
        number: float = int(raw)
    elif isinstance(raw, (int, float)):
        number = raw
    else:
        text = str(raw).strip().lower()
        if indicator.kind == "bool":
            if text in YES:
                return 1, ""
            if text in NO:
                return 0, ""
            return None, "isian ya/tidak harus 'ya' atau 'tidak' (atau 1/0)"
        if text in ("", "-"):
            return 0, ""
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return None, "harus berupa bilangan bulat"
    if number != int(number):
        return None, "harus berupa bilangan bulat"
    value = int(number)
    if indicator.kind == "bool":
        if value not in (0, 1):
            return None, "isian ya/tidak harus 1 atau 0"
        return value, ""
    if not indicator.minimum <= value <= indicator.maximum:
        return None, f"di luar rentang {indicator.minimum}–{indicator.maximum}"
    return value, ""


def values_check(catalogue: Catalogue, raw: Mapping[str, Any]) -> tuple[dict[str, int], list[ValueProblem]]:
    """Raw values by indicator code → clean values of every indicator (missing = 0) and the problems found."""
    known = {ind.code: ind for ind in catalogue.indicators}
    values = dict.fromkeys(known, 0)
    problems: list[ValueProblem] = []
    for code, raw_value in raw.items():
        key = str(code).strip()
        indicator = known.get(key) or known.get(key.upper())
        if indicator is None:
            problems.append(
                ValueProblem(
                    key, str(raw_value), "indikator tidak dikenal di katalog " + catalogue.key, _suggest(key, known)
                )
            )
            continue
        value, reason = value_parse(indicator, raw_value)
        if value is None:
            problems.append(ValueProblem(indicator.code, str(raw_value), reason))
        else:
            values[indicator.code] = value
    return values, problems


def tps_score(catalogue: Catalogue, values: Mapping[str, int], *, special: str = "") -> RiskResult:
    """Score one TPS. ``values`` must be clean (see :func:`values_check`); ``special`` is the TPS type code."""
    rank = {c.code: c.rank for c in catalogue.categories}
    contributions: list[Contribution] = []
    floors: list[Reason] = []
    khusus: list[Reason] = []
    for ind in catalogue.indicators:
        value = int(values.get(ind.code, 0))
        if value <= 0:
            continue
        points = round(ind.weight * ind.share(value), 4)
        if points > 0:
            contributions.append(Contribution(ind.code, ind.variable, value, points))
        if ind.min_category:
            floors.append(Reason("floor", ind.min_category, ind.code))
        if ind.marks_khusus:
            khusus.append(Reason("khusus", catalogue.khusus_category, ind.code))
    if special and catalogue.khusus_from_tps_special:
        khusus.insert(0, Reason("khusus", catalogue.khusus_category, f"tps:{special}"))
    score = round(sum(c.points for c in contributions), 4)
    by_threshold = Reason("threshold", catalogue.base_category, "0")
    for threshold in catalogue.thresholds:
        if score >= threshold.min_score:
            by_threshold = Reason("threshold", threshold.category, f"{threshold.min_score:g}")
    candidates = [*khusus, by_threshold, *floors]
    # The deciding rule: the most vulnerable category any rule reaches; khusus first on a tie, then the
    # threshold (it summarises everything), then the floors in catalogue order.
    deciding = max(candidates, key=lambda r: rank[r.category])
    reasons = (deciding, *(r for r in candidates if r is not deciding))
    contributions.sort(key=lambda c: (-c.points, c.code))
    max_score = catalogue.max_score or 1.0
    return RiskResult(
        score=score,
        index=round(min(100.0, 100.0 * score / max_score), 1),
        category=deciding.category,
        contributions=tuple(contributions),
        reasons=reasons,
    )


@dataclass(frozen=True, slots=True)
class Rollup:
    """Counts per category and a 0–100 index for an area (village, district, regency)."""

    total: int
    counts: dict[str, int]
    index: float
    assessed: int

    def as_json(self) -> dict[str, Any]:
        return {"total": self.total, "counts": self.counts, "index": self.index, "assessed": self.assessed}


def area_rollup(catalogue: Catalogue, counts: Mapping[str, int], *, assessed: int | None = None) -> Rollup:
    """Roll TPS categories up to an area: ``index`` = mean of the categories' ``index_weight`` (0–100).

    An area of only *kurang rawan* TPS scores 0, one of only *sangat rawan*/*khusus* TPS 100 (with the
    shipped catalogue: rawan counts 50). Unknown category codes in ``counts`` raise KeyError.
    """
    weights = {c.code: c.index_weight for c in catalogue.categories}
    clean = {c.code: int(counts.get(c.code, 0)) for c in catalogue.categories}
    unknown = set(counts) - set(weights)
    if unknown:
        raise KeyError(f"unknown categories {sorted(unknown)}")
    total = sum(clean.values())
    index = round(sum(weights[c] * n for c, n in clean.items()) / total, 1) if total else 0.0
    return Rollup(total=total, counts=clean, index=index, assessed=total if assessed is None else assessed)


def explanation_lines(catalogue: Catalogue, result: RiskResult, *, language: str = "id") -> list[str]:
    """Human sentences for a result (used by the CLI and exports; pages render the same data as a table)."""
    cat = catalogue.category(result.category)
    lines = [f"{cat.name(language)} (skor {result.score:g} dari {catalogue.max_score:g}, indeks {result.index:g})"]
    for reason in result.reasons[:1]:
        if reason.rule == "khusus":
            lines.append(
                f"khusus: {reason.detail.removeprefix('tps:')}"
                if reason.detail.startswith("tps:")
                else f"khusus: {reason.detail}"
            )
        elif reason.rule == "floor":
            ind = catalogue.indicator(reason.detail)
            lines.append(f"minimal {reason.category}: {reason.detail} {ind.name(language) if ind else ''}".rstrip())
        else:
            lines.append(f"ambang skor ≥ {reason.detail}")
    for c in result.contributions:
        ind = catalogue.indicator(c.code)
        lines.append(f"{c.code} {ind.name(language) if ind else ''}: {c.value} → {c.points:g}")
    return lines
