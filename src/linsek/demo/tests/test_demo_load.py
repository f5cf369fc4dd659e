"""The full Jepara demo: real counts, plausible places and voters, organisations, people, logins, idempotence."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.db.models import Count, Max, QuerySet, Sum

from linsek.accounts.models import User
from linsek.agencies.models import ContactPoint, Organisation, Person
from linsek.audit.models import AuditEvent
from linsek.audit.services import audit_verify
from linsek.core.codes import split_tps_code
from linsek.core.geo import haversine_m, point_in_geometry
from linsek.demo.facts import jepara_facts
from linsek.demo.jepara import DemoSummary, demo_load
from linsek.demo.tests.conftest import shared_data_dir
from linsek.regions.models import PollingStation, Region

pytestmark = pytest.mark.django_db

KARIMUNJAWA_ISLANDS = ("Pulau Karimunjawa", "Pulau Kemujan", "Pulau Parang", "Pulau Nyamuk", "Pulau Genting")
RISK_VILLAGES = {
    "33.20.09.2001": "Tempur",
    "33.20.04.2004": "Kuanyar",
    "33.20.16.2008": "Jugo",
    "33.20.09.2003": "Kunir",
    "33.20.04.2016": "Bungu",
    "33.20.05.2006": "Somosari",
    "33.20.15.2006": "Plajan",
    "33.20.16.2001": "Sumberrejo",
}


def _placed(tps: QuerySet[PollingStation]) -> list[tuple[str, float, float]]:
    """(village code, lat, lon) of TPS that must all have a point."""
    rows = list(tps.values_list("village__code", "lat", "lon"))
    assert all(lat is not None and lon is not None for _, lat, lon in rows)
    return [(v, float(lat or 0.0), float(lon or 0.0)) for v, lat, lon in rows]


def test_regions_are_the_real_jepara(demo_full: DemoSummary) -> None:
    province = Region.objects.get(code="33")
    assert (province.name, province.level, province.time_zone) == ("Jawa Tengah", "province", "Asia/Jakarta")
    regency = Region.objects.get(code="33.20")
    assert (regency.name, regency.kind, regency.parent_id) == ("Jepara", "kabupaten", province.id)
    districts = Region.objects.filter(level="district", parent=regency)
    assert districts.count() == 16
    assert sorted(districts.values_list("code", flat=True)) == [f"33.20.{n:02d}" for n in range(1, 17)]
    assert list(districts.filter(is_island=True).values_list("code", flat=True)) == ["33.20.10"]
    villages = Region.objects.filter(level="village", code__startswith="33.20.")
    assert villages.count() == 195
    assert Counter(villages.values_list("kind", flat=True)) == {"desa": 184, "kelurahan": 11}
    kelurahan = villages.filter(kind="kelurahan")
    assert all(re.fullmatch(r"33\.20\.06\.1\d{3}", c) for c in kelurahan.values_list("code", flat=True))
    assert not villages.filter(lat__isnull=True).exists()
    assert Region.objects.get(code="33.20.04.2009").name == "Pelemkerep"


def test_tps_and_voters_sum_to_the_kpu_figures(demo_full: DemoSummary) -> None:
    tps = PollingStation.objects.filter(regency__code="33.20")
    totals = tps.aggregate(n=Count("id"), m=Sum("voters_male"), f=Sum("voters_female"), t=Sum("voters_total"))
    assert totals == {"n": 3490, "m": 457_357, "f": 457_639, "t": 914_996}
    kj = tps.filter(district__code="33.20.10").aggregate(n=Count("id"), t=Sum("voters_total"))
    assert kj == {"n": 32, "t": 7517}
    assert tps.aggregate(cap=Max("voters_total"))["cap"] <= 300  # KPU's cap for Pemilu 2024
    assert not tps.filter(voters_total__lt=100).exists()
    # Every village has exactly the TPS count of KPU's list (jepara_desa.csv), and the roll-ups agree.
    per_village = dict(tps.values_list("village__code").annotate(n=Count("id")))
    assert per_village == {v.code: v.tps for v in jepara_facts().villages}
    regency = Region.objects.get(code="33.20")
    assert (regency.tps_count, regency.voters_total, regency.voters_male) == (3490, 914_996, 457_357)
    assert Region.objects.get(code="33.20.10").voters_total == 7517
    assert (demo_full.tps, demo_full.voters_total) == (3490, 914_996)


def test_tps_codes_are_well_formed_and_unique(demo_full: DemoSummary) -> None:
    rows = list(PollingStation.objects.values_list("code", "number", "village__code", "district__code"))
    assert len({r[0] for r in rows}) == len(rows) == 3490
    for code, number, village, district in rows:
        assert split_tps_code(code) == (village, number)
        assert village.startswith(district + ".")
    # Pengkol keeps KPU's numbering: TPS 001-019 and the two TPS lokasi khusus 901-902.
    pengkol = sorted(n for _, n, v, _ in rows if v == "33.20.06.1011")
    assert pengkol == [*range(1, 20), 901, 902]


def test_island_tps_lie_on_the_karimunjawa_islands_and_nowhere_else(demo_full: DemoSummary) -> None:
    islands = jepara_facts().islands
    points = [(islands[name].lat, islands[name].lon) for name in KARIMUNJAWA_ISLANDS]
    island_tps = PollingStation.objects.exclude(island="")
    assert set(island_tps.values_list("district__code", flat=True)) == {"33.20.10"}
    assert island_tps.count() == 32 and island_tps.filter(boat_only=True).count() == 32
    assert Counter(island_tps.values_list("island", flat=True)) == {
        "Karimunjawa": 13,
        "Genting": 2,
        "Kemujan": 11,
        "Parang": 4,
        "Nyamuk": 2,
    }
    for t in island_tps:
        assert t.lat is not None and t.lon is not None
        own = islands[f"Pulau {t.island}"]
        assert haversine_m(t.lat, t.lon, own.lat, own.lon) < 3000, t.code
        assert "KMP Siginjai" in t.access_notes
    # Mainland TPS are on the mainland: far from every Karimunjawa island.
    for _, lat, lon in _placed(PollingStation.objects.filter(island="")):
        assert min(haversine_m(lat, lon, p[0], p[1]) for p in points) > 50_000
        assert -6.85 < lat < -6.35 and 110.55 < lon < 111.05


def test_mainland_tps_fall_inside_their_own_village(demo_full: DemoSummary, record_property: Any) -> None:
    geojson = shared_data_dir() / "jepara_desa.geojson"
    if not geojson.exists():
        pytest.skip(f"village polygons not available at {geojson} (shared/data is not committed)")
    shapes = {f["properties"]["kode"]: f["geometry"] for f in json.loads(geojson.read_text())["features"]}
    rows = _placed(PollingStation.objects.filter(island=""))
    inside = sum(point_in_geometry(lat, lon, shapes[village]) for village, lat, lon in rows)
    share = inside / len(rows)
    record_property("mainland_tps_inside_own_village", round(share, 4))
    print(f"mainland TPS inside their own village polygon: {inside}/{len(rows)} = {share:.1%}")
    assert share >= 0.9, f"only {share:.1%} of mainland TPS inside their village"
    island_rows = _placed(PollingStation.objects.exclude(island=""))
    island_inside = sum(point_in_geometry(lat, lon, shapes[village]) for village, lat, lon in island_rows)
    assert island_inside >= 24, f"{island_inside}/32 island TPS inside their desa"


def test_special_and_remote_tps_carry_their_notes(demo_full: DemoSummary) -> None:
    special = dict(PollingStation.objects.exclude(special="").values_list("code", "special"))
    assert special["33.20.06.1011.901"] == special["33.20.06.1011.902"] == "lapas"
    assert "Rutan Kelas IIB Jepara" in PollingStation.objects.get(code="33.20.06.1011.901").address
    assert Counter(special.values()) == {"lapas": 2, "pesantren": 2}
    remote = PollingStation.objects.filter(remote=True)
    assert set(remote.values_list("village__code", flat=True)) == set(RISK_VILLAGES)
    assert remote.count() == PollingStation.objects.filter(village__code__in=RISK_VILLAGES).count()
    assert all(remote.values_list("access_notes", flat=True))
    assert "hutan" in PollingStation.objects.filter(village__code="33.20.09.2001").first().access_notes  # type: ignore[union-attr]


def test_organisations_form_the_chains_of_command(demo_full: DemoSummary) -> None:
    by_type = Counter(Organisation.objects.values_list("type_id", flat=True))
    for type_, n in {"polsek": 16, "koramil": 16, "ppk": 16, "pps": 195, "panwascam": 16, "camat": 16}.items():
        assert by_type[type_] == n, type_
    assert by_type["polres_unit"] == 5
    for code in ("kejari-jepara", "pn-jepara", "bpbd-jepara", "kesbangpol-jepara", "linmas-jepara"):
        assert Organisation.objects.filter(code=code).exists(), code
    polres = Organisation.objects.get(code="polres-jepara")
    assert polres.parent is not None and polres.parent.code == "polda-jateng"
    assert Organisation.objects.get(code="linmas-jepara").parent.code == "satpol-pp-jepara"  # type: ignore[union-attr]
    assert Organisation.objects.get(code="koramil-karimunjawa").name == "Koramil 10/Karimunjawa"
    assert Organisation.objects.get(code="pps-mayong-pelemkerep").parent.code == "ppk-mayong"  # type: ignore[union-attr]
    # Jurisdictions: the regency for regency bodies, the district for a Polsek, the village for a PPS.
    assert list(polres.jurisdiction.values_list("code", flat=True)) == ["33.20"]
    for org in Organisation.objects.filter(type_id__in=["polsek", "koramil", "ppk", "panwascam", "camat"]):
        assert [r.level for r in org.jurisdiction.all()] == ["district"], org.code
    assert list(Organisation.objects.get(code="pps-jepara-pengkol").jurisdiction.values_list("code", flat=True)) == [
        "33.20.06.1011"
    ]
    # Contact points exist for every organisation and are visibly fictitious.
    assert ContactPoint.objects.values("organisation").distinct().count() == Organisation.objects.count()
    for kind, value, label in ContactPoint.objects.values_list("kind", "value", "label"):
        assert "demo" in label
        if kind == "phone":
            assert re.fullmatch(r"0291-59\d{4}", value)
        elif kind == "email":
            assert value.endswith(".example")
        else:
            assert re.fullmatch(r"08\d{10}", value)


def test_people_match_the_planned_forces(demo_full: DemoSummary) -> None:
    sector = Counter(Person.objects.values_list("organisation__type__sector", flat=True))
    assert (sector["polri"], sector["tni"]) == (550, 500)
    assert Person.objects.filter(duty_role_id="linmas").count() == 6615
    villages = set(Region.objects.filter(level="village").values_list("id", flat=True))
    for role in ("bhabinkamtibmas", "babinsa"):
        homes = list(Person.objects.filter(duty_role_id=role).values_list("home_region_id", flat=True))
        assert sorted(homes) == sorted(villages), role
    # Linmas live in every village, never more than that village needs (2 per TPS + 4 for its PPS).
    need = {v: 2 * n + 4 for v, n in Region.objects.filter(level="village").values_list("id", "tps_count")}
    linmas = Counter(Person.objects.filter(duty_role_id="linmas").values_list("home_region_id", flat=True))
    assert set(linmas) == villages and all(linmas[v] <= need[v] for v in villages)
    kapolsek = Person.objects.filter(duty_role_id="kapolsek").select_related("home_region")
    assert kapolsek.count() == 16 and {p.home_region.level for p in kapolsek} == {"district"}  # type: ignore[union-attr]
    assert Person.objects.filter(duty_role_id="anggota_ppk").count() == 80
    assert Person.objects.filter(duty_role_id="anggota_pps").count() == 585
    assert Person.objects.filter(duty_role_id="panwascam").count() == 48
    assert Person.objects.filter(duty_role_id="camat").count() == 16
    assert Person.objects.filter(duty_role_id__in=["jaksa", "hakim"]).count() >= 4
    assert all(re.fullmatch(r"08\d{10}", p) for p in Person.objects.values_list("phone", flat=True))
    assert set(Person.objects.filter(organisation__type__sector="polri").values_list("rank", flat=True)) <= {
        "AKBP", "Kompol", "AKP", "Iptu", "Ipda", "Aiptu", "Aipda", "Bripka", "Brigpol", "Briptu", "Bripda",
    }  # fmt: skip
    assert demo_full.people == Person.objects.count()


def test_one_demo_login_per_role(demo_full: DemoSummary) -> None:
    expected = {
        "admin": ("administrator", "polres-jepara", "Kasi TIK Polres Jepara"),
        "komando": ("command", "polres-jepara", "Kabag Ops Polres Jepara"),
        "bawaslu": ("liaison", "bawaslu-jepara", "Anggota Bawaslu"),
        "polsek.mayong": ("area_officer", "polsek-mayong", "Kapolsek Mayong"),
        "bhabin.mayong": ("field_reporter", "polsek-mayong", "Bhabinkamtibmas Desa Mayong Lor"),
        "pemantau": ("viewer", "kesbangpol-jepara", "Analis Kebijakan Kesbangpol"),
    }
    logins = {x.username: x for x in demo_full.logins}
    assert set(logins) == set(expected)
    for username, (role, org, position) in expected.items():
        user = User.objects.select_related("person", "organisation").get(username=username)
        assert user.role_codes() == {role}
        assert user.organisation is not None and user.organisation.code == org
        assert user.person is not None and user.person.organisation_id == user.organisation_id
        assert user.person.position.startswith(position), user.person.position
        assert user.check_password(logins[username].password)
        validate_password(logins[username].password, user)
        assert user.is_superuser == user.is_staff == (username == "admin")
    assert User.objects.get(username="bhabin.mayong").person.home_region.code == "33.20.04.2001"  # type: ignore[union-attr]


def test_the_load_is_audited(demo_full: DemoSummary) -> None:
    event = AuditEvent.objects.filter(action="demo.load").latest("seq")
    assert event.data["counts"]["tps"] == 3490 and event.data["counts"]["voters"] == 914_996
    assert event.data["created"]["tps"] == 3490
    assert audit_verify().broken is None


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "regions": list(
            Region.objects.order_by("code").values_list(
                "code", "name", "level", "kind", "parent__code", "lat", "lon", "is_island", "time_zone", "source",
                "tps_count", "voters_male", "voters_female", "voters_total",
            )
        ),
        "tps": list(
            PollingStation.objects.order_by("code").values_list(
                "code", "number", "village__code", "address", "lat", "lon", "voters_male", "voters_female",
                "voters_total", "island", "boat_only", "remote", "special", "access_notes",
            )
        ),
        "organisations": list(
            Organisation.objects.order_by("code").values_list("code", "name", "short_name", "type", "parent__code")
        ),
        "jurisdictions": list(
            Organisation.jurisdiction.through.objects.order_by("organisation__code", "region__code").values_list(
                "organisation__code", "region__code"
            )
        ),
        "contacts": list(
            ContactPoint.objects.order_by("id").values_list("organisation__code", "kind", "value", "label")
        ),
        "people": list(
            Person.objects.order_by("key").values_list(
                "key", "organisation__code", "full_name", "rank", "position", "phone", "duty_role", "home_region__code"
            )
        ),
        "users": list(User.objects.order_by("username").values_list("username", "person__key", "organisation__code")),
    }  # fmt: skip


def test_loading_twice_changes_nothing(demo_full: DemoSummary) -> None:
    before = _snapshot()
    komando = User.objects.get(username="komando")
    komando.set_password("kata-sandi-baru-saya-77")
    komando.save()
    again = demo_load()
    assert again.rows_created == 0, again.created
    assert again.rows_updated == 0, again.updated
    assert _snapshot() == before
    assert not [x for x in again.logins if x.created]
    assert User.objects.get(username="komando").check_password("kata-sandi-baru-saya-77")
