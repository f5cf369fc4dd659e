"""Turning a report's frozen content into what the page, the PDF and the XLSX show, in one language.

Only this module knows the shape of the content; the templates and the XLSX writer read its output.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

ABSENT, NO_DATA, OK = "absent", "no_data", "ok"


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _state(section: dict[str, Any] | None) -> str:
    if section is None:
        return ABSENT
    return OK if section.get("state") == OK else NO_DATA


def _pick(row: dict[str, Any], en: bool, base: str = "name") -> str:
    return str(row.get(f"{base}_en") if en and row.get(f"{base}_en") else row.get(f"{base}_id", row.get(base, "")))


def sitrep_view(content: dict[str, Any], language: str) -> dict[str, Any]:
    """The content with names in ``language``, dates as dates, and each section's state."""
    en = language.startswith("en")
    s = content["sections"]
    with translation.override(language):
        view: dict[str, Any] = {
            "language": language,
            "region": content["region"],
            "region_level": content["region"]["level_en" if en else "level_id"],
            "date_from": _d(content["period"]["from"]),
            "date_to": _d(content["period"]["to"]),
            "days": content["period"]["days"],
            "zone": content["period"]["zone"],
            "generated_at": datetime.fromisoformat(content["generated_at"]),
            "final": content["final"],
            "has_data": content["has_data"],
            "states": {k: _state(v) for k, v in s.items()},
            "charts": content["charts"].get("en" if en else "id", {}),
            "audit": content["audit"],
            "comparison": [{**r, "name": _pick(r, en)} for r in content["comparison"]],
        }
        cal = s.get("calendar")
        if _state(cal) == OK:
            view["calendar"] = {
                "current": [
                    {**c, "name": _pick(c, en), "first": _d(c["first"]), "last": _d(c["last"])} for c in cal["current"]
                ],
                "next": [
                    {**c, "name": _pick(c, en), "first": _d(c["first"]), "last": _d(c["last"])} for c in cal["next"]
                ],
                "events": [{**e, "first": _d(e["first"])} for e in cal["events_next_7_days"]],
                "tasks": [_pick(t, en) for t in cal["tasks"]],
            }
        inc = s.get("incidents")
        if _state(inc) == OK:
            view["incidents"] = {
                **inc,
                "delta": inc["total"] - inc["previous_total"],
                "by_kind": [{**k, "name": _pick(k, en), "delta": k["count"] - k["previous"]} for k in inc["by_kind"]],
                "by_status": [{**st, "name": _pick(st, en)} for st in inc["by_status"] if st["count"]],
                "by_area": [
                    {**a, "name": a["name"] or _("(tanpa wilayah)"), "delta": a["count"] - a["previous"]}
                    for a in inc["by_area"]
                ],
                "notable": [{**n, "kind_name": n["kind_en"] if en else n["kind_id"]} for n in inc["notable"]],
            }
        kam = s.get("kamtibmas")
        if _state(kam) == OK:
            view["kamtibmas"] = {
                "levels": [{**lv, "name": _pick(lv, en)} for lv in kam["levels"]],
                "areas": [{**a, "level_name": _pick(a, en)} for a in kam["areas"]],
            }
        cases = s.get("cases")
        if _state(cases) == OK:
            labels = {
                "overdue": _("Lewat batas waktu"),
                "at_risk_80": _("Sisa waktu < 20%"),
                "at_risk_50": _("Sisa waktu < 50%"),
                "on_time": _("Sesuai waktu"),
                "closed": _("Selesai"),
            }
            view["cases"] = {
                "open": cases["open"],
                "rows": [
                    {"code": k, "name": labels[k], "value": cases["counts"][k], "previous": cases["previous"][k]}
                    for k in labels
                ],
            }
        dep = s.get("deployment")
        if _state(dep) == OK:
            view["deployment"] = dep
        elif dep is not None:
            view["deployment_drafts"] = dep.get("drafts", 0)
        acts = s.get("actions")
        if _state(acts) == OK:
            view["actions"] = {**acts, "overdue": [{**a, "due": _d(a["due"])} for a in acts["overdue"]]}
        view["logistics"] = s.get("logistics") if _state(s.get("logistics")) == OK else None
    return view


def section_titles() -> dict[str, str]:
    """Section headings in the active language (for the XLSX sheets and the absent-section lines)."""
    return {
        "calendar": _("Tahapan dan kalender"),
        "incidents": _("Laporan masuk"),
        "kamtibmas": _("Status Kamtibmas per wilayah"),
        "cases": _("Perkara pidana pemilu"),
        "deployment": _("Kesiapan pengamanan"),
        "logistics": _("Logistik"),
        "actions": _("Tindak lanjut rapat"),
    }
