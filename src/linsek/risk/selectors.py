"""Reads of TPS risk for a viewer: one TPS with its explanation and history, roll-ups, map layers.

Risk categories are shown to every role with ``risk.view`` (Bawaslu publishes its vulnerable-TPS map);
the TPS themselves come through ``regions.selectors`` so that their visibility rule stays there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from linsek.core.codes import LEVEL_ORDER, Level
from linsek.regions.models import PollingStation, Region
from linsek.regions.selectors import regions_within, tps_visible_to
from linsek.risk.access import risk_can
from linsek.risk.catalogue import Catalogue, catalogue_get
from linsek.risk.models import Assessment, CategoryOverride, TpsRisk
from linsek.risk.scoring import Rollup, area_rollup

UNASSESSED = "belum_dinilai"
UNASSESSED_COLOUR = "#9aa3ad"
HISTORY_LIMIT = 25


@dataclass(frozen=True)
class ExplanationRow:
    code: str
    variable: str
    name: str
    value: int
    points: float
    kind: str


@dataclass(frozen=True)
class TpsRiskView:
    tps: PollingStation
    state: TpsRisk | None
    latest: Assessment | None
    catalogue: Catalogue
    rows: list[ExplanationRow]  # indicators that earned points, largest first
    reasons: list[tuple[str, str, str]]  # (rule, category, detail); the deciding one first
    history: list[Assessment]
    overrides: list[CategoryOverride]

    @property
    def category(self) -> str:
        if self.state is not None:
            return self.state.category
        if self.tps.special and self.catalogue.khusus_from_tps_special:
            return self.catalogue.khusus_category
        return UNASSESSED


def tps_risk_view(viewer: Any, *, tps: PollingStation, language: str = "id") -> TpsRiskView | None:
    """The category of one TPS, why, and its history (None when the viewer may not see risk)."""
    if not risk_can(viewer, "risk.view"):
        return None
    state = TpsRisk.objects.filter(tps=tps).select_related("assessment", "override_by").first()
    history = list(
        Assessment.objects.filter(tps=tps)
        .select_related("assessor_person", "assessor_organisation", "created_by")
        .order_by("-assessed_at", "-id")[:HISTORY_LIMIT]
    )
    latest = history[0] if history else None
    if state is not None and state.assessment_id and latest is not None and latest.id != state.assessment_id:
        latest = state.assessment  # an older-dated import never replaces the assessment in force
    cat = catalogue_get(latest.catalogue) if latest is not None and _known(latest.catalogue) else catalogue_get()
    rows: list[ExplanationRow] = []
    reasons: list[tuple[str, str, str]] = []
    if latest is not None:
        for code, value, points in latest.explanation.get("contributions", []):
            ind = cat.indicator(code)
            rows.append(
                ExplanationRow(
                    code,
                    ind.variable if ind else "",
                    ind.name(language) if ind else code,
                    int(value),
                    float(points),
                    ind.kind if ind else "bool",
                )
            )
        reasons = [(str(r[0]), str(r[1]), str(r[2])) for r in latest.explanation.get("reasons", [])]
    overrides = list(CategoryOverride.objects.filter(tps=tps).select_related("actor")[:HISTORY_LIMIT])
    return TpsRiskView(tps, state, latest, cat, rows, reasons, history, overrides)


def _known(key: str) -> bool:
    from linsek.risk.catalogue import catalogues

    return key in catalogues()


def category_counts(viewer: Any, *, region: Region) -> dict[str, int]:
    """TPS per category in force under a region (any level), plus ``belum_dinilai``; one grouped query."""
    if not risk_can(viewer, "risk.view"):
        return {}
    column = {"village": "village", "district": "district", "regency": "regency"}.get(region.level)
    qs = TpsRisk.objects.all()
    qs = qs.filter(**{column: region}) if column else qs.filter(tps__province=region)
    counts = dict(qs.order_by().values_list("category").annotate(n=Count("tps")).values_list("category", "n"))
    counts[UNASSESSED] = max(0, region.tps_count - sum(counts.values()))
    return counts


@dataclass(frozen=True)
class AreaRisk:
    region: Region
    rollup: Rollup
    unassessed: int


def risk_rollup(viewer: Any, *, parent: Region, level: str | None = None) -> list[AreaRisk]:
    """Counts per category and the 0–100 index for each region one level (or ``level``) under ``parent``.

    Two queries whatever the number of TPS: the regions, then one GROUP BY over ``TpsRisk``. The index
    counts TPS with a category in force (assessed, special or overridden); the rest are ``unassessed``.
    """
    if not risk_can(viewer, "risk.view"):
        return []
    levels = [lv.value for lv in LEVEL_ORDER]
    below = level or (levels[levels.index(parent.level) + 1] if parent.level != Level.VILLAGE.value else None)
    if below not in ("district", "village"):
        return []
    regions = list(
        regions_within(viewer, level=below, ancestor=parent).only(
            "id", "code", "name", "level", "kind", "lat", "lon", "tps_count"
        )
    )
    column = "district_id" if below == "district" else "village_id"
    scope = {"regency": "regency", "district": "district"}.get(parent.level)
    qs = TpsRisk.objects.all()
    if scope:
        qs = qs.filter(**{scope: parent})
    grouped: dict[int, dict[str, int]] = {}
    for rid, category, n in (
        qs.order_by().values_list(column, "category").annotate(n=Count("tps")).values_list(column, "category", "n")
    ):
        grouped.setdefault(rid, {})[category] = n
    cat = catalogue_get()
    out = []
    for region in regions:
        counts = grouped.get(region.id, {})
        rollup = area_rollup(cat, {k: v for k, v in counts.items() if k in cat.category_codes()})
        out.append(AreaRisk(region, rollup, max(0, region.tps_count - rollup.total)))
    return out


def risk_layer_rows(
    viewer: Any, *, region: Region
) -> list[tuple[str, float | None, float | None, int, str | None, str]]:
    """(code, lat, lon, voters, category in force or None, special) of every TPS in a region; one query."""
    if not risk_can(viewer, "risk.view"):
        return []
    rows: list[tuple[str, float | None, float | None, int, str | None, str]] = list(
        tps_visible_to(viewer, region=region).values_list(
            "code", "lat", "lon", "voters_total", "risk__category", "special"
        )
    )
    return rows


def village_grid_rows(viewer: Any, *, village: Region) -> list[tuple[PollingStation, dict[str, int]]]:
    """The TPS of a village with the values of their latest assessment (to prefill the grid)."""
    stations = list(tps_visible_to(viewer, region=village))
    states = {
        s.tps_id: s.assessment.values if s.assessment else {}
        for s in TpsRisk.objects.filter(tps__in=stations).select_related("assessment")
    }
    return [(t, states.get(t.id, {})) for t in stations]


def tps_categories_for_planning(*, regency: Region) -> dict[int, str]:
    """The category in force for every TPS of a regency (no viewer: called by the planner's service,
    which checks ``deploy.plan`` itself). Unassessed TPS get the catalogue's ``unassessed_category``;
    special TPS are *khusus*."""
    cat = catalogue_get()
    states = dict(TpsRisk.objects.filter(regency=regency).values_list("tps_id", "category"))
    out: dict[int, str] = {}
    for tid, special in PollingStation.objects.filter(regency=regency).values_list("id", "special"):
        if tid in states:
            out[tid] = states[tid]
        elif special and cat.khusus_from_tps_special:
            out[tid] = cat.khusus_category
        else:
            out[tid] = cat.unassessed_category
    return out
