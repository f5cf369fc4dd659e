"""Fetch one organisation or person for a viewer, or NotFound."""

from __future__ import annotations

from typing import Any

from linsek.agencies.models import Organisation, Person
from linsek.agencies.selectors import organisations_visible_to, people_visible_to
from linsek.core.errors import NotFound


def access_organisation(*, viewer: Any, code: str) -> Organisation:
    org = organisations_visible_to(viewer).filter(code=code).first()
    if org is None:
        raise NotFound(f"organisasi '{code}' tidak ditemukan")
    return org


def access_person(*, viewer: Any, person_id: int) -> Person:
    person = people_visible_to(viewer).filter(id=person_id).first()
    if person is None:
        raise NotFound(f"personel #{person_id} tidak ditemukan")
    return person
