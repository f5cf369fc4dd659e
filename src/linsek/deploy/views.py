"""Plan pages, layers and roster downloads (namespace ``deploy``): thin, every write through services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linsek.agencies.models import Organisation
from linsek.core.errors import NotFound, ValidationFailed
from linsek.deploy.access import access_plan, deploy_can, deploy_require
from linsek.deploy.forms import PlanGenerateForm
from linsek.deploy.models import Plan, PostStation
from linsek.deploy.patterns import default_patterns_raw
from linsek.deploy.rosters import roster_pdf, roster_xlsx
from linsek.deploy.selectors import plan_jobs_for, plan_layer_rows, plan_posts, plan_units, plans_visible_to
from linsek.deploy.services import patterns_parse, plan_approve, plan_jobs_enqueue
from linsek.regions.access import access_region
from linsek.regions.selectors import region_ancestors
from linsek.web.errors import json_response, layer, page
from linsek.web.maps import map_config, map_labels
from linsek.web.selectors import focus_region_for

POST_STATUSES = [
    {"code": "covered", "colour": "#2f8f46"},
    {"code": "partial", "colour": "#e0a000"},
    {"code": "uncovered", "colour": "#c62828"},
]


def _status_labels() -> dict[str, str]:
    return {"covered": _("Terjaga penuh"), "partial": _("Kurang personel"), "uncovered": _("Tidak terjaga")}


@require_GET
@page
def index(request: HttpRequest) -> HttpResponse:
    deploy_require(request.user, "deploy.view")
    region = focus_region_for(request.user)
    if region is None or region.level != "regency":
        return render(request, "deploy/index.html", {"region": None, "plans": []})
    return redirect("deploy:scope", region.code)


@require_http_methods(["GET", "POST"])
@page
def scope(request: HttpRequest, code: str) -> HttpResponse:
    """The plan versions of a regency and the form for a new one (patterns editable, defaults from data)."""
    deploy_require(request.user, "deploy.view")
    region = access_region(viewer=request.user, code=code)
    plans = list(plans_visible_to(request.user, scope=region))
    base = plans[0].patterns if plans else {**default_patterns_raw()}
    form = PlanGenerateForm(request.POST or None, patterns=patterns_parse(base), raw=base)
    errors: list[str] = []
    if request.method == "POST":
        deploy_require(request.user, "deploy.plan")
        if form.is_valid():
            try:  # the worker plans; the page follows the job (a bad pattern is refused here, at once)
                _batch, jobs = plan_jobs_enqueue(
                    actor=request.user,
                    regencies=[region],
                    now=timezone.now(),
                    patterns=form.patterns_raw(base),
                    mode=form.cleaned_data["mode"],
                    label=form.cleaned_data["label"],
                )
            except ValidationFailed as exc:
                errors = [exc.message, *[f"{p.field}: {p.message}" for p in exc.problems]]
            else:
                if jobs:
                    messages.info(request, _("Rencana sedang dihitung di latar belakang; status tampil di bawah."))
                else:
                    messages.warning(request, _("Rencana wilayah ini sudah dalam antrean; tunggu hingga selesai."))
                return redirect("deploy:scope", region.code)
    context = {
        "region": region,
        "ancestors": region_ancestors(request.user, region=region),
        "plans": plans,
        "form": form,
        "errors": errors,
        "can_plan": deploy_can(request.user, "deploy.plan"),
        **_jobs_context(request.user, region),
    }
    return render(request, "deploy/scope.html", context)


@require_GET
@page
def jobs(request: HttpRequest, code: str) -> HttpResponse:
    """The planning jobs of a regency (the fragment the scope page polls while a job is queued or running)."""
    deploy_require(request.user, "deploy.view")
    region = access_region(viewer=request.user, code=code)
    return render(request, "deploy/_jobs.html", {"region": region, **_jobs_context(request.user, region)})


def _jobs_context(user: Any, region: Any) -> dict[str, Any]:
    rows = plan_jobs_for(user, scope=region)
    return {"jobs": rows, "jobs_open": any(j.open for j in rows)}


@require_GET
@page
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One plan: totals, lower bound and gap, shortfall and BKO, units with rosters, posts, changes, map."""
    plan = access_plan(viewer=request.user, plan_id=pk)
    area = None
    if request.GET.get("kecamatan"):
        area = access_region(viewer=request.user, code=request.GET["kecamatan"])
    rows = plan_posts(request.user, plan=plan, area=area)
    config = map_config(region=plan.scope)
    config["points"] = reverse("deploy:layer-tps", args=[plan.id])
    config["posts"] = reverse("deploy:layer-posts", args=[plan.id])  # posts mode of the web map
    config["post"] = request.GET.get("pos", "")[:24]
    config["postLabels"] = {
        "post": _("Pos"),
        "tps": _("TPS"),
        "team": _("Tim"),
        "linmas": _("Linmas"),
        "noTeam": _("Belum ada personel"),
        "drawnPosts": _("{n} pos pengamanan dengan garis ke TPS-nya."),
    }
    summary = plan.summary
    districts = {r.code: r.name for r in plan.scope.children.all().only("code", "name")}
    context = {
        "plan": plan,
        "summary": summary,
        "rows": rows,
        "area": area,
        "districts": sorted(districts.items()),
        "district_names": districts,
        "units": plan_units(request.user, plan=plan),
        "can_approve": deploy_can(request.user, "deploy.approve") and plan.status == Plan.Status.DRAFT,
        "gap_percent": round(100 * float(summary.get("gap", 0.0)), 1),
        "map_config": config,
        "map_labels": map_labels(),
        "ancestors": [*region_ancestors(request.user, region=plan.scope), plan.scope],
    }
    return render(request, "deploy/plan.html", context)


@require_POST
@page
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(viewer=request.user, plan_id=pk)
    try:
        plan_approve(actor=request.user, plan=plan, now=timezone.now())
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rencana versi %(v)s disetujui dan kini hanya-baca.") % {"v": plan.version})
    return redirect("deploy:plan", plan.id)


def _unit(code: str) -> Organisation:
    unit = Organisation.objects.filter(code=code).first()
    if unit is None:
        raise NotFound(f"satuan '{code}' tidak ditemukan")
    return unit


@require_GET
@page
def roster(request: HttpRequest, pk: int, unit_code: str, fmt: str) -> HttpResponse:
    """The roster of one unit as XLSX or PDF (phones shown per the viewer's phone rule)."""
    plan = access_plan(viewer=request.user, plan_id=pk)
    if fmt not in ("xlsx", "pdf"):
        raise NotFound(f"format '{fmt}' tidak tersedia (xlsx atau pdf)")
    unit = _unit(unit_code)
    rows = plan_posts(request.user, plan=plan, unit=unit)
    now = timezone.now()
    name = f"roster-{slugify(unit.code)}-v{plan.version}"
    if fmt == "xlsx":
        body = roster_xlsx(plan=plan, unit=unit, rows=rows, now=now)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = roster_pdf(plan=plan, unit=unit, rows=rows, now=now)
        content_type = "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_GET
@gzip_page
@layer
def layer_tps(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's TPS as points in the web map's layer shape, coloured by their post's status."""
    plan = access_plan(viewer=request.user, plan_id=pk)
    labels = _status_labels()
    statuses = [{**s, "label": labels[s["code"]]} for s in POST_STATUSES]
    index = {s["code"]: i for i, s in enumerate(POST_STATUSES)}
    rows: list[list[Any]] = [
        [code, round(lat, 5), round(lon, 5), voters, index[status]]
        for code, lat, lon, voters, status in PostStation.objects.filter(plan=plan)
        .order_by("tps__code")
        .values_list("tps__code", "tps__lat", "tps__lon", "tps__voters_total", "post__status")
        if lat is not None and lon is not None
    ]
    return json_response(
        {
            "region": plan.scope.code,
            "fields": ["code", "lat", "lon", "voters", "status"],
            "statuses": statuses,
            "rows": rows,
            "missing_coordinates": len(plan.summary.get("unplannable", [])),
        }
    )


@require_GET
@gzip_page
@layer
def layer_posts(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's posts: point (centre of its TPS), category, status, TPS codes and team names."""
    plan = access_plan(viewer=request.user, plan_id=pk)
    return json_response(
        {
            "plan": plan.id,
            "version": plan.version,
            "status": plan.status,
            "posts": plan_layer_rows(request.user, plan=plan),
        }
    )
