"""Fixtures shared across the suite: a small Jepara (two districts) and one user per role."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from linsek.accounts.models import User
from linsek.agencies.models import Organisation
from linsek.regions.models import PollingStation, Region
from tests.factories import OrganisationFactory, PersonFactory, PollingStationFactory, UserFactory

pytest_plugins = ["tests.browser"]

# CI runs the property tests with a fixed derivation of examples, so a landing never hangs on luck;
# developers' runs explore new examples every time. Neither has a deadline: speed is measured in bench/,
# and a busy 2-core machine must not turn a slow example into a failure.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

ROLE_CODES = ["administrator", "command", "liaison", "area_officer", "field_reporter", "viewer"]
TEST_PASSWORD = "rahasia-uji-123"  # noqa: S105  (test fixture only)


@dataclass
class SmallJepara:
    """Jawa Tengah › Jepara › Mayong (2 villages) and Karimunjawa (1 island village), with their TPS."""

    province: Region
    regency: Region
    mayong: Region
    karimunjawa: Region
    villages: dict[str, Region]
    tps: list[PollingStation]
    polres: Organisation
    polsek_mayong: Organisation
    polsek_karimunjawa: Organisation
    panwascam_mayong: Organisation
    users: dict[str, User] = field(default_factory=dict)


def _region(code: str, name: str, level: str, kind: str, parent: Region | None, lat: float, lon: float) -> Region:
    return Region.objects.create(code=code, name=name, level=level, kind=kind, parent=parent, lat=lat, lon=lon)


@pytest.fixture
def jepara_small(db: Any) -> SmallJepara:
    """Real codes, names and centroids (shared/data/jepara_*.csv); TPS counts cut down for speed."""
    prov = _region("33", "Jawa Tengah", "province", "provinsi", None, -7.15, 110.14)
    prov.time_zone = "Asia/Jakarta"
    prov.save()
    reg = _region("33.20", "Jepara", "regency", "kabupaten", prov, -6.59, 110.67)
    mayong = _region("33.20.04", "Mayong", "district", "kecamatan", reg, -6.70280, 110.77379)
    kj = _region("33.20.10", "Karimunjawa", "district", "kecamatan", reg, -5.83, 110.42)
    kj.is_island = True
    kj.save()
    villages = {
        "Pelemkerep": _region("33.20.04.2001", "Pelemkerep", "village", "desa", mayong, -6.7393, 110.7622),
        "Pule": _region("33.20.04.2002", "Pule", "village", "desa", mayong, -6.7313, 110.7719),
        "Karimunjawa": _region("33.20.10.2001", "Karimunjawa", "village", "desa", kj, -5.8488, 110.4521),
    }
    tps: list[PollingStation] = []
    for name, count in (("Pelemkerep", 4), ("Pule", 3), ("Karimunjawa", 2)):
        v = villages[name]
        for n in range(1, count + 1):
            island = "Karimunjawa" if name == "Karimunjawa" else ""
            tps.append(
                PollingStationFactory.create(
                    village=v,
                    number=n,
                    lat=(v.lat or 0.0) + n * 0.001,
                    lon=(v.lon or 0.0) + n * 0.001,
                    island=island,
                    boat_only=bool(island),
                )
            )
    from linsek.regions.services import rollups_refresh

    rollups_refresh()
    polres = OrganisationFactory.create(code="polres-jepara", name="Polres Jepara", type_id="polres")
    polres.jurisdiction.set([reg])
    polsek_m = OrganisationFactory.create(code="polsek-mayong", name="Polsek Mayong", type_id="polsek", parent=polres)
    polsek_m.jurisdiction.set([mayong])
    polsek_k = OrganisationFactory.create(
        code="polsek-karimunjawa", name="Polsek Karimunjawa", type_id="polsek", parent=polres
    )
    polsek_k.jurisdiction.set([kj])
    bawaslu = OrganisationFactory.create(code="bawaslu-jepara", name="Bawaslu Jepara", type_id="bawaslu_kab")
    bawaslu.jurisdiction.set([reg])
    panwas = OrganisationFactory.create(
        code="panwascam-mayong", name="Panwascam Mayong", type_id="panwascam", parent=bawaslu
    )
    panwas.jurisdiction.set([mayong])
    org_of_role = {
        "administrator": polres,
        "command": polres,
        "liaison": bawaslu,
        "area_officer": polsek_m,
        "field_reporter": polsek_m,
        "viewer": panwas,
    }
    users: dict[str, User] = {}
    for role in ROLE_CODES:
        person = PersonFactory.create(organisation=org_of_role[role], full_name=f"Petugas {role}")
        users[role] = UserFactory.create(
            username=role, person=person, organisation=org_of_role[role], role_codes=[role]
        )
    return SmallJepara(prov, reg, mayong, kj, villages, tps, polres, polsek_m, polsek_k, panwas, users)


@pytest.fixture(autouse=True)
def _two_factor_only_where_tested(request: pytest.FixtureRequest, settings: Any) -> None:
    """Most tests log in as command/administrator users with ``client.login`` (no request object, which
    django-axes needs); 2FA and lockout are exercised by tests marked ``two_factor`` / ``lockout``."""
    settings.LINSEK_REQUIRE_2FA = request.node.get_closest_marker("two_factor") is not None
    settings.AXES_ENABLED = request.node.get_closest_marker("lockout") is not None
