"""Fetching one report for a viewer, and what the viewer's organisation is to it.

``access_report`` is the only way to get one report for a person: "not found" whether it is missing or
hidden. ``report_relation`` says whether the viewer's organisation receives it (lead or escalated),
supports it (support or inform), commands it (the command post), or is its reporter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from linsek.core.errors import Forbidden, NotFound
from linsek.incidents.models import Attachment, Report, ReportRecipient
from linsek.incidents.visibility import ReportScope, identity_visible, report_can, report_scope


def access_report(*, viewer: Any, report_id: int, scope: ReportScope | None = None, for_update: bool = False) -> Report:
    scope = scope or report_scope(viewer)
    if scope.nothing:
        raise NotFound("laporan tidak ditemukan")
    qs = Report.objects.filter(scope.q(), pk=report_id)
    if for_update:
        # Lock the row for the caller's transaction; the visibility filter ran in the same statement.
        qs = Report.objects.select_for_update(of=("self",)).filter(pk__in=list(qs.values_list("pk", flat=True)))
    report = qs.select_related("lead_org", "tps", "village", "district", "handled_by").first()
    if report is None:
        raise NotFound("laporan tidak ditemukan")
    return report


def access_attachment(*, viewer: Any, report_id: int, attachment_id: int) -> tuple[Report, Attachment]:
    """An attachment with its report, to whoever may see the report (the same 404 whether either is missing or
    the report is hidden)."""
    report = access_report(viewer=viewer, report_id=report_id)
    attachment = Attachment.objects.filter(report=report, pk=attachment_id).first()
    if attachment is None:
        raise NotFound("lampiran tidak ditemukan")
    return report, attachment


@dataclass(frozen=True)
class Relation:
    receiving: bool  # the viewer's organisation is the lead or an escalation recipient
    supporting: bool  # support or inform recipient
    command: bool  # may act on any report it sees (command post)
    reporter: bool
    can_act: bool
    identity: bool  # may see the reporter's name, phone, NIK

    def require_lead(self) -> None:
        if not (self.can_act and (self.receiving or self.command)):
            raise Forbidden("hanya instansi penanggung jawab atau Posko yang dapat melakukan ini")

    def require_support(self) -> None:
        if not (self.can_act and self.supporting and not self.receiving):
            raise Forbidden("hanya instansi pendukung yang mengajukan penutupan; penanggung jawab langsung menutup")

    def require_any(self) -> None:
        if not (self.can_act and (self.receiving or self.supporting or self.command)):
            raise Forbidden("Anda tidak terlibat dalam penanganan laporan ini")


def report_relation(*, viewer: Any, report: Report, scope: ReportScope | None = None) -> Relation:
    scope = scope or report_scope(viewer)
    roles = dict(
        ReportRecipient.objects.filter(report=report, organisation_id__in=list(scope.org_ids)).values_list(
            "organisation_id", "role"
        )
    )
    receiving_orgs = set(
        ReportRecipient.objects.filter(report=report, role__in=("lead", "escalated")).values_list(
            "organisation_id", flat=True
        )
    )
    receiving = any(r in ("lead", "escalated") for r in roles.values())
    supporting = any(r in ("support", "inform") for r in roles.values())
    command = report_can(viewer, "reports.act_area") or scope.everything
    return Relation(
        receiving=receiving,
        supporting=supporting,
        command=command,
        reporter=report.reporter_id is not None and report.reporter_id == scope.user_id,
        can_act=report_can(viewer, "reports.act") or command,
        identity=identity_visible(scope, reporter_id=report.reporter_id, receiving_org_ids=receiving_orgs),
    )
