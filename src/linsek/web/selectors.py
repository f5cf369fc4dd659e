"""Reads that compose several domains for one page (regions × agencies), always through their selectors."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from linsek.accounts.policy import user_can
from linsek.agencies.models import Organisation
from linsek.agencies.selectors import organisations_covering, organisations_visible_to
from linsek.regions.models import Region
from linsek.regions.selectors import regions_visible_to


def focus_region_for(viewer: Any) -> Region | None:
    """The region the dashboard opens on: the regency (or province) of the viewer's organisation.

    Falls back to the only regency of the registry (a regency deployment) and to None — the national
    view — when the viewer has no organisation and several regencies are loaded.
    """
    visible = regions_visible_to(viewer)
    org_id = getattr(viewer, "organisation_id", None)
    if org_id is not None:
        codes = sorted(visible.filter(organisations__id=org_id).values_list("code", flat=True), key=len)
        if codes:
            # A Polsek or PPK covers a district: its dashboard is still its regency's picture.
            focus = visible.filter(code=codes[0][:5]).first()
            if focus is not None:
                return focus
    regencies = list(visible.filter(level="regency")[:2])
    return regencies[0] if len(regencies) == 1 else None


def organisations_covering_region(viewer: Any, *, regions: list[Region]) -> QuerySet[Organisation]:
    """Organisations whose jurisdiction includes any of these regions, with their office contacts.

    Each organisation carries ``covers_here``: the listed regions it covers (to say "Polsek Mayong —
    Kec. Mayong"). Three queries whatever the number of organisations.
    """
    ids = [r.id for r in regions]
    return organisations_covering(viewer, region_ids=ids).prefetch_related(
        "contacts",
        Prefetch("jurisdiction", queryset=regions_visible_to(viewer).filter(id__in=ids), to_attr="covers_here"),
    )


def directory_organisations(viewer: Any, *, sector: str = "", region: Region | None = None) -> QuerySet[Organisation]:
    """The agency directory: organisations with their jurisdiction, contacts and (if allowed) head counts.

    ``region`` limits the list to organisations covering that region, one of its ancestors, or one of
    the regions below it (a district's Polsek, its PPK and its villages' PPS).
    """
    qs = organisations_visible_to(viewer)
    if sector:
        qs = qs.filter(type__sector=sector)
    if region is not None:
        codes = [region.code]
        code = region.code
        while "." in code:
            code = code.rsplit(".", 1)[0]
            codes.append(code)
        related = regions_visible_to(viewer).filter(Q(code__in=codes) | Q(code__startswith=region.code + "."))
        qs = qs.filter(jurisdiction__in=related.values("id")).distinct()
    if user_can(viewer, "people.view"):
        qs = qs.annotate(people_count=Count("people", distinct=True))
    return qs.prefetch_related(
        "contacts",
        Prefetch("jurisdiction", queryset=regions_visible_to(viewer).only("code", "name", "level", "kind")),
    )
