"""Reads of reports, always through the viewer's need-to-know scope (``visibility.ReportScope``).

Lists, the map layer, the agency queue, the district status, exports, the API and (through the same
scope's predicate) the live stream all start from :func:`reports_visible_to`. Heavy views read plain
tuples (``values_list``) so that 5,000 open reports cost a few milliseconds, not a model per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from linsek.incidents.models import OPEN_STATUSES, DuplicateDismissal, Report, ReportEvent, ReportRecipient
from linsek.incidents.picture import DupFacts, DuplicatePair, OpenReportFacts, district_status, duplicate_pairs_for
from linsek.incidents.rules import StatusLevel, intake_limits, status_rules
from linsek.incidents.visibility import ReportScope, report_scope


@dataclass(frozen=True)
class ReportFilters:
    kind: str = ""
    group: str = ""
    severity_min: int = 0
    status: str = ""  # a status code, or "open"
    district_id: int | None = None
    organisation_id: int | None = None
    since: datetime | None = None
    needs_verification: bool | None = None


def reports_visible_to(
    viewer: Any, *, filters: ReportFilters | None = None, scope: ReportScope | None = None
) -> QuerySet[Report]:
    """Reports the viewer may see, filtered, newest first."""
    scope = scope or report_scope(viewer)
    if scope.nothing:
        return Report.objects.none()
    qs = Report.objects.filter(scope.q())
    f = filters or ReportFilters()
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.group:
        from linsek.incidents.rules import taxonomy

        qs = qs.filter(kind__in=[k.code for k in taxonomy().kinds.values() if k.group == f.group])
    if f.severity_min:
        qs = qs.filter(severity__gte=f.severity_min)
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.district_id:
        qs = qs.filter(district_id=f.district_id)
    if f.organisation_id:
        qs = qs.filter(
            Exists(ReportRecipient.objects.filter(report_id=OuterRef("pk"), organisation_id=f.organisation_id))
        )
    if f.since is not None:
        qs = qs.filter(updated_at__gte=f.since)
    if f.needs_verification is not None:
        qs = qs.filter(needs_verification=f.needs_verification)
    return qs.order_by("-received_at", "-id")


def reports_queue_for(viewer: Any, *, organisation_id: int, scope: ReportScope | None = None) -> QuerySet[Report]:
    """An agency's queue: open reports routed to it, most severe and oldest unacknowledged first."""
    qs = reports_visible_to(viewer, filters=ReportFilters(status="open", organisation_id=organisation_id), scope=scope)
    return qs.select_related("lead_org", "district", "handled_by").order_by("status", "-severity", "received_at")


@dataclass(frozen=True)
class DistrictStatus:
    district_id: int
    code: str
    name: str
    lat: float | None
    lon: float | None
    level: StatusLevel
    score: int
    open_reports: int


def district_statuses(
    viewer: Any, *, regency_id: int | None = None, scope: ReportScope | None = None
) -> list[DistrictStatus]:
    """The Kamtibmas status (aman / waspada / siaga, ``rules/status.json``) of every district the viewer sees.

    Computed from the open reports *visible to the viewer*, so the colours never reveal hidden reports.
    """
    from django.db.models import Count

    from linsek.regions.models import Region

    rules = status_rules()
    per_district: dict[int, list[OpenReportFacts]] = {}
    counts: dict[int, int] = {}
    rows = (
        reports_visible_to(viewer, filters=ReportFilters(status="open"), scope=scope)
        .order_by()
        .values_list("district_id", "severity", "crowd_level")
        .annotate(n=Count("id"))
    )
    for district_id, severity, crowd, n in rows:  # at most districts × 4 severities × 4 crowd levels rows
        if district_id is not None:
            per_district.setdefault(district_id, []).append(OpenReportFacts(severity, crowd, n))
            counts[district_id] = counts.get(district_id, 0) + n
    districts = Region.objects.filter(level="district")
    if regency_id is not None:
        districts = districts.filter(parent_id=regency_id)
    out = []
    for did, code, name, lat, lon in districts.order_by("code").values_list("id", "code", "name", "lat", "lon"):
        facts = per_district.get(did, [])
        level, score = district_status(facts, rules)
        out.append(DistrictStatus(did, code, name, lat, lon, level, score, counts.get(did, 0)))
    return out


MapRow = tuple[int, str, int, str, str, float | None, float | None, str]


def report_map_rows(viewer: Any, *, filters: ReportFilters | None = None, limit: int = 10_000) -> list[MapRow]:
    """(id, kind, severity, crowd_level, status, lat, lon, title) of visible reports with a point, newest first."""
    qs = reports_visible_to(viewer, filters=filters).filter(lat__isnull=False)
    return list(qs.values_list("id", "kind", "severity", "crowd_level", "status", "lat", "lon", "title")[:limit])


def report_timeline(report: Report) -> QuerySet[ReportEvent]:
    """The timeline of a report the caller already fetched through ``access_report``."""
    return ReportEvent.objects.filter(report=report).select_related("organisation").order_by("at", "id")


def report_recipients(report: Report) -> list[tuple[str, str, int]]:
    """(organisation name, role, organisation id) of a report the caller already fetched."""
    return [
        (name, role, org_id)
        for name, role, org_id in ReportRecipient.objects.filter(report=report)
        .order_by("role", "organisation__name")
        .values_list("organisation__name", "role", "organisation_id")
    ]


def duplicate_suggestions(viewer: Any, *, report: Report, scope: ReportScope | None = None) -> list[DuplicatePair]:
    """Visible reports that look like duplicates of this one (same kind, near, close in time), not dismissed."""
    limits = intake_limits()
    from datetime import timedelta

    window = timedelta(minutes=limits.duplicate_window_minutes)
    candidates = (
        reports_visible_to(viewer, scope=scope)
        .filter(
            kind=report.kind, observed_at__gte=report.observed_at - window, observed_at__lte=report.observed_at + window
        )
        .exclude(status="rejected")
        .values_list("id", "kind", "observed_at", "tps_id", "lat", "lon")[:200]
    )
    facts = [DupFacts(*row) for row in candidates]
    target = DupFacts(report.pk, report.kind, report.observed_at, report.tps_id, report.lat, report.lon)
    dismissed = {
        tuple(sorted(pair))
        for pair in DuplicateDismissal.objects.filter(report_id__in=[report.pk]).values_list("report_id", "other_id")
    } | {
        tuple(sorted(pair))
        for pair in DuplicateDismissal.objects.filter(other_id__in=[report.pk]).values_list("report_id", "other_id")
    }
    pairs = duplicate_pairs_for(
        [target], facts, radius_m=limits.duplicate_radius_m, window_minutes=limits.duplicate_window_minutes
    )
    return [p for p in pairs if tuple(sorted((p.report_id, p.other_id))) not in dismissed]


def duplicate_flags_live(viewer: Any, *, reports: Iterable[Report], scope: ReportScope | None = None) -> set[int]:
    """Which of these (listed) reports have a possible duplicate among the open visible ones near them in time.

    Computed on the spot (tests, small lists); the dashboard reads the worker's ``suggested_duplicate`` instead.
    """
    from datetime import timedelta

    limits = intake_limits()
    targets = [DupFacts(r.pk, r.kind, r.observed_at, r.tps_id, r.lat, r.lon) for r in reports]
    if not targets:
        return set()
    window = timedelta(minutes=limits.duplicate_window_minutes)
    rows = (
        reports_visible_to(viewer, filters=ReportFilters(status="open"), scope=scope)
        .filter(
            kind__in={t.kind for t in targets},
            observed_at__gte=min(t.observed_at for t in targets) - window,
            observed_at__lte=max(t.observed_at for t in targets) + window,
        )
        .values_list("id", "kind", "observed_at", "tps_id", "lat", "lon")
        .order_by()[:20_000]
    )
    pairs = duplicate_pairs_for(
        targets,
        [DupFacts(*r) for r in rows],
        radius_m=limits.duplicate_radius_m,
        window_minutes=limits.duplicate_window_minutes,
    )
    ids = {t.id for t in targets}
    return {i for p in pairs for i in (p.report_id, p.other_id) if i in ids}


EXPORT_COLUMNS = (
    "reference",
    "kind",
    "severity",
    "crowd_level",
    "status",
    "classification",
    "observed_at",
    "received_at",
    "district",
    "village",
    "tps",
    "lat",
    "lon",
    "title",
    "description",
    "lead",
    "channel",
    "needs_verification",
)


def reports_export_rows(viewer: Any, *, filters: ReportFilters | None = None) -> Iterable[list[Any]]:
    """Rows for CSV/XLSX export: never the reporter's name, phone or NIK (issue 4 §10)."""
    qs = reports_visible_to(viewer, filters=filters).values_list(
        "id",
        "kind",
        "severity",
        "crowd_level",
        "status",
        "classification",
        "observed_at",
        "received_at",
        "district__name",
        "village__name",
        "tps__code",
        "lat",
        "lon",
        "title",
        "description",
        "lead_org__name",
        "channel",
        "needs_verification",
    )
    for row in qs.iterator(chunk_size=2000):
        yield [f"L{row[0]}", *row[1:]]
