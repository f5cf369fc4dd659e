"""Reads of plans for a viewer: the list, one plan's posts and teams, a unit's roster, the posts layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from linsek.agencies.models import Organisation
from linsek.agencies.selectors import phone_rule_for
from linsek.deploy.access import deploy_can
from linsek.deploy.models import Assignment, Plan, PlanJob, Post, PostStation
from linsek.deploy.planner import LINMAS, POLICE, TNI
from linsek.regions.models import Region


def plans_visible_to(viewer: Any, *, scope: Region | None = None) -> QuerySet[Plan]:
    if not deploy_can(viewer, "deploy.view"):
        return Plan.objects.none()
    qs = Plan.objects.select_related("scope", "created_by", "approved_by")
    if scope is not None:
        qs = qs.filter(scope=scope)
    return qs.order_by("scope__code", "-version")


@dataclass
class TeamMember:
    person_id: int
    name: str
    rank: str
    phone: str
    unit: str
    unit_code: str
    sector: str
    source: str
    crossing: bool
    distance_m: float


@dataclass
class PostRow:
    post: Post
    stations: list[tuple[str, str, str, str, float | None, float | None]]  # (code, number, village, address, lat, lon)
    team: list[TeamMember]  # police, then TNI, then Linmas

    @property
    def guards(self) -> list[TeamMember]:
        return [m for m in self.team if m.sector != LINMAS]

    @property
    def linmas(self) -> list[TeamMember]:
        return [m for m in self.team if m.sector == LINMAS]


def plan_posts(
    viewer: Any, *, plan: Plan, unit: Organisation | None = None, area: Region | None = None
) -> list[PostRow]:
    """Posts of a plan with TPS and named teams (phones per the viewer's phone rule); four queries.

    ``unit``: only posts the unit covers or where its people serve (its roster). ``area``: one district.
    """
    if not deploy_can(viewer, "deploy.view"):
        return []
    posts_qs = Post.objects.filter(plan=plan).select_related("area", "unit").order_by("number")
    if area is not None:
        posts_qs = posts_qs.filter(area=area)
    if unit is not None:
        serving = Assignment.objects.filter(plan=plan, unit=unit).values_list("post_id", flat=True)
        posts_qs = posts_qs.filter(unit=unit) | Post.objects.filter(plan=plan, id__in=serving).select_related(
            "area", "unit"
        )
        posts_qs = posts_qs.distinct().order_by("number")
    posts = list(posts_qs)
    ids = [p.id for p in posts]
    stations: dict[int, list[tuple[str, str, str, str, float | None, float | None]]] = {}
    for post_id, code, number, village, address, lat, lon in (
        PostStation.objects.filter(post_id__in=ids)
        .order_by("tps__code")
        .values_list(
            "post_id", "tps__code", "tps__number", "tps__village__name", "tps__address", "tps__lat", "tps__lon"
        )
    ):
        stations.setdefault(post_id, []).append((code, f"{number:03d}", village, address, lat, lon))
    rule = phone_rule_for(viewer)
    teams: dict[int, list[TeamMember]] = {}
    for a in (
        Assignment.objects.filter(post_id__in=ids)
        .select_related("person", "unit")
        .order_by("post_id", "sector", "person__full_name")
    ):
        teams.setdefault(a.post_id, []).append(
            TeamMember(
                a.person_id,
                a.person.full_name,
                a.person.rank,
                rule.phone_of(a.person),
                a.unit.short_name or a.unit.name,
                a.unit.code,
                a.sector,
                a.source,
                a.crossing,
                a.distance_m,
            )
        )
    order = {POLICE: 0, TNI: 1, LINMAS: 2}
    for team in teams.values():
        team.sort(key=lambda m: order.get(m.sector, 3))  # stable: names stay sorted within a sector
    return [PostRow(p, stations.get(p.id, []), teams.get(p.id, [])) for p in posts]


def plan_units(viewer: Any, *, plan: Plan) -> list[tuple[Organisation, dict[str, Any]]]:
    """The units of a plan with their totals (from the plan's summary), in code order."""
    if not deploy_can(viewer, "deploy.view"):
        return []
    totals = {row["unit"]: row for row in plan.summary.get("unit_totals", [])}
    orgs = Organisation.objects.filter(id__in=list(totals)).select_related("type").order_by("type__rank", "code")
    return [(o, totals[o.id]) for o in orgs]


def plan_layer_rows(viewer: Any, *, plan: Plan) -> list[dict[str, Any]]:
    """Posts as map features: point, category, status, TPS codes, team names (no phones)."""
    rows = plan_posts(viewer, plan=plan)
    return [
        {
            "key": r.post.key,
            "number": r.post.number,
            "lat": round(r.post.lat, 5),
            "lon": round(r.post.lon, 5),
            "category": r.post.category,
            "status": r.post.status,
            "island": r.post.island,
            "unit": r.post.unit.code if r.post.unit else None,
            "police_needed": r.post.police_needed,
            "linmas_needed": r.post.linmas_needed,
            "tps": [s[0] for s in r.stations],
            "tps_points": [
                [round(s[4], 5), round(s[5], 5)] if s[4] is not None and s[5] is not None else None for s in r.stations
            ],
            "team": [f"{m.rank} {m.name}".strip() for m in r.guards],
            "members": [{"name": m.name, "rank": m.rank, "sector": m.sector, "unit": m.unit} for m in r.team],
        }
        for r in rows
    ]


def plan_jobs_for(viewer: Any, *, scope: Region, limit: int = 5) -> list[PlanJob]:
    """The latest planning jobs of a regency (the page shows their status while the worker runs them)."""
    if not deploy_can(viewer, "deploy.view"):
        return []
    return list(PlanJob.objects.filter(scope=scope).select_related("plan", "requested_by").order_by("-id")[:limit])


def plan_jobs_status(*, batch: str) -> dict[str, Any]:
    """A batch's jobs counted per status, with the per-job times of the finished ones (seconds, sorted)."""
    counts = dict.fromkeys(PlanJob.Status.values, 0)
    times: list[float] = []
    failed: list[tuple[str, str]] = []
    for code, status, seconds, error in (
        PlanJob.objects.filter(batch=batch)
        .order_by("scope__code")
        .values_list("scope__code", "status", "seconds", "error")
    ):
        counts[status] += 1
        if status == PlanJob.Status.DONE and seconds is not None:
            times.append(seconds)
        if status == PlanJob.Status.FAILED:
            failed.append((code, error.splitlines()[0] if error else ""))
    return {"batch": batch, "counts": counts, "total": sum(counts.values()), "times": sorted(times), "failed": failed}
