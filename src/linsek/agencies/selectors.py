"""Reads of organisations and people for a viewer, with the phone-number rule.

A person's personal phone is shown only under ``accounts/rules/policy.json``: ``people.phone.all``,
or ``people.phone.own_org`` (same organisation), or ``people.phone.own_area`` (stationed in, or
serving an organisation that covers, the viewer's organisation's jurisdiction). Office contact
points of organisations are not personal and are shown to everyone with ``agencies.view``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from linsek.accounts.policy import user_can
from linsek.agencies.models import DutyRole, Organisation, OrganisationType, Person
from linsek.regions.selectors import region_descendant_ids


def organisations_visible_to(viewer: Any, *, type_code: str | None = None) -> QuerySet[Organisation]:
    if not user_can(viewer, "agencies.view"):
        return Organisation.objects.none()
    qs = Organisation.objects.select_related("type", "parent")
    if type_code:
        qs = qs.filter(type_id=type_code)
    return qs.order_by("type__rank", "code")


def organisations_covering(viewer: Any, *, region_ids: list[int]) -> QuerySet[Organisation]:
    """Organisations whose jurisdiction includes any of these regions (the directory's "who covers")."""
    return organisations_visible_to(viewer).filter(jurisdiction__id__in=region_ids).distinct()


def people_visible_to(viewer: Any, *, organisation: Organisation | None = None) -> QuerySet[Person]:
    if not user_can(viewer, "people.view"):
        return Person.objects.none()
    qs = Person.objects.select_related("organisation", "duty_role", "home_region")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.order_by("organisation__code", "full_name")


@dataclass(frozen=True)
class PhoneRule:
    """Which personal phone numbers one viewer may see; built once per request, applied per row."""

    all: bool
    organisation_id: int | None
    area_region_ids: frozenset[int]
    area_organisation_ids: frozenset[int]

    def allows(self, person: Person) -> bool:
        if self.all:
            return True
        if self.organisation_id is not None and person.organisation_id == self.organisation_id:
            return True
        return person.home_region_id in self.area_region_ids or person.organisation_id in self.area_organisation_ids

    def phone_of(self, person: Person) -> str:
        """The phone if visible, else the empty string."""
        return person.phone if self.allows(person) else ""


def phone_rule_for(viewer: Any) -> PhoneRule:
    """The phone rule of a viewer (two or three queries, whatever the number of rows shown)."""
    if user_can(viewer, "people.phone.all"):
        return PhoneRule(True, None, frozenset(), frozenset())
    org_id = getattr(viewer, "organisation_id", None)
    own_org = org_id if user_can(viewer, "people.phone.own_org") else None
    area: frozenset[int] = frozenset()
    area_orgs: frozenset[int] = frozenset()
    if org_id is not None and user_can(viewer, "people.phone.own_area"):
        roots = list(
            Organisation.jurisdiction.through.objects.filter(organisation_id=org_id).values_list("region_id", flat=True)
        )
        area = frozenset(region_descendant_ids(roots))
        area_orgs = frozenset(
            Organisation.jurisdiction.through.objects.filter(region_id__in=area).values_list(
                "organisation_id", flat=True
            )
        )
    return PhoneRule(False, own_org, area, area_orgs)


# --- Taxonomy look-ups (added for the API: filters name a type or duty role by code) -----------------------


def organisation_type_codes() -> frozenset[str]:
    """Codes of every organisation type (public taxonomy data, the same for every viewer)."""
    return frozenset(OrganisationType.objects.values_list("code", flat=True))


def duty_role_codes() -> frozenset[str]:
    """Codes of every duty role (public taxonomy data, the same for every viewer)."""
    return frozenset(DutyRole.objects.values_list("code", flat=True))
