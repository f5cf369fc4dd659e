"""Routing: every default rule on the Jepara data — the small fixture and the full demo."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import transaction

from linsek.incidents.models import Report
from linsek.incidents.reference import reference_clear
from linsek.incidents.routing import Directory, Org, Place, escalation_target, route
from linsek.incidents.rules import file_document, routing_parse
from linsek.incidents.services import actor_for, report_submit
from linsek.incidents.tests.conftest import NOW


def _submit(j: Any, **data: Any) -> Report:
    body = {"uuid": str(uuid.uuid4()), "description": "uji rute", **data}
    outcome = report_submit(actor=actor_for(j.users["field_reporter"], channel="web"), data=body, now=NOW)
    return Report.objects.get(pk=outcome.report_pk)


def _recipients(report: Report) -> dict[str, str]:
    return dict(report.recipients.values_list("organisation__code", "role"))


# (kind, extra fields, expected {organisation code: role}) at TPS 001 of Pelemkerep, Mayong.
MAYONG_CASES = [
    ("politik_uang", {}, {"panwascam-mayong": "lead", "bawaslu-jepara": "support", "polsek-mayong": "inform"}),
    ("kampanye", {}, {"panwascam-mayong": "lead", "bawaslu-jepara": "support", "polsek-mayong": "inform"}),
    ("netralitas", {}, {"panwascam-mayong": "lead", "bawaslu-jepara": "support", "pemkab-jepara": "support"}),
    (
        "ujaran_kebencian",
        {},
        {
            "panwascam-mayong": "lead",
            "bawaslu-jepara": "support",
            "polsek-mayong": "support",
            "kesbangpol-jepara": "support",
        },
    ),
    ("prosedur_tps", {}, {"ppk-mayong": "lead", "panwascam-mayong": "support", "kpu-jepara": "inform"}),
    (
        "logistik_kurang",
        {},
        {"ppk-mayong": "lead", "kpu-jepara": "support", "panwascam-mayong": "support", "polsek-mayong": "inform"},
    ),
    (
        "surat_suara_tertukar",
        {},
        {"ppk-mayong": "lead", "kpu-jepara": "support", "panwascam-mayong": "support", "polsek-mayong": "inform"},
    ),
    (
        "intimidasi",
        {},
        {"polsek-mayong": "lead", "koramil-mayong": "support", "panwascam-mayong": "inform", "polres-jepara": "inform"},
    ),
    (
        "gangguan_tps",
        {},
        {"polsek-mayong": "lead", "koramil-mayong": "support", "ppk-mayong": "support", "panwascam-mayong": "inform"},
    ),
    (
        "bentrok",
        {"crowd_level": "kuning"},
        {
            "polsek-mayong": "lead",
            "polres-jepara": "support",
            "koramil-mayong": "support",
            "panwascam-mayong": "inform",
            "camat-mayong": "inform",
        },
    ),
    (
        "bentrok",
        {"crowd_level": "merah"},
        {
            "polres-jepara": "lead",
            "polsek-mayong": "support",
            "kodim-0719": "support",
            "koramil-mayong": "support",
            "panwascam-mayong": "inform",
            "camat-mayong": "inform",
        },
    ),
    ("kriminal", {"severity": 3}, {"polsek-mayong": "lead", "polres-jepara": "inform"}),
    ("kriminal", {"severity": 4}, {"polres-jepara": "lead", "polsek-mayong": "support", "koramil-mayong": "inform"}),
    (
        "longsor",
        {},
        {
            "bpbd-jepara": "lead",
            "ppk-mayong": "support",
            "polsek-mayong": "support",
            "koramil-mayong": "support",
            "kpu-jepara": "inform",
        },
    ),
    ("lainnya", {}, {"polres-jepara": "lead"}),
]


@pytest.mark.parametrize(
    ("kind", "extra", "expected"), MAYONG_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(MAYONG_CASES)]
)
def test_default_rule_routes_to_the_covering_organisations(
    jepara: Any, kind: str, extra: dict[str, Any], expected: dict[str, str]
) -> None:
    report = _submit(jepara, kind=kind, tps=jepara.tps[0].code, **extra)
    assert _recipients(report) == expected
    lead = next(code for code, role in expected.items() if role == "lead")
    assert report.lead_org is not None and report.lead_org.code == lead
    assert report.routing["reason_id"] and report.routing["source"] and report.routing["rule"]


def test_every_default_rule_is_exercised_by_the_table() -> None:
    rules = routing_parse(file_document("routing"))
    used = {
        "money-politics",
        "campaign",
        "neutrality",
        "hate-speech",
        "procedure",
        "logistics",
        "intimidation",
        "tps-disruption",
        "clash",
        "riot-red",
        "crime",
        "crime-critical",
        "disaster",
        "other",
    }
    assert {r.id for r in rules.rules} == used


def test_missing_local_body_falls_back_to_the_parent_type_and_says_so(jepara: Any) -> None:
    """Karimunjawa has no Panwascam in the fixture: money politics there goes to Bawaslu Jepara."""
    karimunjawa_tps = next(t for t in jepara.tps if t.village.name == "Karimunjawa")
    report = _submit(jepara, kind="politik_uang", tps=karimunjawa_tps.code)
    assert report.lead_org is not None and report.lead_org.code == "bawaslu-jepara"
    assert any("Bawaslu" in note for note in report.routing["notes"])
    assert _recipients(report)["polsek-karimunjawa"] == "inform"


def _directory() -> Directory:
    orgs = [
        Org(1, "polres", "Polres", "polres", None, frozenset({20})),
        Org(2, "polsek-a", "Polsek A", "polsek", 1, frozenset({21})),
        Org(3, "bawaslu", "Bawaslu", "bawaslu_kab", None, frozenset({20})),
        Org(4, "panwas-a", "Panwascam A", "panwascam", 3, frozenset({21})),
    ]
    parents = {"polsek": ("polres",), "panwascam": ("bawaslu_kab",), "polres": (), "bawaslu_kab": ()}
    return Directory.build(orgs, parents, {})


def test_route_is_pure_and_picks_the_most_local_organisation() -> None:
    rules = routing_parse(file_document("routing"))
    place = Place(village_id=22, district_id=21, regency_id=20, province_id=10)
    decision = route(kind="politik_uang", severity=2, crowd_level="", place=place, rules=rules, directory=_directory())
    assert [(a.org_id, a.role) for a in decision.assignments] == [(4, "lead"), (3, "support"), (2, "inform")]
    other_district = Place(village_id=None, district_id=99, regency_id=20, province_id=10)
    decision = route(
        kind="politik_uang", severity=2, crowd_level="", place=other_district, rules=rules, directory=_directory()
    )
    assert decision.lead is not None and decision.lead.org_id == 3  # Panwascam missing there → Bawaslu


def test_escalation_goes_up_the_parent_then_the_parent_type() -> None:
    d = _directory()
    place = Place(None, 21, 20, 10)
    assert escalation_target(org_id=2, place=place, directory=d) == d.orgs[1]  # Polsek → Polres (parent)
    assert escalation_target(org_id=4, place=place, directory=d) == d.orgs[3]  # Panwascam → Bawaslu
    assert escalation_target(org_id=1, place=place, directory=d) is None  # nobody above the Polres here


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """The full Jepara demo, loaded once for the module and rolled back afterwards."""
    from linsek.demo.jepara import demo_load

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            demo_load(now=datetime(2024, 2, 1, 1, 0, tzinfo=UTC))
            yield None
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "district", "lead", "support"),
    [
        ("politik_uang", "Pakis Aji", "panwascam-pakis-aji", "bawaslu-jepara"),
        ("logistik_terlambat", "Karimunjawa", "ppk-karimunjawa", "kpu-jepara"),
        ("bentrok", "Tahunan", "polsek-tahunan", "polres-jepara"),
        ("gelombang_tinggi", "Karimunjawa", "bpbd-jepara", "polsek-karimunjawa"),
        ("netralitas", "Keling", "panwascam-keling", "pemkab-jepara"),
    ],
)
def test_routing_on_the_full_demo(demo: Any, db: Any, kind: str, district: str, lead: str, support: str) -> None:
    from linsek.accounts.models import User
    from linsek.regions.models import PollingStation

    reference_clear()
    tps = PollingStation.objects.filter(district__name=district).order_by("code").first()
    assert tps is not None
    reporter = User.objects.filter(roles__code="field_reporter").first()
    outcome = report_submit(
        actor=actor_for(reporter, channel="web"),
        data={"uuid": str(uuid.uuid4()), "kind": kind, "tps": tps.code, "description": "uji demo"},
        now=datetime.now(UTC),
    )
    report = Report.objects.get(pk=outcome.report_pk)
    recipients = _recipients(report)
    assert report.lead_org is not None and report.lead_org.code == lead, report.routing
    assert recipients[support] == "support"
