"""Fixtures of the incidents tests: the small Jepara with every agency the default routing names."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from linsek.incidents.reference import reference_clear
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

NOW = datetime(2024, 2, 14, 2, 0, tzinfo=UTC)  # 09:00 WIB on voting day


@pytest.fixture(autouse=True)
def _fresh_reference() -> Any:
    """Reference data is cached per process; each test builds its own regions and organisations."""
    reference_clear()
    yield
    reference_clear()


@pytest.fixture
def jepara(jepara_small: Any) -> Any:
    """jepara_small plus Koramil/Kodim, KPU/PPK, Pemkab, BPBD, Kesbangpol, Camat, and users for them."""
    j = jepara_small
    reg, mayong, kj = j.regency, j.mayong, j.karimunjawa
    orgs: dict[str, Any] = {
        "polres": j.polres,
        "polsek_mayong": j.polsek_mayong,
        "polsek_karimunjawa": j.polsek_karimunjawa,
        "panwascam_mayong": j.panwascam_mayong,
        "bawaslu": j.panwascam_mayong.parent,
    }

    def org(code: str, name: str, type_id: str, region: Any, parent: Any = None) -> Any:
        o = OrganisationFactory.create(code=code, name=name, type_id=type_id, parent=parent)
        o.jurisdiction.set([region])
        orgs[code.replace("-", "_")] = o
        return o

    kodim = org("kodim-0719", "Kodim 0719/Jepara", "kodim", reg)
    org("koramil-mayong", "Koramil Mayong", "koramil", mayong, kodim)
    org("koramil-karimunjawa", "Koramil 10/Karimunjawa", "koramil", kj, kodim)
    kpu = org("kpu-jepara", "KPU Kabupaten Jepara", "kpu_kab", reg)
    org("ppk-mayong", "PPK Mayong", "ppk", mayong, kpu)
    pemkab = org("pemkab-jepara", "Pemkab Jepara", "pemkab", reg)
    org("bpbd-jepara", "BPBD Jepara", "bpbd", reg, pemkab)
    org("kesbangpol-jepara", "Kesbangpol Jepara", "kesbangpol", reg, pemkab)
    org("camat-mayong", "Kecamatan Mayong", "camat", mayong, pemkab)
    j.orgs = orgs
    for code, role in (
        ("ppk_mayong", "liaison"),
        ("koramil_mayong", "area_officer"),
        ("polsek_karimunjawa", "area_officer"),
    ):
        person = PersonFactory.create(organisation=orgs[code], full_name=f"Petugas {code}")
        j.users[f"{code}"] = UserFactory.create(
            username=f"{code}-user", person=person, organisation=orgs[code], role_codes=[role]
        )
    # Bawaslu's liaison is jepara_small's "liaison"; Polsek Mayong's officer its "area_officer".
    reference_clear()
    return j


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 costs ~0.1 s per fixture user; tests that do not log in through a real server hash cheaply."""
    if request.node.get_closest_marker("browser") is None and "live_server_env" not in request.fixturenames:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
