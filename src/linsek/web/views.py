"""Pages. Thin: parse the request, call selectors/access functions, render.

Every view is wrapped by :func:`linsek.web.errors.page` (login required; NotFound → 404, Forbidden → 403).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from linsek.accounts.policy import user_can
from linsek.agencies.access import access_organisation
from linsek.agencies.models import OrganisationType
from linsek.agencies.selectors import organisations_visible_to, people_visible_to, phone_rule_for
from linsek.core.codes import LEVEL_ORDER, Level
from linsek.regions.access import access_region, access_tps
from linsek.regions.models import Region
from linsek.regions.selectors import (
    region_ancestors,
    region_children_with_counts,
    region_level_counts,
    regions_visible_to,
    registry_search,
    tps_visible_to,
)
from linsek.web.errors import page
from linsek.web.maps import child_level, map_config, map_labels
from linsek.web.selectors import directory_organisations, focus_region_for, organisations_covering_region

PEOPLE_PER_PAGE = 50


def level_plural(level: str) -> str:
    """The heading of a count of regions of one level ("Kecamatan", "Desa/Kelurahan")."""
    return {
        "province": pgettext("jumlah wilayah", "Provinsi"),
        "regency": pgettext("jumlah wilayah", "Kabupaten/Kota"),
        "district": pgettext("jumlah wilayah", "Kecamatan"),
        "village": pgettext("jumlah wilayah", "Desa/Kelurahan"),
    }[level]


def children_heading(level: str | None) -> str:
    """The heading of the table of a region's children."""
    return {
        "province": _("Rekap per provinsi"),
        "regency": _("Rekap per kabupaten/kota"),
        "district": _("Rekap per kecamatan"),
        "village": _("Rekap per desa/kelurahan"),
    }.get(level or "", "")


def _region_summary(request: HttpRequest, region: Region | None) -> dict[str, Any]:
    """Counts, child table and map of a region page or of the national dashboard (constant queries)."""
    counts = region_level_counts(request.user, region=region)
    children = list(region_children_with_counts(request.user, parent=region))
    if region is not None:
        tps_total, voters_total = region.tps_count, region.voters_total
        voters_male, voters_female = region.voters_male, region.voters_female
    else:  # the whole registry: the provinces' roll-ups add up to the country
        tps_total = sum(c.tps_count for c in children)
        voters_total = sum(c.voters_total for c in children)
        voters_male = sum(c.voters_male for c in children)
        voters_female = sum(c.voters_female for c in children)
    levels = [lv.value for lv in LEVEL_ORDER]
    below = levels[levels.index(region.level) + 1 :] if region is not None else levels
    stats = [(level_plural(level), counts.get(level, 0)) for level in below]
    child = child_level(region.level if region else None)
    grandchild = child_level(child) if child else None
    return {
        "region": region,
        "stats": stats,
        "children_heading": children_heading(child),
        "grandchild_heading": level_plural(grandchild) if grandchild else None,
        "grandchild_total": sum(getattr(c, "children_count", 0) for c in children),
        "tps_total": tps_total,
        "voters_total": voters_total,
        "voters_male": voters_male,
        "voters_female": voters_female,
        "children": children,
        "map_config": map_config(region=region),
        "map_labels": map_labels(),
    }


def _split_covering(organisations: list[Any], *, local: set[int]) -> dict[str, Any]:
    """Those who cover the place itself (Polsek, Koramil, PPK, PPS, Panwascam, Camat) before those above it."""
    local_orgs = [o for o in organisations if any(r.id in local for r in o.covers_here)]
    upper_orgs = [o for o in organisations if not any(r.id in local for r in o.covers_here)]
    return {"organisations": organisations, "local_orgs": local_orgs, "upper_orgs": upper_orgs}


@require_GET
@page
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: the viewer's regency (or the country) with counts, districts and the TPS map."""
    region = focus_region_for(request.user)
    context = _region_summary(request, region)
    context["ancestors"] = region_ancestors(request.user, region=region) if region else []
    return render(request, "web/home.html", context)


@require_GET
@page
def regions_index(request: HttpRequest) -> HttpResponse:
    """ "Wilayah" in the menu: the viewer's regency (or province), else the national summary."""
    region = focus_region_for(request.user)
    return redirect("web:region", region.code) if region is not None else redirect("web:home")


@require_GET
@page
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Any level: breadcrumbs, roll-ups, children, the map, who covers it; a village lists its TPS."""
    region = access_region(viewer=request.user, code=code)
    ancestors = region_ancestors(request.user, region=region)
    context = _region_summary(request, region)
    context["ancestors"] = ancestors
    organisations = list(organisations_covering_region(request.user, regions=[*ancestors, region]))
    context.update(_split_covering(organisations, local={region.id}))
    if region.level == Level.VILLAGE.value:
        context["stations"] = list(tps_visible_to(request.user, region=region))
    return render(request, "web/region.html", context)


@require_GET
@page
def tps_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One TPS: address, voters, access notes, its point on the map and who covers it."""
    tps = access_tps(viewer=request.user, code=code)
    ancestors = region_ancestors(request.user, region=tps.village)
    chain = [*ancestors, tps.village]
    marker = {"lat": tps.lat, "lon": tps.lon, "code": tps.code} if tps.lat is not None and tps.lon is not None else None
    organisations = list(organisations_covering_region(request.user, regions=chain))
    context = {
        "tps": tps,
        "ancestors": chain,
        **_split_covering(organisations, local={tps.village_id, tps.district_id}),
        "map_config": map_config(region=tps.village, highlight=tps.code, marker=marker),
        "map_labels": map_labels(),
    }
    return render(request, "web/tps.html", context)


@require_GET
@page
def search(request: HttpRequest) -> HttpResponse:
    """Find a region or TPS by code or name; htmx asks for the result list only."""
    query = request.GET.get("q", "").strip()
    regions, stations = registry_search(request.user, query=query)
    context = {"query": query, "regions": regions, "stations": stations}
    template = "web/partials/search_results.html" if getattr(request, "htmx", False) else "web/search.html"
    return render(request, template, context)


@require_GET
@page
def directory(request: HttpRequest) -> HttpResponse:
    """The agency directory: who covers which area and how to reach their office, by sector and type."""
    sector = request.GET.get("sektor", "")
    if sector not in OrganisationType.Sector.values:
        sector = ""
    area_code = request.GET.get("wilayah", "").strip()
    area = access_region(viewer=request.user, code=area_code) if area_code else None
    organisations = list(directory_organisations(request.user, sector=sector, region=area))
    # The area filter offers the parts of the viewer's regency (its districts), not the 7,277 of the country.
    focus = focus_region_for(request.user)
    areas = list(
        regions_visible_to(request.user, level=None if focus else Level.PROVINCE.value, parent=focus).only(
            "code", "name"
        )
    )
    context = {
        "organisations": organisations,
        "sectors": OrganisationType.Sector.choices,
        "sector": sector,
        "area": area,
        "areas": areas,
        "area_label": level_plural(child_level(focus.level if focus else None) or Level.VILLAGE.value),
        "show_people": user_can(request.user, "people.view"),
    }
    return render(request, "web/directory.html", context)


@require_GET
@page
def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    """An organisation with its people (paginated; phones only as the phone rule allows)."""
    organisation = access_organisation(viewer=request.user, code=code)
    children = list(organisations_visible_to(request.user).filter(parent=organisation))
    jurisdiction = list(regions_visible_to(request.user).filter(organisations=organisation))
    contacts = list(organisation.contacts.all())
    query = request.GET.get("q", "").strip()[:80]
    people_allowed = user_can(request.user, "people.view")
    rows: list[tuple[Any, str, bool]] = []
    page_obj = None
    if people_allowed:
        people = people_visible_to(request.user, organisation=organisation).defer("home_region__boundary")
        if query:
            people = people.filter(full_name__icontains=query)
        page_obj = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("hal"))
        rule = phone_rule_for(request.user)
        # "hidden" only where the rule hides a number: an empty phone is not a secret to be announced.
        rows = [(person, rule.phone_of(person), not rule.allows(person)) for person in page_obj.object_list]
    context = {
        "organisation": organisation,
        "children": children,
        "jurisdiction": jurisdiction,
        "contacts": contacts,
        "people_allowed": people_allowed,
        "rows": rows,
        "page_obj": page_obj,
        "query": query,
    }
    return render(request, "web/organisation.html", context)
