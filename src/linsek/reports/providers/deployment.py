"""The deployment-readiness section: for the regencies of the report's region, the approved TPS security plan's
coverage and shortfall (police needed vs assigned, TPS without a guard, Linmas short).

Reads the plan summary that ``deploy.services`` writes when a plan is generated (``Plan.summary``); the deploy
app has no read selector for "the approved plan of a regency" yet, so this provider is the one place that reads
its plan table — to move behind a ``deploy.selectors`` function when there is one.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps

from linsek.reports.providers import Period, Section, no_data


def provide_deployment(period: Period) -> Section:
    if not apps.is_installed("linsek.deploy"):
        return None
    try:
        from linsek.deploy.models import Plan
    except ImportError:
        return None
    region = period.region
    if region.level == "province":
        plans = Plan.objects.filter(scope__parent=region)
    elif region.level == "regency":
        plans = Plan.objects.filter(scope=region)
    else:
        plans = Plan.objects.filter(scope__code=".".join(region.code.split(".")[:2]))
    approved = list(
        plans.filter(status="approved", approved_at__lt=period.end).select_related("scope").order_by("scope__code")
    )
    drafts = plans.filter(created_at__lt=period.end).exclude(status="approved").count()
    if not approved:
        return no_data(drafts=drafts) if drafts or plans.exists() else no_data()
    prefix = region.code + "." if region.level in ("district", "village") else ""
    totals: dict[str, Any] = {
        "tps": 0,
        "police_needed": 0,
        "police_assigned": 0,
        "tni_needed": 0,
        "tni_assigned": 0,
        "uncovered_tps": 0,
        "partial_tps": 0,
        "linmas_short": 0,
    }
    rows = []
    for plan in approved:
        s = plan.summary or {}
        uncovered = [c for c in s.get("uncovered_tps", []) if not prefix or str(c).startswith(prefix)]
        partial = [c for c in s.get("partial_tps", []) if not prefix or str(c).startswith(prefix)]
        row = {
            "regency": plan.scope.name,
            "version": plan.version,
            "approved_at": plan.approved_at.isoformat() if plan.approved_at else "",
            "tps": int(s.get("tps", 0)),
            "police_needed": int(s.get("police_needed", 0)),
            "police_assigned": int(s.get("police_assigned", 0)),
            "tni_needed": int(s.get("tni_needed", 0)),
            "tni_assigned": int(s.get("tni_assigned", 0)),
            "uncovered_tps": len(uncovered),
            "partial_tps": len(partial),
            "linmas_short": int((s.get("linmas") or {}).get("short", 0)),
        }
        rows.append(row)
        for k in totals:
            totals[k] += row[k]
    totals["police_shortfall"] = max(0, totals["police_needed"] - totals["police_assigned"])
    totals["coverage"] = (
        round(100.0 * (totals["tps"] - totals["uncovered_tps"]) / totals["tps"], 1) if totals["tps"] else None
    )
    return {
        "state": "ok",
        "plans": rows,
        "totals": totals,
        "drafts": drafts,
        "note": "district figures: TPS counts of the district; personnel totals are the regency plan's"
        if prefix
        else "",
    }
