"""Risk pages and map layers (namespace ``risk``), thin: parse, call selectors/services, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_http_methods

from linsek.core.errors import FieldProblem, ValidationFailed
from linsek.regions.access import access_region
from linsek.regions.models import Region
from linsek.regions.selectors import region_ancestors
from linsek.risk.access import access_tps_risk, risk_can, risk_require
from linsek.risk.catalogue import catalogue_get
from linsek.risk.forms import AssessmentForm, ImportForm, OverrideForm, indicator_fields, values_from
from linsek.risk.imports import ImportRejected
from linsek.risk.layers import area_colour, categories_legend
from linsek.risk.models import Assessment
from linsek.risk.selectors import (
    UNASSESSED,
    category_counts,
    risk_layer_rows,
    risk_rollup,
    tps_risk_view,
    village_grid_rows,
)
from linsek.risk.services import (
    AssessmentInput,
    assessment_record,
    assessments_import,
    assessments_record_many,
    category_override,
)
from linsek.web.errors import json_response, layer, page
from linsek.web.maps import map_config, map_labels
from linsek.web.selectors import focus_region_for


def _lang() -> str:
    return get_language() or "id"


def _risk_map(region: Region, *, highlight: str = "", marker: dict[str, Any] | None = None) -> dict[str, Any]:
    """The web map's settings with the TPS points taken from the risk layer (colour = category)."""
    config = map_config(region=region, highlight=highlight, marker=marker)
    if config.get("points"):
        config["points"] = f"{reverse('risk:layer-tps')}?region={region.code}"
    if config.get("areas"):
        config["areas"] = f"{reverse('risk:layer-areas')}?parent={region.code}"
    return config


@require_GET
@page
def index(request: HttpRequest) -> HttpResponse:
    risk_require(request.user, "risk.view")
    region = focus_region_for(request.user)
    if region is None:
        return render(request, "risk/none.html", {})
    return redirect("risk:region", region.code)


@require_GET
@page
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Counts per category, the roll-up of the areas below (index 0–100), and the risk map."""
    risk_require(request.user, "risk.view")
    region = access_region(viewer=request.user, code=code)
    cat = catalogue_get()
    counts = category_counts(request.user, region=region)
    legend = categories_legend(cat, _lang())
    rows = risk_rollup(request.user, parent=region) if region.level in ("regency", "district") else []
    stations = []
    if region.level == "village":
        stations = [
            (r[0], r[4] or (cat.khusus_category if r[5] else UNASSESSED))
            for r in risk_layer_rows(request.user, region=region)
        ]
    context = {
        "region": region,
        "ancestors": region_ancestors(request.user, region=region),
        "catalogue": cat,
        "legend": legend,
        "counts": [(item, counts.get(item["code"], 0)) for item in legend],
        "rows": [(row, area_colour(row.rollup.index)) for row in rows],
        "stations": stations,
        "map_config": _risk_map(region),
        "map_labels": map_labels(),
        "can_assess": risk_can(request.user, "risk.assess"),
        "can_import": risk_can(request.user, "risk.import"),
    }
    return render(request, "risk/region.html", context)


@require_http_methods(["GET", "POST"])
@page
def tps_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One TPS: its category and why (indicators, rule), the history of assessments and overrides."""
    tps = access_tps_risk(viewer=request.user, code=code)
    cat = catalogue_get()
    view = tps_risk_view(request.user, tps=tps, language=_lang())
    assert view is not None
    form = OverrideForm(request.POST or None, catalogue=cat, language=_lang())
    if request.method == "POST":
        risk_require(request.user, "risk.override")
        if form.is_valid():
            try:
                category_override(
                    actor=request.user,
                    tps=tps,
                    category=form.cleaned_data["category"],
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                )
            except ValidationFailed as exc:
                for p in exc.problems:
                    form.add_error(p.field if p.field in form.fields else None, p.message)
            else:
                messages.success(request, _("Kategori TPS ditetapkan; alasannya tercatat di jejak audit."))
                return redirect("risk:tps", tps.code)
    legend = {item["code"]: item for item in categories_legend(cat, _lang())}
    marker = {"lat": tps.lat, "lon": tps.lon, "code": tps.code} if tps.lat is not None and tps.lon is not None else None
    context = {
        "tps": tps,
        "view": view,
        "catalogue": cat,
        "category": legend.get(view.category),
        "legend": legend,
        "ancestors": [*region_ancestors(request.user, region=tps.village), tps.village],
        "form": form,
        "can_override": risk_can(request.user, "risk.override"),
        "can_assess": risk_can(request.user, "risk.assess"),
        "map_config": _risk_map(tps.village, highlight=tps.code, marker=marker),
        "map_labels": map_labels(),
    }
    return render(request, "risk/tps.html", context)


@require_http_methods(["GET", "POST"])
@page
def assess(request: HttpRequest, code: str) -> HttpResponse:
    """The assessment form of one TPS, prefilled with its latest values."""
    tps = access_tps_risk(viewer=request.user, code=code)
    risk_require(request.user, "risk.assess")
    cat = catalogue_get()
    view = tps_risk_view(request.user, tps=tps)
    latest = view.latest.values if view and view.latest else {}
    now = timezone.localtime()
    form = AssessmentForm(
        request.POST or None,
        catalogue=cat,
        initial_values=latest,
        language=_lang(),
        initial={"assessed_at": now.strftime("%Y-%m-%dT%H:%M"), "assessor_role": "pengawas"},
    )
    if request.method == "POST" and form.is_valid():
        person = getattr(request.user, "person", None)
        try:
            assessment_record(
                actor=request.user,
                item=AssessmentInput(
                    tps=tps,
                    values=values_from(cat, form.cleaned_data),
                    assessed_at=form.cleaned_data["assessed_at"],
                    assessor_role=form.cleaned_data["assessor_role"],
                    assessor_person=person,
                    assessor_organisation=getattr(request.user, "organisation", None),
                    note=form.cleaned_data["note"],
                ),
                now=timezone.now(),
            )
        except ValidationFailed as exc:
            for p in exc.problems:
                form.add_error(None, f"{p.field}: {p.message}")
        else:
            messages.success(request, _("Penilaian tersimpan."))
            return redirect("risk:tps", tps.code)
    return render(
        request,
        "risk/assess.html",
        {
            "tps": tps,
            "form": form,
            "catalogue": cat,
            "ancestors": [*region_ancestors(request.user, region=tps.village), tps.village],
        },
    )


@require_http_methods(["GET", "POST"])
@page
def village_grid(request: HttpRequest, code: str) -> HttpResponse:
    """Every TPS of a village as one grid (a row per TPS, a column per indicator); saved all or nothing."""
    risk_require(request.user, "risk.assess")
    village = access_region(viewer=request.user, code=code)
    if village.level != "village":
        raise ValidationFailed(_("Tabel penilaian dibuat per desa/kelurahan."), [FieldProblem("code", village.code)])
    cat = catalogue_get()
    grid = village_grid_rows(request.user, village=village)
    rows = []
    for tps, values in grid:
        fields = indicator_fields(cat, prefix=f"t{tps.id}-", initial=values, language=_lang())
        rows.append((tps, fields))
    errors: list[str] = []
    if request.method == "POST":
        items = []
        for tps, fields in rows:
            cleaned: dict[str, Any] = {}
            for name, field in fields.items():
                try:
                    cleaned[name] = field.clean(field.widget.value_from_datadict(request.POST, {}, name))
                except DjangoValidationError as exc:
                    errors.append(
                        f"TPS {tps.number:03d} {field.label}: {' '.join(getattr(exc, 'messages', [str(exc)]))}"
                    )
            items.append(
                AssessmentInput(
                    tps=tps,
                    values=values_from(cat, cleaned, prefix=f"t{tps.id}-"),
                    assessed_at=timezone.now(),
                    assessor_person=getattr(request.user, "person", None),
                    assessor_organisation=getattr(request.user, "organisation", None),
                    assessor_role=request.POST.get("assessor_role", "pengawas"),
                )
            )
        if not errors:
            try:
                assessments_record_many(
                    actor=request.user, items=items, source="grid", now=timezone.now(), audit_label=village.code
                )
            except ValidationFailed as exc:
                errors.extend(f"{p.field}: {p.message}" for p in exc.problems)
            else:
                messages.success(request, _("Penilaian %(n)s TPS tersimpan.") % {"n": len(items)})
                return redirect("risk:region", village.code)
    context = {
        "village": village,
        "ancestors": region_ancestors(request.user, region=village),
        "catalogue": cat,
        "indicators": cat.indicators,
        "rows": [
            (tps, _grid_cells(tps, fields, request.POST if request.method == "POST" else None)) for tps, fields in rows
        ],
        "errors": errors,
        "roles": Assessment.AssessorRole.choices,
    }
    return render(request, "risk/grid.html", context)


def _grid_cells(tps: Any, fields: dict[str, Any], posted: Any) -> list[Any]:
    """Each indicator cell of one TPS row rendered as its widget (posted value after an error, else the latest)."""
    cells = []
    for name, field in fields.items():
        value = field.widget.value_from_datadict(posted, {}, name) if posted is not None else field.initial
        label = f"TPS {tps.number:03d} {field.label}"
        cells.append(field.widget.render(name, value, attrs={"id": f"id_{name}", "aria-label": label, "title": label}))
    return cells


@require_http_methods(["GET", "POST"])
@page
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a CSV/XLSX of assessments; the whole file is checked and every problem listed."""
    risk_require(request.user, "risk.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    problems = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = assessments_import(
                actor=request.user,
                data=upload.read(),
                filename=upload.name,
                now=timezone.now(),
                dry_run=form.cleaned_data["dry_run"],
            )
        except ImportRejected as exc:
            problems = exc.problems
    cat = catalogue_get()
    return render(
        request,
        "risk/import.html",
        {
            "form": form,
            "report": report,
            "problems": problems,
            "catalogue": cat,
            "columns": ["tps", "tanggal", "penilai", "instansi", "peran", "catatan", *[i.code for i in cat.indicators]],
        },
    )


@require_GET
@gzip_page
@layer
def tps_layer(request: HttpRequest) -> HttpResponse:
    """TPS points coloured by category, in the web map's layer shape (``statuses`` = the categories)."""
    risk_require(request.user, "risk.view")
    code = request.GET.get("region", "").strip()
    if not code:
        raise ValidationFailed(_("Parameter 'region' wajib diisi."), [FieldProblem("region", "kode wilayah")])
    region = access_region(viewer=request.user, code=code)
    cat = catalogue_get()
    legend = categories_legend(cat, _lang())
    index = {item["code"]: i for i, item in enumerate(legend)}
    rows: list[list[Any]] = []
    missing = 0
    for tps_code, lat, lon, voters, category, special in risk_layer_rows(request.user, region=region):
        if lat is None or lon is None:
            missing += 1
            continue
        effective = category or (cat.khusus_category if special and cat.khusus_from_tps_special else UNASSESSED)
        rows.append([tps_code, round(lat, 5), round(lon, 5), voters, index[effective]])
    return json_response(
        {
            "region": region.code,
            "fields": ["code", "lat", "lon", "voters", "status"],
            "statuses": legend,
            "rows": rows,
            "missing_coordinates": missing,
        }
    )


@require_GET
@gzip_page
@layer
def areas_layer(request: HttpRequest) -> HttpResponse:
    """Per-area roll-ups under ``parent``: counts per category, the 0–100 index and its colour."""
    risk_require(request.user, "risk.view")
    code = request.GET.get("parent", "").strip()
    if not code:
        raise ValidationFailed(_("Parameter 'parent' wajib diisi."), [FieldProblem("parent", "kode wilayah")])
    parent = access_region(viewer=request.user, code=code)
    level = request.GET.get("level", "").strip() or None
    if level is not None and level not in ("district", "village"):
        raise ValidationFailed(
            _("Tingkat harus district atau village."), [FieldProblem("level", "district|village", level)]
        )
    cat = catalogue_get()
    codes = list(cat.category_codes())
    rows = []
    for area in risk_rollup(request.user, parent=parent, level=level):
        r = area.region
        rows.append(
            [
                r.code,
                r.name,
                None if r.lat is None else round(r.lat, 5),
                None if r.lon is None else round(r.lon, 5),
                r.tps_count,
                r.tps_count,
                *[area.rollup.counts[c] for c in codes],
                area.unassessed,
                area.rollup.index,
                area_colour(area.rollup.index),
            ]
        )
    return json_response(
        {
            "parent": parent.code,
            "fields": ["code", "name", "lat", "lon", "tps", "voters", *codes, UNASSESSED, "index", "colour"],
            "categories": categories_legend(cat, _lang()),
            "rows": rows,
        }
    )
