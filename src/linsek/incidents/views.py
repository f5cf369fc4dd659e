"""Pages of the incidents app (mounted at ``/laporan/``): thin — parse, call a selector or service, render.

- ``/laporan/``            the common picture: filters, district status, map and list, live through SSE
- ``/laporan/baru/``       the mobile report form (installable; unsent reports wait on the phone)
- ``/laporan/kirim/``      its JSON endpoint (session + CSRF; same writer as the API)
- ``/laporan/antrian/``    the agency queue with bulk triage
- ``/laporan/<id>/``       one report: routing and reason, timeline, actions, duplicates
"""

from __future__ import annotations

import csv
from datetime import datetime
from typing import Any

import orjson
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linsek.core.errors import DomainError, Forbidden, ValidationFailed
from linsek.core.middleware import current_client_addr, current_request_id
from linsek.core.uploads import private_file_response
from linsek.incidents.access import access_attachment, access_report, report_relation
from linsek.incidents.lifecycle import allowed_actions
from linsek.incidents.models import Classification, RejectReason, Status
from linsek.incidents.rules import intake_limits, status_rules, taxonomy
from linsek.incidents.selectors import (
    EXPORT_COLUMNS,
    ReportFilters,
    district_statuses,
    duplicate_suggestions,
    report_map_rows,
    report_recipients,
    report_timeline,
    reports_export_rows,
    reports_queue_for,
    reports_visible_to,
)
from linsek.incidents.services import (
    actor_for,
    attachment_add,
    duplicate_dismiss,
    report_closure_decline,
    report_closure_request,
    report_handling_claim,
    report_handling_release,
    report_merge,
    report_note_add,
    report_reassign,
    reports_bulk_reassign,
    reports_bulk_transition,
    reports_submit,
)
from linsek.incidents.visibility import report_can, report_scope
from linsek.web.errors import json_error, json_response, layer, page

LIST_LIMIT = 100


def _filters(request: HttpRequest) -> ReportFilters:
    def as_int(name: str) -> int | None:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else None

    status = request.GET.get("status", "open")
    return ReportFilters(
        kind=request.GET.get("kind", "") if request.GET.get("kind", "") in taxonomy().kinds else "",
        severity_min=as_int("severity") or 0,
        status=status if status in {*Status.values, "open"} else "",
        district_id=as_int("district"),
        organisation_id=as_int("org"),
    )


def _kind_names() -> dict[str, str]:
    return {k.code: k.name_id for k in taxonomy().kinds.values()}


@page
def dashboard(request: HttpRequest) -> HttpResponse:
    """The common picture for the viewer's area."""
    from linsek.agencies.models import Organisation

    scope = report_scope(request.user)
    filters = _filters(request)
    reports = list(
        reports_visible_to(request.user, filters=filters, scope=scope).select_related(
            "district", "lead_org", "handled_by"
        )[:LIST_LIMIT]
    )
    statuses = district_statuses(request.user, scope=scope)
    flagged = {r.pk for r in reports if r.suggested_duplicate_id}
    context = {
        "reports": reports,
        "flagged": flagged,
        "statuses": [s for s in statuses if s.open_reports or s.district_id in scope.area_ids or scope.area_all],
        "status_levels": status_rules().levels,
        "filters": filters,
        "kinds": _kind_names(),
        "status_names": dict(Status.choices),
        "status_choices": Status.choices,
        "districts": [(s.district_id, s.name) for s in statuses],
        # Village-level bodies (PPS, KPPS) are too many for a filter list; their district's bodies stand for them.
        "organisations": Organisation.objects.filter(
            active=True, **({} if scope.area_all else {"id__in": list(scope.org_ids)})
        )
        .exclude(type__level="village")
        .order_by("name")
        .values_list("id", "name")[:300],
        "stream_query": request.GET.urlencode(),
        "can_submit": report_can(request.user, "reports.submit"),
        "can_export": report_can(request.user, "reports.export"),
    }
    return render(request, "incidents/dashboard.html", context)


@layer
def map_layer(request: HttpRequest) -> HttpResponse:
    """Points of the visible reports and the district status, for the dashboard's map."""
    rows = report_map_rows(request.user, filters=_filters(request))
    statuses = district_statuses(request.user)
    return json_response(
        {
            "fields": ["id", "kind", "severity", "crowd_level", "status", "lat", "lon", "title"],
            "reports": rows,
            "districts": [
                {
                    "id": s.district_id,
                    "code": s.code,
                    "name": s.name,
                    "lat": s.lat,
                    "lon": s.lon,
                    "status": s.level.code,
                    "label": s.level.name_id,
                    "colour": s.level.colour,
                    "open": s.open_reports,
                }
                for s in statuses
            ],
        }
    )


@page
def report_form(request: HttpRequest) -> HttpResponse:
    """The mobile form; it posts JSON to :func:`report_submit_json` and keeps unsent reports in IndexedDB."""
    if not report_can(request.user, "reports.submit"):
        raise Forbidden(_("Anda tidak berhak mengirim laporan"))
    tax = taxonomy()
    context = {
        "kinds": sorted(tax.kinds.values(), key=lambda k: (k.group, k.name_id)),
        "groups": tax.groups,
        "crowd_levels": tax.crowd_levels.values(),
        "limits": intake_limits(),
        "classifications": Classification.choices,
        "default_tps": "",
    }
    return render(request, "incidents/report_form.html", context)


@require_POST
@layer
def report_submit_json(request: HttpRequest) -> HttpResponse:
    """JSON intake for the browser (session + CSRF header); the same answers as ``POST /api/v1/reports``."""
    if not report_can(request.user, "reports.submit"):
        return json_error(403, "forbidden", _("Anda tidak berhak mengirim laporan"))
    try:
        payload = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        return json_error(400, "bad_request", "body is not JSON")
    items = payload["reports"] if isinstance(payload, dict) and isinstance(payload.get("reports"), list) else [payload]
    if not items or len(items) > intake_limits().batch_max:
        return json_error(422, "invalid", f"1–{intake_limits().batch_max} laporan per kiriman")
    outcomes = reports_submit(
        actor=actor_for(request.user, channel="web"),
        items=[i if isinstance(i, dict) else {"_": i} for i in items],
        now=timezone.now(),
        request_id=current_request_id.get(),
        client_addr=current_client_addr.get(),
    )
    if isinstance(payload, dict) and "reports" in payload:
        return json_response({"results": [{**o.body, "http_status": o.http_status} for o in outcomes]})
    return json_response(outcomes[0].body, status=outcomes[0].http_status)


@page
@require_GET
def attachment_download(request: HttpRequest, report_id: int, attachment_id: int) -> HttpResponse:
    """An attachment, to whoever may see its report (the same 404 whether the report is missing or hidden);
    the only way to a stored file: ``MEDIA_ROOT`` is not served."""
    report, attachment = access_attachment(viewer=request.user, report_id=report_id, attachment_id=attachment_id)
    response = private_file_response(
        attachment.file.open("rb"),
        filename=f"{report.reference}-{attachment.pk}{attachment.extension}",
        content_type=attachment.content_type,
    )
    return response  # type: ignore[return-value]  # a streaming response; ``page`` passes it through


@page
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    scope = report_scope(request.user)
    report = access_report(viewer=request.user, report_id=report_id, scope=scope)
    relation = report_relation(viewer=request.user, report=report, scope=scope)
    suggestions = duplicate_suggestions(request.user, report=report, scope=scope) if report.is_open else []
    from linsek.agencies.models import Organisation

    context = {
        "report": report,
        "relation": relation,
        "kind": taxonomy().kinds.get(report.kind),
        "recipients": report_recipients(report),
        "timeline": report_timeline(report),
        "actions": allowed_actions(report.status)
        if relation.can_act and (relation.receiving or relation.command)
        else [],
        "reject_reasons": RejectReason.choices,
        "suggestions": suggestions,
        "attachments": report.attachments.all(),
        "can_request_closure": relation.can_act
        and relation.supporting
        and not relation.receiving
        and report.status in ("in_handling", "resolved")
        and report.closure_requested_by_id is None,
        "organisations": Organisation.objects.filter(active=True).order_by("name") if relation.command else [],
    }
    return render(request, "incidents/report_detail.html", context)


ACTIONS = {"claim", "release", "request_closure", "decline_closure", "merge", "dismiss", "note", "reassign", "attach"}


@require_POST
@page
def report_act(request: HttpRequest, report_id: int) -> HttpResponse:
    """Every button of the detail page posts here; a refusal comes back as a message, nothing changed."""
    from linsek.incidents.services import report_transition

    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    now = timezone.now()
    user = request.user
    try:
        if action == "claim":
            report_handling_claim(actor=user, report_id=report_id, now=now, force=request.POST.get("force") == "1")
        elif action == "release":
            report_handling_release(actor=user, report_id=report_id, now=now)
        elif action == "request_closure":
            report_closure_request(actor=user, report_id=report_id, now=now, note=note)
        elif action == "decline_closure":
            report_closure_decline(actor=user, report_id=report_id, now=now, note=note)
        elif action == "merge":
            report_merge(actor=user, report_id=report_id, into_id=int(request.POST.get("into", "0") or 0), now=now)
        elif action == "dismiss":
            duplicate_dismiss(
                actor=user, report_id=report_id, other_id=int(request.POST.get("other", "0") or 0), now=now
            )
        elif action == "note":
            report_note_add(actor=user, report_id=report_id, note=note, now=now)
        elif action == "reassign":
            report_reassign(
                actor=user,
                report_id=report_id,
                organisation_id=int(request.POST.get("org", "0") or 0),
                now=now,
                note=note,
            )
        elif action == "attach":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationFailed(_("pilih berkas"))
            if upload.size and upload.size > intake_limits().attachment_max_bytes:
                raise ValidationFailed(_("berkas terlalu besar"))
            attachment_add(actor=user, report_id=report_id, name=upload.name or "", content=upload.read(), now=now)
        else:
            report_transition(
                actor=user,
                report_id=report_id,
                action=action,
                now=now,
                note=note,
                reason=request.POST.get("reason", ""),
            )
        messages.success(request, _("Tersimpan."))
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, _("Isian tidak sah."))
    return redirect("incidents:detail", report_id=report_id)


@page
def queue(request: HttpRequest) -> HttpResponse:
    """What is waiting for the viewer's organisation (or, for the command post, any organisation it picks)."""
    from linsek.agencies.models import Organisation

    scope = report_scope(request.user)
    org_id = request.GET.get("org", "")
    organisation_id = int(org_id) if org_id.isdigit() else request.user.organisation_id  # type: ignore[union-attr]
    if organisation_id not in scope.org_ids and not scope.area_all and not scope.everything:
        organisation_id = request.user.organisation_id  # type: ignore[union-attr]
    organisation = Organisation.objects.filter(pk=organisation_id or 0).first()
    reports = (
        list(reports_queue_for(request.user, organisation_id=organisation_id or -1, scope=scope)[:500])
        if organisation
        else []
    )
    return render(
        request,
        "incidents/queue.html",
        {
            "organisation": organisation,
            "reports": reports,
            "kinds": _kind_names(),
            "status_names": dict(Status.choices),
            "reject_reasons": RejectReason.choices,
            "now": timezone.now(),
            "can_reassign": report_can(request.user, "reports.act_area"),
            "organisations": Organisation.objects.filter(active=True).order_by("name") if scope.area_all else [],
            "stream_query": f"org={organisation_id}" if organisation_id else "",
        },
    )


@require_POST
@page
def bulk(request: HttpRequest) -> HttpResponse:
    """Bulk triage from the queue: verify / reject / acknowledge / reassign the selected reports."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    action = request.POST.get("action", "")
    now = timezone.now()
    if not ids:
        messages.error(request, _("Pilih laporan terlebih dahulu."))
    elif action == "reassign":
        org = request.POST.get("org", "")
        result = reports_bulk_reassign(
            actor=request.user, report_ids=ids, organisation_id=int(org) if org.isdigit() else 0, now=now
        )
        _bulk_messages(request, result)
    else:
        result = reports_bulk_transition(
            actor=request.user,
            report_ids=ids,
            action=action,
            now=now,
            note=request.POST.get("note", ""),
            reason=request.POST.get("reason", ""),
        )
        _bulk_messages(request, result)
    return redirect(request.POST.get("next") or "incidents:queue")


def _bulk_messages(request: HttpRequest, result: Any) -> None:
    if result.done:
        messages.success(request, _("%(n)d laporan diproses.") % {"n": len(result.done)})
    for report_id, reason in result.refused.items():
        messages.error(request, f"L{report_id}: {reason}")


@require_GET
@page
def export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV, through the same selector; never the reporter's identity."""
    if not report_can(request.user, "reports.export"):
        raise Forbidden(_("Anda tidak berhak mengekspor"))

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def rows() -> Any:
        yield writer.writerow(EXPORT_COLUMNS)
        for row in reports_export_rows(request.user, filters=_filters(request)):
            yield writer.writerow([v.isoformat() if isinstance(v, datetime) else v for v in row])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="laporan.csv"'
    return response  # type: ignore[return-value]


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: the form installs as an app that opens on the report form."""
    data = {
        "name": "linsek — Lapor",
        "short_name": "Lapor",
        "lang": "id",
        "start_url": "/laporan/baru/",
        "scope": "/laporan/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b3d91",
        "icons": [{"src": static("web/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return HttpResponse(orjson.dumps(data), content_type="application/manifest+json")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /laporan/ so that it may control the form's pages."""
    from pathlib import Path

    body = (Path(__file__).parent / "static" / "incidents" / "sw.js").read_text(encoding="utf-8")
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/laporan/"
    return response
