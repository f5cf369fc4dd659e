"""The meeting briefing pack: one PDF with the meeting's facts, agenda, the action items carried over (overdue
ones marked), the latest situation report of the meeting's region, and each agency's presentation list."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from linsek.coord.calendar_grid import local_date
from linsek.coord.models import Meeting
from linsek.coord.selectors import meeting_detail
from linsek.reports.content import region_zone, sitrep_build
from linsek.reports.models import SituationReport
from linsek.reports.present import sitrep_view
from linsek.reports.render import html_to_pdf


def briefing_context(*, meeting: Meeting, now: datetime, language: str) -> dict[str, Any]:
    """The latest issued report before the meeting's day, or (none issued) one built now for the day before."""
    zone = region_zone(meeting.region)
    day = local_date(meeting.starts_at, zone)
    report = (
        SituationReport.objects.filter(region=meeting.region, status=SituationReport.Status.ISSUED, date_to__lt=day)
        .order_by("-date_to")
        .first()
    )
    if report is not None:
        content = json.loads(report.content_json)
        sha = report.content_sha256
    else:
        yesterday = day - timedelta(days=1)
        content = sitrep_build(region=meeting.region, date_from=yesterday, date_to=yesterday, now=now)
        sha = ""
    detail = meeting_detail(meeting)
    by_org: dict[str, list[Any]] = {}
    for p in detail["presentations"]:
        by_org.setdefault(p.organisation.name, []).append(p)
    return {
        "meeting": meeting,
        **detail,
        "presentations_by_org": sorted(by_org.items()),
        "v": sitrep_view(content, language),
        "content_sha256": sha,
        "report": report,
        "generated_at": now,
    }


def briefing_pack_pdf(*, meeting: Meeting, now: datetime, language: str = "id") -> bytes:
    with translation.override(language):
        html = render_to_string(
            "reports/briefing_pdf.html", briefing_context(meeting=meeting, now=now, language=language)
        )
    return html_to_pdf(html)
