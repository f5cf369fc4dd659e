"""The field-report sections: reports by kind, area and status with the notable ones, the per-day series, and
the Kamtibmas status per area.

Read through the incidents app's own selector (``reports_visible_to``) with a *report scope* that the situation
report holds: every non-restricted report of its region, like the command post of that region. Restricted
(intelligence) reports are counted in one anonymous figure and never listed. Only grouped queries: a province
with 100,000 reports costs a handful of aggregates, not a row per report. Kamtibmas levels come from the
incidents app's status rules and its pure ``district_status``; the open reports are those open when the report
is built (the report is built the morning after its day, so that is the status at the day's close).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from linsek.reports.providers import COLUMN, Period, Section, no_data

NOTABLE_LIMIT = 15
NOTABLE_MIN_SEVERITY = 3
NOTABLE_CROWD = ("kuning", "merah")


def _scope(period: Period, *, restricted: bool) -> Any:
    from linsek.incidents.visibility import ReportScope

    return ReportScope(
        everything=False,
        user_id=None,
        org_ids=frozenset(),
        area_ids=frozenset({period.region.pk}),
        own=False,
        routed=False,
        area_public=True,
        area_all=True,
        restricted=restricted,
    )


def _base(period: Period, *, restricted: bool = False) -> Any:
    from linsek.incidents.selectors import reports_visible_to

    return reports_visible_to(None, scope=_scope(period, restricted=restricted)).order_by()


def provide_incidents(period: Period) -> tuple[Section, Section]:
    """(the reports section, the Kamtibmas section); both None when the incidents app is absent."""
    if not apps.is_installed("linsek.incidents"):
        return None, None
    from linsek.incidents.models import OPEN_STATUSES, Status
    from linsek.incidents.picture import OpenReportFacts, district_status
    from linsek.incidents.rules import status_rules, taxonomy

    qs = _base(period)
    if not qs.filter(received_at__lt=period.end).exists():
        return no_data(), no_data()
    start, end, prev = period.start, period.end, period.prev_start
    in_period = Q(received_at__gte=start, received_at__lt=end)
    in_prev = Q(received_at__gte=prev, received_at__lt=start)
    window = qs.filter(received_at__gte=prev, received_at__lt=end)
    tax = taxonomy()

    by_kind_rows = window.values("kind").annotate(n=Count("id", filter=in_period), p=Count("id", filter=in_prev))
    by_kind = []
    for row in by_kind_rows:
        kind = tax.kinds.get(row["kind"])
        by_kind.append(
            {
                "code": row["kind"],
                "name_id": kind.name_id if kind else row["kind"],
                "name_en": kind.name_en if kind else row["kind"],
                "group": kind.group if kind else "",
                "count": row["n"],
                "previous": row["p"],
            }
        )
    by_kind.sort(key=lambda r: (-r["count"], -r["previous"], r["code"]))

    by_status = dict(qs.filter(in_period).values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    from django.utils import translation

    statuses = []
    for s in Status:
        with translation.override("id"):
            name_id = str(s.label)
        with translation.override("en"):
            name_en = str(s.label)
        statuses.append({"code": s.value, "name_id": name_id, "name_en": name_en, "count": by_status.get(s.value, 0)})

    child = period.child_level
    areas: list[dict[str, Any]] = []
    kamtibmas: Section = None
    if child is not None:
        from linsek.regions.models import Region

        column = COLUMN[child]
        counts = {
            r[f"{column}_id"]: r
            for r in window.values(f"{column}_id").annotate(
                n=Count("id", filter=in_period), p=Count("id", filter=in_prev)
            )
        }
        facts: dict[int | None, list[OpenReportFacts]] = {}
        open_rows = (
            qs.filter(received_at__lt=end, status__in=OPEN_STATUSES)
            .values_list(f"{column}_id", "severity", "crowd_level")
            .annotate(n=Count("id"))
        )
        for area_id, severity, crowd, n in open_rows:
            facts.setdefault(area_id, []).extend([OpenReportFacts(severity, crowd or "")] * n)
        rules = status_rules()
        children = Region.objects.filter(parent=period.region).order_by("code").values_list("id", "code", "name")
        level_counts: dict[str, int] = {lv.code: 0 for lv in rules.levels}
        status_rows = []
        for area_id, code, name in children:
            c = counts.get(area_id, {})
            area_facts = facts.get(area_id, [])
            level, score = district_status(area_facts, rules)
            level_counts[level.code] += 1
            areas.append(
                {"code": code, "name": name, "count": c.get("n", 0), "previous": c.get("p", 0), "open": len(area_facts)}
            )
            status_rows.append(
                {
                    "code": code,
                    "name": name,
                    "level": level.code,
                    "name_id": level.name_id,
                    "name_en": level.name_en,
                    "colour": level.colour,
                    "score": score,
                    "open": len(area_facts),
                }
            )
        unplaced = counts.get(None, {})
        if unplaced.get("n") or unplaced.get("p"):
            areas.append(
                {
                    "code": "",
                    "name": "",
                    "count": unplaced.get("n", 0),
                    "previous": unplaced.get("p", 0),
                    "open": len(facts.get(None, [])),
                }
            )
        kamtibmas = {
            "state": "ok",
            "level": child,
            "rules_version": rules.version,
            "levels": [
                {
                    "code": lv.code,
                    "name_id": lv.name_id,
                    "name_en": lv.name_en,
                    "colour": lv.colour,
                    "areas": level_counts[lv.code],
                }
                for lv in rules.levels
            ],
            "areas": status_rows,
        }

    notable_q = in_period & (Q(severity__gte=NOTABLE_MIN_SEVERITY) | Q(crowd_level__in=NOTABLE_CROWD))
    notable_total = qs.filter(notable_q).count()
    notable = []
    for r in (
        qs.filter(notable_q)
        .select_related("district", "village")
        .only(
            "id",
            "kind",
            "severity",
            "crowd_level",
            "status",
            "title",
            "description",
            "observed_at",
            "district__name",
            "village__name",
        )
        .order_by("-severity", "observed_at", "id")[:NOTABLE_LIMIT]
    ):
        kind = tax.kinds.get(r.kind)
        notable.append(
            {
                "ref": f"L{r.pk}",
                "kind": r.kind,
                "kind_id": kind.name_id if kind else r.kind,
                "kind_en": kind.name_en if kind else r.kind,
                "severity": r.severity,
                "crowd": r.crowd_level,
                "status": r.status,
                "summary": (r.title or r.description)[:140],
                "district": r.district.name if r.district else "",
                "village": r.village.name if r.village else "",
                "observed_at": r.observed_at.astimezone(ZoneInfo(period.zone)).strftime("%Y-%m-%d %H:%M"),
            }
        )

    days_back = 6
    series_start = period.start - timedelta(days=days_back)
    per_day_rows = dict(
        qs.filter(received_at__gte=series_start, received_at__lt=end)
        .annotate(day=TruncDate("received_at", tzinfo=ZoneInfo(period.zone)))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    per_day = []
    for i in range((period.date_to - period.date_from).days + days_back + 1):
        d = period.date_from - timedelta(days=days_back) + timedelta(days=i)
        per_day.append({"date": d.isoformat(), "count": int(per_day_rows.get(d, 0))})

    total = sum(r["count"] for r in by_kind)
    # The scope with restricted reports sees them too; the difference is their number, never their content.
    restricted = _base(period, restricted=True).filter(in_period).count() - total
    section = {
        "state": "ok",
        "total": total,
        "previous_total": sum(r["previous"] for r in by_kind),
        "open_total": qs.filter(received_at__lt=end, status__in=OPEN_STATUSES).count(),
        "restricted": restricted,
        "by_kind": [r for r in by_kind if r["count"] or r["previous"]],
        "by_status": statuses,
        "by_area": areas,
        "area_level": child,
        "notable": notable,
        "notable_total": notable_total,
        "per_day": per_day,
        "taxonomy_version": tax.version,
    }
    return section, kamtibmas
