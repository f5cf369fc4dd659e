"""The indicator catalogue: variables, indicators, weights, thresholds and categories, as versioned data.

Each ``rules/indicators_*.json`` is one catalogue version (Bawaslu's 7 variables / 22 indicators for
Pemilu 2024 now; another election may bring 8 variables / 24 indicators in a new file, picked up as soon
as it is dropped in). The loader turns a file into frozen objects and refuses a broken one with every
problem listed (file, entry, reason); :mod:`linsek.risk.checks` runs it as a Django system check so that
the server does not start on a broken catalogue. Pure: no ORM, no settings (the caller names the version).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

RULES_DIR = Path(__file__).parent / "rules"
CATALOGUE_GLOB = "indicators_*.json"
CODE_RE = re.compile(r"^[A-Z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$")
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")

IndicatorKind = Literal["bool", "count"]


class CatalogueError(ValueError):
    """A catalogue file that cannot be used; ``problems`` lists every reason (file, entry, what is wrong)."""

    def __init__(self, path: str, problems: list[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.path = path
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name_id: str
    name_en: str
    rank: int  # vulnerability order: a post's capacity follows its highest-ranked TPS
    index_weight: float  # 0–100: how much one TPS of this category adds to an area's index
    colour: str

    def name(self, language: str = "id") -> str:
        return self.name_en if language.startswith("en") else self.name_id


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    variable: str
    name_id: str
    name_en: str
    kind: IndicatorKind
    weight: float
    minimum: int = 0
    maximum: int = 1
    saturation: int = 1  # a count at or above this contributes the full weight
    min_category: str | None = None  # "yes" (or a count > 0) lifts the TPS to at least this category
    marks_khusus: bool = False

    def name(self, language: str = "id") -> str:
        return self.name_en if language.startswith("en") else self.name_id

    def share(self, value: int) -> float:
        """How much of the weight a value earns (0–1): yes/no as 1/0, counts linearly up to the saturation."""
        if self.kind == "bool":
            return 1.0 if value else 0.0
        return min(max(value, 0) / self.saturation, 1.0)


@dataclass(frozen=True, slots=True)
class Variable:
    code: str
    name_id: str
    name_en: str
    indicators: tuple[Indicator, ...]

    def name(self, language: str = "id") -> str:
        return self.name_en if language.startswith("en") else self.name_id


@dataclass(frozen=True, slots=True)
class Threshold:
    category: str
    min_score: float


@dataclass(frozen=True, slots=True)
class Catalogue:
    key: str  # "<catalogue>/<version>", stored on every assessment
    catalogue: str
    version: str
    election: str
    name_id: str
    name_en: str
    source: str
    weights_source: str
    variables: tuple[Variable, ...]
    categories: tuple[Category, ...]
    base_category: str
    thresholds: tuple[Threshold, ...]  # ascending by min_score
    khusus_category: str
    khusus_from_tps_special: bool
    unassessed_category: str
    is_default: bool = False

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(ind for var in self.variables for ind in var.indicators)

    def indicator(self, code: str) -> Indicator | None:
        return self._by_code().get(code)

    def _by_code(self) -> dict[str, Indicator]:
        return {ind.code: ind for ind in self.indicators}

    def category(self, code: str) -> Category:
        for cat in self.categories:
            if cat.code == code:
                return cat
        raise KeyError(code)

    def category_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.categories)

    @property
    def max_score(self) -> float:
        return float(sum(ind.weight for ind in self.indicators))

    def name(self, language: str = "id") -> str:
        return self.name_en if language.startswith("en") else self.name_id


def _text(raw: dict[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: '{key}' is missing or empty")
        return ""
    return value.strip()


def _number(raw: dict[str, Any], key: str, where: str, problems: list[str], *, default: float | None = None) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(f"{where}: '{key}' must be a number, not {value!r}")
        return 0.0
    return float(value)


def _categories(raw: Any, problems: list[str]) -> tuple[Category, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append("'categories' must be a non-empty list")
        return ()
    out: list[Category] = []
    for i, item in enumerate(raw):
        where = f"categories[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be an object")
            continue
        code = _text(item, "code", where, problems)
        colour = item.get("colour", "")
        if not isinstance(colour, str) or not COLOUR_RE.match(colour):
            problems.append(f"{where} ({code}): 'colour' must be #rrggbb, not {colour!r}")
            colour = "#777777"
        index_weight = _number(item, "index_weight", where, problems)
        if not 0 <= index_weight <= 100:
            problems.append(f"{where} ({code}): 'index_weight' must lie in 0–100, not {index_weight:g}")
        out.append(
            Category(
                code=code,
                name_id=_text(item, "name_id", where, problems),
                name_en=_text(item, "name_en", where, problems),
                rank=int(_number(item, "rank", where, problems)),
                index_weight=index_weight,
                colour=colour,
            )
        )
    codes = [c.code for c in out]
    for dup in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(f"category '{dup}' is listed twice")
    ranks = [c.rank for c in out]
    for dup_rank in sorted({r for r in ranks if ranks.count(r) > 1}):
        problems.append(f"two categories share rank {dup_rank}: ranks order vulnerability and must differ")
    return tuple(sorted(out, key=lambda c: c.rank))


def _indicator(item: Any, variable: str, where: str, categories: set[str], problems: list[str]) -> Indicator | None:
    if not isinstance(item, dict):
        problems.append(f"{where}: must be an object")
        return None
    code = _text(item, "code", where, problems)
    where = f"{where} ({code})" if code else where
    if code and not CODE_RE.match(code):
        problems.append(f"{where}: code must look like V1.1")
    if code and not code.startswith(variable + "."):
        problems.append(f"{where}: code must start with its variable's code '{variable}.'")
    kind = item.get("kind")
    if kind not in ("bool", "count"):
        problems.append(f"{where}: 'kind' must be 'bool' (yes/no) or 'count', not {kind!r}")
        return None
    weight = _number(item, "weight", where, problems)
    if weight < 0:
        problems.append(f"{where}: 'weight' must not be negative ({weight:g})")
    minimum, maximum, saturation = 0, 1, 1
    if kind == "count":
        minimum = int(_number(item, "min", where, problems, default=0))
        maximum = int(_number(item, "max", where, problems))
        saturation = int(_number(item, "saturation", where, problems, default=maximum))
        if minimum < 0 or maximum <= minimum:
            problems.append(f"{where}: a count needs 0 ≤ min < max (min {minimum}, max {maximum})")
        if saturation <= 0 or saturation > maximum:
            problems.append(f"{where}: 'saturation' must lie in 1–max ({saturation})")
    min_category = item.get("min_category")
    if min_category is not None and min_category not in categories:
        problems.append(f"{where}: 'min_category' names unknown category '{min_category}'")
    return Indicator(
        code=code,
        variable=variable,
        name_id=_text(item, "name_id", where, problems),
        name_en=_text(item, "name_en", where, problems),
        kind=kind,
        weight=weight,
        minimum=minimum,
        maximum=maximum,
        saturation=max(saturation, 1),
        min_category=min_category,
        marks_khusus=bool(item.get("marks_khusus", False)),
    )


def catalogue_parse(raw: Any, *, path: str = "<data>") -> Catalogue:
    """Validate a raw catalogue document and freeze it; :class:`CatalogueError` lists every problem."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise CatalogueError(path, ["the document must be a JSON object"])
    name = _text(raw, "catalogue", "catalogue", problems)
    version = _text(raw, "version", "catalogue", problems)
    categories = _categories(raw.get("categories"), problems)
    cat_codes = {c.code for c in categories}
    variables: list[Variable] = []
    raw_vars = raw.get("variables")
    if not isinstance(raw_vars, list) or not raw_vars:
        problems.append("'variables' must be a non-empty list")
        raw_vars = []
    for i, var in enumerate(raw_vars):
        where = f"variables[{i}]"
        if not isinstance(var, dict):
            problems.append(f"{where}: must be an object")
            continue
        code = _text(var, "code", where, problems)
        indicators_raw = var.get("indicators")
        if not isinstance(indicators_raw, list) or not indicators_raw:
            problems.append(f"{where} ({code}): 'indicators' must be a non-empty list")
            indicators_raw = []
        indicators = [
            _indicator(item, code, f"{where}.indicators[{j}]", cat_codes, problems)
            for j, item in enumerate(indicators_raw)
        ]
        variables.append(
            Variable(
                code=code,
                name_id=_text(var, "name_id", where, problems),
                name_en=_text(var, "name_en", where, problems),
                indicators=tuple(ind for ind in indicators if ind is not None),
            )
        )
    var_codes = [v.code for v in variables]
    for dup in sorted({c for c in var_codes if var_codes.count(c) > 1}):
        problems.append(f"variable '{dup}' is listed twice")
    ind_codes = [ind.code for v in variables for ind in v.indicators]
    for dup in sorted({c for c in ind_codes if ind_codes.count(c) > 1}):
        problems.append(f"indicator '{dup}' is listed twice")
    expect = raw.get("expect") or {}
    if isinstance(expect, dict):
        if "variables" in expect and expect["variables"] != len(variables):
            problems.append(f"expected {expect['variables']} variables, found {len(variables)}")
        if "indicators" in expect and expect["indicators"] != len(ind_codes):
            problems.append(f"expected {expect['indicators']} indicators, found {len(ind_codes)}")
    scoring = raw.get("scoring")
    if not isinstance(scoring, dict):
        problems.append("'scoring' must be an object")
        scoring = {}
    base = scoring.get("base_category", "")
    khusus = scoring.get("khusus_category", "")
    unassessed = scoring.get("unassessed_category", base)
    for key, value in (("base_category", base), ("khusus_category", khusus), ("unassessed_category", unassessed)):
        if value not in cat_codes:
            problems.append(f"scoring.{key} names unknown category {value!r}")
    thresholds: list[Threshold] = []
    for i, item in enumerate(scoring.get("thresholds") or []):
        where = f"scoring.thresholds[{i}]"
        if not isinstance(item, dict) or item.get("category") not in cat_codes:
            problems.append(f"{where}: must name a known category")
            continue
        thresholds.append(Threshold(str(item["category"]), _number(item, "min_score", where, problems)))
    scores = [t.min_score for t in thresholds]
    if scores != sorted(scores) or len(set(scores)) != len(scores):
        problems.append("scoring.thresholds must be in strictly ascending order of min_score")
    if any(s <= 0 for s in scores):
        problems.append("scoring.thresholds: every min_score must be above 0 (0 is the base category)")
    if problems:
        raise CatalogueError(path, problems)
    return Catalogue(
        key=f"{name}/{version}",
        catalogue=name,
        version=version,
        election=str(raw.get("election", "")),
        name_id=str(raw.get("name_id", name)),
        name_en=str(raw.get("name_en", name)),
        source=str(raw.get("source", "")),
        weights_source=str(raw.get("weights_source", "")),
        variables=tuple(variables),
        categories=categories,
        base_category=str(base),
        thresholds=tuple(thresholds),
        khusus_category=str(khusus),
        khusus_from_tps_special=bool(scoring.get("khusus_from_tps_special", True)),
        unassessed_category=str(unassessed),
        is_default=bool(raw.get("default", False)),
    )


def catalogue_read(path: Path) -> Catalogue:
    """Read and validate one catalogue file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogueError(str(path), [f"unreadable: {exc}"]) from exc
    return catalogue_parse(raw, path=str(path))


def catalogues_read(directory: Path = RULES_DIR) -> dict[str, Catalogue]:
    """Every catalogue version in a directory, by key; a broken file raises (naming it)."""
    out: dict[str, Catalogue] = {}
    for path in sorted(directory.glob(CATALOGUE_GLOB)):
        cat = catalogue_read(path)
        if cat.key in out:
            raise CatalogueError(str(path), [f"catalogue version '{cat.key}' is defined twice"])
        out[cat.key] = cat
    defaults = [c.key for c in out.values() if c.is_default]
    if out and len(defaults) != 1:
        raise CatalogueError(str(directory), [f"exactly one catalogue must be marked default, found {defaults}"])
    return out


@lru_cache(maxsize=1)
def catalogues() -> dict[str, Catalogue]:
    """The catalogues shipped with linsek (read once per process)."""
    return catalogues_read(RULES_DIR)


def catalogue_get(key: str | None = None) -> Catalogue:
    """A catalogue by key (``bawaslu_tps_rawan/pemilu-2024.1``), or the default one."""
    found = catalogues()
    if key:
        if key not in found:
            raise KeyError(f"unknown indicator catalogue '{key}' (known: {', '.join(sorted(found))})")
        return found[key]
    return next(c for c in found.values() if c.is_default)
