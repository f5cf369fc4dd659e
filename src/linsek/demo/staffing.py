"""The Jepara demo's organisations and logins as plain data (pure, deterministic); people: ``personnel``.

Contact numbers and e-mail addresses are fictitious (``data/organisations.json``, ``contacts``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from django.utils.text import slugify

from linsek.demo.facts import District, JeparaFacts
from linsek.demo.plan import rng_for


@dataclass(frozen=True, slots=True)
class ContactPlan:
    kind: str
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class OrgPlan:
    code: str
    name: str
    short_name: str
    type: str
    parent_code: str | None
    jurisdiction: tuple[str, ...]  # region codes
    district_code: str | None  # None: above district level, always loaded
    address: str
    contacts: tuple[ContactPlan, ...]


@dataclass(frozen=True, slots=True)
class UserPlan:
    username: str
    password: str
    role: str
    person_key: str
    org_code: str
    is_staff: bool


def district_slug(district: District) -> str:
    return slugify(district.name)


_MOBILE_PREFIXES = ("0812", "0813", "0821", "0822", "0852", "0853", "0856", "0857", "0878", "0895")


def mobile_number(rng: random.Random) -> str:
    """A well-formed Indonesian mobile number (12 digits); generated, so fictitious."""
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def organisations_plan(facts: JeparaFacts) -> list[OrgPlan]:
    """Every demo organisation, parents before children (regency level, then per kecamatan, then per village)."""
    doc = facts.organisations
    contacts_cfg = doc["contacts"]
    seed = int(facts.scenario["seed"])
    province, regency = facts.scenario["province"]["code"], facts.scenario["regency"]["code"]
    bare: list[OrgPlan] = []
    for o in doc["regency"]:
        covers = (province,) if o["covers"] == "province" else (regency,)
        bare.append(
            OrgPlan(
                o["code"], o["name"], o["short_name"], o["type"], o["parent"], covers, None, o.get("address", ""), ()
            )
        )
    for tmpl in doc["per_district"]:
        for d in facts.districts:
            number = doc["koramil_numbers"].get(d.code, {}).get("number") if tmpl["prefix"] == "koramil" else None
            bare.append(
                OrgPlan(
                    code=f"{tmpl['prefix']}-{district_slug(d)}",
                    name=tmpl["name"].format(district=d.name, number=f"{number}/" if number else ""),
                    short_name=tmpl["short_name"].format(district=d.name),
                    type=tmpl["type"],
                    parent_code=tmpl["parent"],
                    jurisdiction=(d.code,),
                    district_code=d.code,
                    address="",
                    contacts=(),
                )
            )
    for tmpl in doc["per_village"]:
        for v in facts.villages:
            d = facts.district(v.district_code)
            bare.append(
                OrgPlan(
                    code=f"{tmpl['prefix']}-{district_slug(d)}-{slugify(v.name)}",
                    name=tmpl["name"].format(village=v.name),
                    short_name=tmpl["short_name"].format(village=v.name),
                    type=tmpl["type"],
                    parent_code=f"{tmpl['parent']}-{district_slug(d)}",
                    jurisdiction=(v.code,),
                    district_code=d.code,
                    address="",
                    contacts=(),
                )
            )

    out: list[OrgPlan] = []
    for i, org in enumerate(bare, start=1):
        contacts = [
            ContactPlan("phone", f"{contacts_cfg['office_prefix']}{i:04d}", "Kantor (nomor demo)"),
            ContactPlan("email", f"{org.code}@{contacts_cfg['email_domain']}", "Surel kantor (demo)"),
        ]
        if org.type in contacts_cfg["whatsapp_types"]:
            contacts.append(
                ContactPlan("whatsapp", mobile_number(rng_for(seed, "org", org.code)), "WhatsApp piket (nomor demo)")
            )
        out.append(replace(org, contacts=tuple(contacts)))
    codes = [o.code for o in out]
    assert len(codes) == len(set(codes)), "organisation codes must be unique"
    return out


def users_plan(facts: JeparaFacts, *, districts: list[str]) -> list[UserPlan]:
    """One login per role; the district-level ones serve Mayong, or the first loaded kecamatan."""
    cfg: dict[str, Any] = facts.scenario["demo_users"]
    focus = (
        cfg["preferred_district"] if cfg["preferred_district"] in districts else (min(districts) if districts else None)
    )
    out: list[UserPlan] = []
    for u in cfg["users"]:
        needs_district = "{district}" in u["username"] or "{district}" in u["person"]
        if needs_district and focus is None:
            continue
        fill: dict[str, str] = {}
        if focus is not None:
            d = facts.district(focus)
            fill = {"district": district_slug(d), "village": facts.villages_of(d.code)[0].code}
        person_key = u["person"].format(**fill)
        org_code = person_key.split(":")[1]
        out.append(
            UserPlan(u["username"].format(**fill), u["password"], u["role"], person_key, org_code, bool(u.get("staff")))
        )
    return out
