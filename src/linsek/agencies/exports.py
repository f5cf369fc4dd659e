"""Exporting organisations and people as CSV or XLSX, in their import layouts (a re-import changes nothing).

A person's personal phone is exported only for an ``actor`` holding ``people.phone.all``; otherwise the
``phone`` column is left out altogether, so that re-importing such a file keeps the stored numbers instead
of blanking them. ``actor=None`` (the command line without ``--user``) therefore exports no phones.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.db.models import Q

from linsek.accounts.policy import user_can
from linsek.agencies.models import ContactPoint, Organisation, Person
from linsek.regions.exports import CHUNK, export_allowed, region_for_filter, table_write
from linsek.regions.models import Region

ORG_HEADER = ("code", "name", "short_name", "type", "parent_code", "jurisdiction", "address", "lat", "lon", "phone",
              "whatsapp", "email")  # fmt: skip
PEOPLE_HEADER = ("organisation_code", "full_name", "rank", "position", "id_number", "phone", "duty_role",
                 "home_region_code")  # fmt: skip


def organisations_export(*, out: IO[bytes], fmt: str = "csv", region: str | None = None, actor: Any = None) -> int:
    """Write organisations (those covering the region or anything in it, or all); returns the row count."""
    export_allowed(actor)
    qs = Organisation.objects.order_by("code")
    scope = region_for_filter(region)
    if scope is not None:
        qs = qs.filter(Q(jurisdiction__code=scope.code) | Q(jurisdiction__code__startswith=scope.code + ".")).distinct()
    return table_write(out, fmt, ORG_HEADER, _org_rows(qs), sheet="organisations")


def _org_rows(qs: Any) -> Iterator[tuple[Any, ...]]:
    fields = ("id", "code", "name", "short_name", "type_id", "parent__code", "address", "lat", "lon")
    rows = qs.values_list(*fields)
    chunk: list[tuple[Any, ...]] = []
    for row in rows.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield from _org_chunk(chunk)
            chunk = []
    yield from _org_chunk(chunk)


def _org_chunk(chunk: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """Jurisdictions and contacts for a chunk of organisations: two queries per chunk, not per row."""
    if not chunk:
        return
    ids = [row[0] for row in chunk]
    regions: dict[int, list[str]] = {}
    through = Organisation.jurisdiction.through
    for oid, code in (
        through.objects.filter(organisation_id__in=ids)
        .order_by("region__code")
        .values_list("organisation_id", "region__code")
    ):
        regions.setdefault(oid, []).append(code)
    contacts: dict[tuple[int, str], list[str]] = {}
    for oid, kind, value in (
        ContactPoint.objects.filter(organisation_id__in=ids, kind__in=("phone", "whatsapp", "email"))
        .order_by("id")
        .values_list("organisation_id", "kind", "value")
    ):
        contacts.setdefault((oid, kind), []).append(value)
    for oid, code, name, short, type_id, parent, address, lat, lon in chunk:
        yield (
            code, name, short, type_id, parent or "", "; ".join(regions.get(oid, [])), address, lat, lon,
            "; ".join(contacts.get((oid, "phone"), [])), "; ".join(contacts.get((oid, "whatsapp"), [])),
            "; ".join(contacts.get((oid, "email"), [])),
        )  # fmt: skip


def people_export(*, out: IO[bytes], fmt: str = "csv", region: str | None = None, actor: Any = None) -> int:
    """Write people (of organisations covering the region or stationed in it, or all); returns the row count."""
    export_allowed(actor)
    with_phone = actor is not None and user_can(actor, "people.phone.all")
    qs = Person.objects.order_by("organisation__code", "full_name", "id")
    scope = region_for_filter(region)
    if scope is not None:
        inside = Q(code=scope.code) | Q(code__startswith=scope.code + ".")
        orgs = Organisation.objects.filter(
            Q(jurisdiction__code=scope.code) | Q(jurisdiction__code__startswith=scope.code + ".")
        ).values("id")
        homes = Region.objects.filter(inside).values("id")
        qs = qs.filter(Q(organisation_id__in=orgs) | Q(home_region_id__in=homes))
    fields = ("organisation__code", "full_name", "rank", "position", "id_number", "phone", "duty_role_id",
              "home_region__code")  # fmt: skip
    header = PEOPLE_HEADER if with_phone else tuple(h for h in PEOPLE_HEADER if h != "phone")
    rows = (
        (org, name, rank, pos, idn, *((phone,) if with_phone else ()), role or "", home or "")
        for org, name, rank, pos, idn, phone, role, home in qs.values_list(*fields).iterator(chunk_size=CHUNK)
    )
    return table_write(out, fmt, header, rows, sheet="people")
