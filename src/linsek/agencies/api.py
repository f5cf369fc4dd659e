"""``/api/v1/organisations`` and ``/api/v1/people``: who covers where and how to reach them.

A person's personal phone number is always present in the answer but null unless the viewer's phone
rule (:func:`linsek.agencies.selectors.phone_rule_for`) allows it for that person; office contact points
of organisations are not personal and are shown to everyone who may see the organisation.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from linsek.agencies.access import access_organisation, access_person
from linsek.agencies.models import ContactPoint, Organisation, Person
from linsek.agencies.selectors import (
    PhoneRule,
    duty_role_codes,
    organisation_type_codes,
    organisations_covering,
    organisations_visible_to,
    people_visible_to,
    phone_rule_for,
)
from linsek.api.auth import require, viewer_of
from linsek.api.errors import error_responses
from linsek.api.fields import MAX_ID, CodeText, SlugText
from linsek.api.pagination import Page, PageParams, page_build
from linsek.core.errors import FieldProblem, NotFound, ValidationFailed
from linsek.regions.api import region_from_filter
from linsek.regions.selectors import region_ancestors, regions_visible_to

router = Router()

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,64}$")


# --- schemas ------------------------------------------------------------------------------------------------


class OrganisationOut(Schema):
    code: str = Field(examples=["polsek-mayong"])
    name: str
    short_name: str
    type: str = Field(description="organisation type code (polres, polsek, ppk, panwascam, …)")
    type_name: str
    sector: str = Field(description="polri, tni, kpu, bawaslu, pemda, kejaksaan or pengadilan")
    parent: str | None = Field(None, description="code of the parent organisation")
    address: str
    lat: float | None = None
    lon: float | None = None
    active: bool

    @staticmethod
    def resolve_type(obj: Organisation) -> str:
        return obj.type_id

    @staticmethod
    def resolve_type_name(obj: Organisation) -> str:
        return obj.type.name

    @staticmethod
    def resolve_sector(obj: Organisation) -> str:
        return obj.type.sector

    @staticmethod
    def resolve_parent(obj: Organisation) -> str | None:
        return obj.parent.code if obj.parent_id is not None and obj.parent is not None else None


class ContactOut(Schema):
    kind: str = Field(description="phone, whatsapp, email, radio or other")
    value: str
    label: str


class OrganisationDetailOut(OrganisationOut):
    jurisdiction: list[str] = Field(description="codes of the regions the organisation covers")
    contacts: list[ContactOut] = Field(description="office contact points")

    @staticmethod
    def resolve_jurisdiction(obj: Organisation) -> list[str]:
        codes: list[str] = getattr(obj, "jurisdiction_codes", [])
        return codes

    @staticmethod
    def resolve_contacts(obj: Organisation) -> list[ContactPoint]:
        contacts: list[ContactPoint] = getattr(obj, "contact_list", [])
        return contacts


class OrganisationPage(Page):
    items: list[OrganisationOut]


class PersonOut(Schema):
    id: int
    full_name: str
    rank: str
    position: str
    organisation: str = Field(description="organisation code")
    organisation_name: str
    duty_role: str | None = Field(None, description="duty role code (kapolsek, bhabinkamtibmas, babinsa, …)")
    home_region: str | None = Field(None, description="code of the village or district where stationed")
    active: bool
    phone: str | None = Field(None, description="personal phone; null unless the viewer may see it")

    @staticmethod
    def resolve_organisation(obj: Person) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_organisation_name(obj: Person) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_duty_role(obj: Person) -> str | None:
        return obj.duty_role_id

    @staticmethod
    def resolve_home_region(obj: Person) -> str | None:
        return obj.home_region.code if obj.home_region_id is not None and obj.home_region is not None else None

    @staticmethod
    def resolve_phone(obj: Person) -> str | None:
        # Only what ``person_shown`` decided: the model's own ``phone`` is never read here.
        shown: str | None = getattr(obj, "phone_shown", None)
        return shown


class PersonPage(Page):
    items: list[PersonOut]


class OrganisationFilters(Schema):
    type: SlugText | None = Field(None, description="organisation type code, e.g. polsek")
    covers: CodeText | None = Field(
        None, description="region code: organisations whose jurisdiction includes it or one of its ancestors"
    )


class PeopleFilters(Schema):
    organisation: SlugText | None = Field(None, description="organisation code, e.g. polsek-mayong")
    duty_role: SlugText | None = Field(None, description="duty role code, e.g. bhabinkamtibmas")


# --- helpers ------------------------------------------------------------------------------------------------


def _unknown(field: str, message: str, value: str) -> ValidationFailed:
    return ValidationFailed(message, [FieldProblem(f"query.{field}", message, value=value)])


def organisation_from_path(viewer: Any, code: str) -> Organisation:
    if not SLUG_RE.match(code):
        raise NotFound(gettext("organisasi '%(code)s' tidak ditemukan") % {"code": code[:40]})
    return access_organisation(viewer=viewer, code=code)


def person_shown(person: Person, rule: PhoneRule) -> Person:
    """The person with ``phone_shown`` set: the number where the rule allows it, else None."""
    person.phone_shown = person.phone if rule.allows(person) else None  # type: ignore[attr-defined]
    return person


def organisations_filtered(viewer: Any, filters: OrganisationFilters) -> QuerySet[Organisation]:
    if filters.type is not None and filters.type not in organisation_type_codes():
        message = gettext("jenis organisasi '%(code)s' tidak dikenal") % {"code": filters.type}
        raise _unknown("type", message, filters.type)
    if filters.covers is None:
        return organisations_visible_to(viewer, type_code=filters.type)
    region = region_from_filter(viewer, filters.covers, field="covers")
    ids = [region.id, *(r.id for r in region_ancestors(viewer, region=region))]
    qs = organisations_covering(viewer, region_ids=ids)
    return qs.filter(type_id=filters.type) if filters.type is not None else qs


def people_filtered(viewer: Any, filters: PeopleFilters) -> QuerySet[Person]:
    organisation = None
    if filters.organisation is not None:
        try:
            organisation = access_organisation(viewer=viewer, code=filters.organisation)
        except NotFound:
            message = gettext("organisasi '%(code)s' tidak ditemukan") % {"code": filters.organisation}
            raise _unknown("organisation", message, filters.organisation) from None
    if filters.duty_role is not None and filters.duty_role not in duty_role_codes():
        message = gettext("peran tugas '%(code)s' tidak dikenal") % {"code": filters.duty_role}
        raise _unknown("duty_role", message, filters.duty_role)
    qs = people_visible_to(viewer, organisation=organisation).defer("home_region__boundary")
    return qs.filter(duty_role_id=filters.duty_role) if filters.duty_role is not None else qs


# --- routes -------------------------------------------------------------------------------------------------


@router.get(
    "/organisations",
    response={200: OrganisationPage, **error_responses(401, 403, 422)},
    operation_id="organisations_list",
    summary="List organisations",
    tags=["organisations"],
)
def organisations_list(
    request: HttpRequest, filters: Query[OrganisationFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """Police, army, KPU, Bawaslu, local government, prosecutor and court bodies, by type and jurisdiction."""
    viewer = viewer_of(request)
    require(viewer, "agencies.view")
    return page_build(request, organisations_filtered(viewer, filters), page)


@router.get(
    "/organisations/{code}",
    response={200: OrganisationDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="organisation_get",
    summary="One organisation with its jurisdiction and office contacts",
    tags=["organisations"],
)
def organisation_get(request: HttpRequest, code: str) -> Organisation:
    """An organisation by code, with the codes of the regions it covers and its office contact points."""
    viewer = viewer_of(request)
    org = organisation_from_path(viewer, code)
    org.jurisdiction_codes = list(  # type: ignore[attr-defined]
        regions_visible_to(viewer).filter(organisations=org).values_list("code", flat=True)
    )
    org.contact_list = list(org.contacts.all())  # type: ignore[attr-defined]
    return org


@router.get(
    "/people",
    response={200: PersonPage, **error_responses(401, 403, 422)},
    operation_id="people_list",
    summary="List people",
    tags=["people"],
)
def people_list(request: HttpRequest, filters: Query[PeopleFilters], page: Query[PageParams]) -> dict[str, Any]:
    """Personnel by organisation and duty role; ``phone`` is null unless the viewer may see that person's."""
    viewer = viewer_of(request)
    require(viewer, "people.view")
    qs = people_filtered(viewer, filters)
    rule = phone_rule_for(viewer)
    return page_build(request, qs, page, item=lambda person: person_shown(person, rule))


@router.get(
    "/people/{person_id}",
    response={200: PersonOut, **error_responses(401, 403, 404, 422)},
    operation_id="person_get",
    summary="One person",
    tags=["people"],
)
def person_get(request: HttpRequest, person_id: Annotated[int, Field(ge=1, le=MAX_ID)]) -> Person:
    """A person by id; ``phone`` is null unless the viewer may see it."""
    viewer = viewer_of(request)
    return person_shown(access_person(viewer=viewer, person_id=person_id), phone_rule_for(viewer))
