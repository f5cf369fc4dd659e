"""Building the content of a situation report: every provider's section, the comparison with the previous
period, the charts and the map (both languages), the audit anchor, and the canonical JSON that is hashed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings

from linsek.coord.calendar_grid import range_bounds
from linsek.regions.models import Region
from linsek.reports import svg
from linsek.reports.providers import Period
from linsek.reports.providers.actions import provide_actions
from linsek.reports.providers.audit import provide_audit
from linsek.reports.providers.calendar import provide_calendar
from linsek.reports.providers.cases import provide_cases
from linsek.reports.providers.deployment import provide_deployment
from linsek.reports.providers.incidents import provide_incidents
from linsek.reports.providers.logistics import provide_logistics

SCHEMA = 1
MAX_RANGE_DAYS = 92
KIND_NAMES = {
    "provinsi": ("Provinsi", "Province"),
    "kabupaten": ("Kabupaten", "Regency"),
    "kota": ("Kota", "City"),
    "kecamatan": ("Kecamatan", "District"),
    "desa": ("Desa", "Village"),
    "kelurahan": ("Kelurahan", "Urban village"),
}
CHART_TEXT = {
    "id": {
        "per_day": "Laporan per hari",
        "per_area": "Laporan per wilayah",
        "map": "Status Kamtibmas per wilayah",
        "today": "periode ini",
        "previous": "periode sebelumnya",
    },
    "en": {
        "per_day": "Reports per day",
        "per_area": "Reports per area",
        "map": "Security status per area",
        "today": "this period",
        "previous": "previous period",
    },
}


def region_zone(region: Region) -> str:
    """The region's display zone, inherited from the nearest ancestor that sets one."""
    parts = region.code.split(".")
    codes = [".".join(parts[: i + 1]) for i in range(len(parts))]
    zones = dict(Region.objects.filter(code__in=codes).exclude(time_zone="").values_list("code", "time_zone"))
    for code in reversed(codes):
        if code in zones:
            return zones[code]
    return str(settings.TIME_ZONE)


def period_for(*, region: Region, date_from: date, date_to: date, now: datetime) -> Period:
    zone = region_zone(region)
    start, end = range_bounds(date_from, date_to, zone)
    days = (date_to - date_from).days + 1
    prev_start, _ = range_bounds(date_from - timedelta(days=days), date_from - timedelta(days=1), zone)
    return Period(region, date_from, date_to, start, end, prev_start, zone, now)


def _comparison(sections: dict[str, Any]) -> list[dict[str, Any]]:
    """The few figures worth comparing with the previous period (only those whose section has data)."""
    rows: list[dict[str, Any]] = []
    inc = sections.get("incidents")
    if inc and inc.get("state") == "ok":
        rows.append(
            {
                "metric": "reports_total",
                "name_id": "Laporan masuk",
                "name_en": "Reports received",
                "value": inc["total"],
                "previous": inc["previous_total"],
            }
        )
        for k in inc["by_kind"][:5]:
            rows.append(
                {
                    "metric": f"kind:{k['code']}",
                    "name_id": k["name_id"],
                    "name_en": k["name_en"],
                    "value": k["count"],
                    "previous": k["previous"],
                }
            )
    cases = sections.get("cases")
    if cases and cases.get("state") == "ok":
        rows.append(
            {
                "metric": "cases_overdue",
                "name_id": "Perkara lewat batas waktu",
                "name_en": "Cases overdue",
                "value": cases["counts"]["overdue"],
                "previous": cases["previous"]["overdue"],
            }
        )
    acts = sections.get("actions")
    if acts and acts.get("state") == "ok":
        rows.append(
            {
                "metric": "actions_overdue",
                "name_id": "Tindak lanjut lewat tenggat",
                "name_en": "Action items overdue",
                "value": acts["overdue_total"],
                "previous": acts["previous_overdue_total"],
            }
        )
    for r in rows:
        r["delta"] = r["value"] - r["previous"]
    return rows


def _charts(period: Period, sections: dict[str, Any]) -> dict[str, dict[str, str]]:
    inc = sections.get("incidents")
    kam = sections.get("kamtibmas")
    charts: dict[str, dict[str, str]] = {}
    areas = (
        Region.objects.filter(parent=period.region)
        .order_by("code")
        .values_list("code", "name", "lat", "lon", "boundary")
    )
    status_by_code = {a["code"]: a for a in (kam or {}).get("areas", [])} if kam and kam.get("state") == "ok" else {}
    count_by_code = (
        {a["code"]: a["count"] for a in (inc or {}).get("by_area", [])} if inc and inc.get("state") == "ok" else {}
    )
    for lang, text in CHART_TEXT.items():
        out: dict[str, str] = {}
        if inc and inc.get("state") == "ok":
            out["per_day"] = svg.bar_chart(
                [(d["date"][8:10] + "/" + d["date"][5:7], d["count"]) for d in inc["per_day"]], title=text["per_day"]
            )
            if inc["by_area"]:
                out["per_area"] = svg.hbar_chart(
                    [(a["name"] or "—", a["count"], a["previous"]) for a in inc["by_area"]],
                    title=text["per_area"],
                    legend=(text["today"], text["previous"]),
                )
        map_areas = [
            svg.MapArea(
                code,
                name,
                lat,
                lon,
                boundary or "",
                status_by_code.get(code, {}).get("colour", "#c9d1dc"),
                count_by_code.get(code, 0),
            )
            for code, name, lat, lon, boundary in areas
        ]
        if map_areas and period.child_level != "village":
            legend = (
                [
                    (lv["colour"], lv["name_en"] if lang == "en" else lv["name_id"])
                    for lv in (kam or {}).get("levels", [])
                ]
                if status_by_code
                else []
            )
            out["map"] = svg.area_map(map_areas, title=text["map"], legend=legend)
        charts[lang] = out
    return charts


def sitrep_build(*, region: Region, date_from: date, date_to: date, now: datetime) -> dict[str, Any]:
    """Everything the report states, as plain JSON-ready data (language-neutral)."""
    period = period_for(region=region, date_from=date_from, date_to=date_to, now=now)
    incidents, kamtibmas = provide_incidents(period)
    sections: dict[str, Any] = {
        "calendar": provide_calendar(period),
        "incidents": incidents,
        "kamtibmas": kamtibmas,
        "cases": provide_cases(period),
        "deployment": provide_deployment(period),
        "logistics": provide_logistics(period),
        "actions": provide_actions(period),
    }
    cal = sections["calendar"]
    calendar_has = bool(cal and cal.get("state") == "ok" and (cal["current"] or cal["events_next_7_days"]))
    has_data = calendar_has or any(
        (s or {}).get("state") == "ok" for k, s in sections.items() if k not in ("calendar", "kamtibmas")
    )
    level = KIND_NAMES.get(region.kind, (region.kind, region.kind))
    return {
        "schema": SCHEMA,
        "region": {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "level_id": level[0],
            "level_en": level[1],
            "tps": region.tps_count,
            "voters": region.voters_total,
        },
        "period": {
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "days": period.days,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "zone": period.zone,
        },
        "generated_at": now.isoformat(timespec="seconds"),
        "final": now >= period.end,
        "has_data": has_data,
        "sections": sections,
        "comparison": _comparison(sections),
        "charts": _charts(period, sections),
        "audit": provide_audit(period),
    }


def canonical_json(content: dict[str, Any]) -> str:
    """The one text that is stored and hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
