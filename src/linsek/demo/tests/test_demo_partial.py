"""Loading some districts only, then the rest; the ``linsek demo`` command."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from linsek.accounts.models import User
from linsek.agencies.models import Organisation, Person
from linsek.demo.jepara import DemoError, demo_load
from linsek.regions.models import PollingStation, Region

pytestmark = pytest.mark.django_db

MAYONG_KARIMUNJAWA = ["33.20.04", "33.20.10"]


def test_restricted_load_has_only_the_requested_districts() -> None:
    summary = demo_load(districts=MAYONG_KARIMUNJAWA)
    assert (summary.districts, summary.villages) == (2, 22)
    assert sorted(Region.objects.filter(level="district").values_list("code", flat=True)) == MAYONG_KARIMUNJAWA
    assert Region.objects.filter(code__in=["33", "33.20"]).count() == 2
    tps = PollingStation.objects.all()
    assert tps.count() == summary.tps == 267 + 32  # Mayong's 18 villages and Karimunjawa's 4 (KPU list)
    assert set(tps.values_list("district__code", flat=True)) == set(MAYONG_KARIMUNJAWA)
    assert Region.objects.get(code="33.20.10").voters_total == 7517
    # Bodies above district level always exist; district bodies only for the loaded districts.
    for code in ("polda-jateng", "polres-jepara", "kodim-0719-jepara", "kpu-jepara", "bawaslu-jepara", "pn-jepara"):
        assert Organisation.objects.filter(code=code).exists(), code
    assert Organisation.objects.filter(code="polsek-karimunjawa").exists()
    assert not Organisation.objects.filter(code="polsek-kedung").exists()
    assert not Person.objects.filter(home_region__code__startswith="33.20.01").exists()
    assert set(User.objects.values_list("username", flat=True)) == {
        "admin", "komando", "bawaslu", "polsek.mayong", "bhabin.mayong", "pemantau",
    }  # fmt: skip


def test_district_users_follow_the_first_loaded_district_without_mayong() -> None:
    summary = demo_load(districts=["33.20.10"])
    usernames = {x.username for x in summary.logins}
    assert {"polsek.karimunjawa", "bhabin.karimunjawa"} <= usernames
    assert User.objects.get(username="bhabin.karimunjawa").person.home_region.code == "33.20.10.2001"  # type: ignore[union-attr]


def test_full_load_after_a_partial_one_only_adds_rows() -> None:
    first = demo_load(districts=MAYONG_KARIMUNJAWA)
    mayong_before = list(
        PollingStation.objects.filter(district__code="33.20.04")
        .order_by("code")
        .values_list("code", "lat", "lon", "voters_male", "voters_female", "address")
    )
    full = demo_load()
    assert full.rows_updated == 0, full.updated
    assert full.created["tps"] == 3490 - first.tps
    assert full.created["people"] == full.people - first.people
    assert full.created.get("users", 0) == 0
    mayong_after = list(
        PollingStation.objects.filter(district__code="33.20.04")
        .order_by("code")
        .values_list("code", "lat", "lon", "voters_male", "voters_female", "address")
    )
    assert mayong_after == mayong_before
    assert PollingStation.objects.count() == 3490


def test_unknown_district_is_refused() -> None:
    with pytest.raises(DemoError, match=r"33\.20\.99"):
        demo_load(districts=["33.20.04", "33.20.99"])
    assert not Region.objects.exists()


def test_demo_load_command_prints_counts_and_logins() -> None:
    out = StringIO()
    call_command("demo", "load", "--districts", "33.20.10", stdout=out)
    text = out.getvalue()
    assert "32" in text and "7,517" in text
    for word in ("admin", "demo-kartini-ukir-24", "polsek.karimunjawa", "field_reporter", "Polsek Karimunjawa"):
        assert word in text, word
    with pytest.raises(CommandError, match="unknown"):
        call_command("demo", "load", "--districts", "99.99.99", stdout=StringIO())


def test_demo_national_command_writes_import_files(tmp_path: Path) -> None:
    out = StringIO()
    call_command("demo", "national", "--out", str(tmp_path), "--seed", "7", "--scale", "0.001", stdout=out)
    text = out.getvalue()
    assert "linsek import regions" in text and "linsek import tps" in text
    assert any(p.is_file() for p in tmp_path.rglob("*"))
