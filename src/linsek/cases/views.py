"""Case pages (namespace ``cases``): the deadline board, a case with its stages, register and transition
forms, the deadline calculator and the register downloads. Thin: parse, call services/selectors, render."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linsek.accounts.policy import user_can
from linsek.audit.services import audit_append
from linsek.cases.access import access_case, access_case_document
from linsek.cases.deadlines import deadline_compute, result_cutoff, watch_state
from linsek.cases.exports import register_pdf, register_rows, register_xlsx
from linsek.cases.forms import CaseRegisterForm, CaseTransitionForm, DeadlineCalculatorForm
from linsek.cases.models import Case
from linsek.cases.rules import RuleError, calculator_limit, calculator_rules, rule_set
from linsek.cases.selectors import case_board, case_counts_anonymous, cases_for_register, viewer_scope
from linsek.cases.services import (
    DOCUMENT_TYPES,
    ArticleInput,
    DocumentInput,
    PartyInput,
    case_register,
    case_transition,
)
from linsek.core.errors import DomainError, Forbidden, ValidationFailed
from linsek.core.uploads import private_file_response, upload_name_clean
from linsek.regions.models import PollingStation, Region
from linsek.web.errors import page


def _jurisdiction_ids(user: Any) -> list[int] | None:
    org = getattr(user, "organisation", None)
    return list(org.jurisdiction.values_list("id", flat=True)) if org is not None else None


@require_GET
@page
def board(request: HttpRequest) -> HttpResponse:
    """The deadline board: open cases most urgent first (case files for Gakkumdu and the court only);
    everyone else sees anonymous counts per state."""
    now = timezone.now()
    scope = viewer_scope(request.user)
    context: dict[str, Any] = {
        "now": now,
        "can_register": user_can(request.user, "cases.manage") and scope.sector == "bawaslu",
    }
    if scope.kind:
        result = case_board(request.user, now=now)
        audit_append(
            action="case.list", actor=request.user, object_type="case", data={"rows": len(result.rows)}, now=now
        )
        context.update(board=result, counts=result.counts, rs=rule_set())
    elif user_can(request.user, "cases.counts"):
        context["counts"] = case_counts_anonymous(region_ids=_jurisdiction_ids(request.user), now=now)
    else:
        raise Forbidden(_("Anda tidak berwenang melihat perkara."))
    return render(request, "cases/board.html", context)


def _region_choices(user: Any) -> list[tuple[str, str]]:
    org = getattr(user, "organisation", None)
    if org is None:
        return []
    out: list[tuple[str, str]] = []
    for top in org.jurisdiction.order_by("code"):
        below = Region.objects.filter(code__startswith=f"{top.code}.", level__in=["district", "village"])
        if top.level == "province":
            below = Region.objects.filter(code__startswith=f"{top.code}.", level__in=["regency", "district"])
        out.append((top.code, f"{top.code} {top.name}"))
        out += [(r.code, f"{r.code} {r.name}") for r in below.order_by("code").only("code", "name")]
    return out


@require_http_methods(["GET", "POST"])
@page
def register(request: HttpRequest) -> HttpResponse:
    """Register a case from a supervisor's finding or a report (Bawaslu)."""
    if not user_can(request.user, "cases.manage"):
        raise Forbidden(_("Anda tidak berwenang meregistrasi perkara."))
    form = CaseRegisterForm(
        request.POST or None,
        request.FILES or None,
        regions=_region_choices(request.user),
        initial={"known_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        now = timezone.now()
        tps = None
        if d["tps"]:
            tps = PollingStation.objects.filter(code=d["tps"].strip()).select_related("village").first()
            if tps is None:
                form.add_error("tps", _("TPS tidak ditemukan."))
        parties = (
            [PartyInput("finder" if d["origin"] == "finding" else "reporter", d["reporter"])] if d["reporter"] else []
        )
        if d["reported"]:
            parties.append(PartyInput("reported", d["reported"]))
        if not form.errors:
            try:
                case = case_register(
                    actor=request.user,
                    origin=d["origin"],
                    title=d["title"],
                    summary=d["summary"],
                    known_at=d["known_at"],
                    occurred_at=d["occurred_at"],
                    region=Region.objects.get(code=d["region"]),
                    tps=tps,
                    origin_reference=d["origin_reference"],
                    report_uuid=d["report_uuid"],
                    parties=parties,
                    articles=[ArticleInput(int(a)) for a in d["articles"]],
                    can_change_result=d["can_change_result"],
                    document=DocumentInput(upload=d["document"]) if d["document"] else None,
                    now=now,
                )
            except ValidationFailed as exc:
                form.add_error(None, exc.message)
                for p in exc.problems:
                    form.add_error(p.field if p.field in form.fields else None, p.message)
            else:
                messages.success(request, _("Perkara %(number)s teregistrasi.") % {"number": case.number})
                return redirect("cases:detail", case.pk)
    return render(request, "cases/register.html", {"form": form})


def _stage_rows(case: Case, now: datetime) -> list[dict[str, Any]]:
    rs = rule_set(case.rule_set)
    tz = ZoneInfo(case.time_zone)
    rows = []
    for s in case.stages.select_related("started_by", "document", "responsible_org").order_by("seq"):
        state = None
        if s.ended_at is None and s.due_at is not None:
            state = watch_state(start=s.counted_from or s.started_at, due=s.due_at, now=now, at_risk=rs.at_risk)[0]
        rows.append(
            {
                "stage": s,
                "name": rs.stages[s.code].name if s.code in rs.stages else s.code,
                "started": s.started_at.astimezone(tz),
                "due": s.due_at.astimezone(tz) if s.due_at else None,
                "ended": s.ended_at.astimezone(tz) if s.ended_at else None,
                "state": state,
                "steps": (s.explanation or {}).get("steps", []),
            }
        )
    return rows


def _transition_form_for(case: Case, user: Any, data: Any = None, files: Any = None) -> CaseTransitionForm | None:
    rs = rule_set(case.rule_set)
    if case.status != Case.Status.OPEN or not user_can(user, "cases.manage"):
        return None
    sector = viewer_scope(user, rs=rs).sector
    stage = rs.stages[case.stage]
    targets = [
        (t.to, f"{rs.stages[t.to].name}" + (f" — {rs.documents[t.document]}" if t.document else ""))
        for t in stage.transitions
        if sector in t.by
    ]
    if not targets:
        return None
    docs = [(d.pk, f"{d.title} ({d.original_name})") for d in case.documents.order_by("uploaded_at")]
    return CaseTransitionForm(data, files, targets=targets, documents=docs)


@require_GET
@page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One case: its place, parties, articles, stages with due moments and time left, documents, next steps."""
    now = timezone.now()
    case = access_case(viewer=request.user, case_id=pk, now=now)
    return _detail_render(request, case, now, _transition_form_for(case, request.user))


def _detail_render(request: HttpRequest, case: Case, now: datetime, form: CaseTransitionForm | None) -> HttpResponse:
    rs = rule_set(case.rule_set)
    cutoff = (
        result_cutoff(
            national_result=rs.national_result,
            margin_days=rs.result_margin_days,
            zone=case.time_zone,
            counting=rs.counting,
        )
        if rs.national_result
        else None
    )
    context = {
        "case": case,
        "rs": rs,
        "now": now,
        "stages": _stage_rows(case, now),
        "parties": list(case.parties.all()),
        "articles": [(a, rs.articles.get(a.article)) for a in case.articles.all()],
        "documents": list(case.documents.select_related("uploaded_by").order_by("uploaded_at")),
        "reports": list(case.reports.all()),
        "form": form,
        "cutoff": cutoff,
        "cutoff_at_risk": bool(
            case.can_change_result
            and cutoff
            and case.status == Case.Status.OPEN
            and case.current_due_at
            and case.current_due_at > cutoff
        ),
        "cutoff_missed": bool(
            case.can_change_result
            and cutoff
            and ((case.closed_at and case.closed_at > cutoff) or (case.status == Case.Status.OPEN and now > cutoff))
        ),
    }
    return render(request, "cases/detail.html", context)


@require_POST
@page
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a transition (with its document and note); errors come back on the case page."""
    now = timezone.now()
    case = access_case(viewer=request.user, case_id=pk, now=now, purpose="transition")
    form = _transition_form_for(case, request.user, request.POST, request.FILES)
    if form is None:
        raise Forbidden(_("Anda tidak dapat memindahkan tahap perkara ini."))
    if form.is_valid():
        d = form.cleaned_data
        document = None
        if d["document"] or d["existing_document"]:
            document = DocumentInput(
                upload=d["document"], existing_id=None if d["document"] else d["existing_document"]
            )
        try:
            stage = case_transition(
                actor=request.user,
                case=case,
                to_stage=d["to_stage"],
                now=now,
                note=d["note"],
                document=document,
                at=d["at"],
            )
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Tahap '%(stage)s' dimulai.") % {"stage": rule_set(case.rule_set).stages[stage.code].name}
            )
            return redirect("cases:detail", case.pk)
    case.refresh_from_db()
    response = _detail_render(request, case, now, form)
    response.status_code = 400
    return response


@require_GET
@page
def document(request: HttpRequest, pk: int, doc_id: int) -> HttpResponse:
    """A case document, to a reader of the case file only (audited).

    Served as a private download with the type detected when it was stored; a row from before types were
    detected (browser-supplied type) is handed out as opaque bytes.
    """
    doc = access_case_document(viewer=request.user, case_id=pk, document_id=doc_id, now=timezone.now())
    ctype = doc.content_type if doc.content_type in DOCUMENT_TYPES else "application/octet-stream"
    stem = upload_name_clean(doc.original_name, max_length=120).rsplit(".", 1)[0] or "dokumen"
    response = private_file_response(
        doc.file.open("rb"), filename=f"{stem}{DOCUMENT_TYPES.get(ctype, '.bin')}", content_type=ctype
    )
    return response  # type: ignore[return-value]  # a streaming response; ``page`` passes it through unchanged


@require_GET
@page
def calculator(request: HttpRequest) -> HttpResponse:
    """The deadline calculator: a rule and a start moment → the due moment and how it was counted."""
    rules = [(spec, f"{name} — {limit.label()} (Pasal {limit.article})") for spec, name, limit in calculator_rules()]
    rules += [("24h", _("Bebas: 24 jam")), ("7d", _("Bebas: 7 hari")), ("14wd", _("Bebas: 14 hari kerja"))]
    form = DeadlineCalculatorForm(request.GET or None, rules=rules)
    result = None
    if request.GET and form.is_valid():
        try:
            limit, _label = calculator_limit(form.cleaned_data["rule"])
        except RuleError as exc:
            form.add_error("rule", str(exc))
        else:
            rs = rule_set()
            result = deadline_compute(
                start=form.cleaned_data["start"],
                limit=limit,
                calendar=rs.calendar,
                zone=str(timezone.get_current_timezone()),
                counting=rs.counting,
            )
    template = "cases/partials/calc_result.html" if request.htmx else "cases/calculator.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "result": result})


def _register_scope(request: HttpRequest) -> tuple[list[Any], str, datetime]:
    now = timezone.now()
    if not viewer_scope(request.user).kind:
        raise Forbidden(_("Register perkara hanya untuk anggota Sentra Gakkumdu dan pengadilan."))
    rows = register_rows(cases_for_register(request.user))
    audit_append(action="case.export", actor=request.user, object_type="case", data={"rows": len(rows)}, now=now)
    org = request.user.organisation  # type: ignore[union-attr]
    return rows, _("Register perkara pidana pemilu — %(org)s") % {"org": org.name if org else ""}, now


@require_GET
@page
def register_xlsx_download(request: HttpRequest) -> HttpResponse:
    rows, title, now = _register_scope(request)
    response = HttpResponse(
        register_xlsx(rows, title=title, now=timezone.localtime(now)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="register-perkara-{now:%Y%m%d}.xlsx"'
    return response


@require_GET
@page
def register_pdf_download(request: HttpRequest) -> HttpResponse:
    rows, title, now = _register_scope(request)
    response = HttpResponse(
        register_pdf(rows, title=title, now=timezone.localtime(now)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="register-perkara-{now:%Y%m%d}.pdf"'
    return response
