"""Need-to-know per role, through the one scope used by lists, map, exports, API and the live stream."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from linsek.incidents.access import access_report, report_relation
from linsek.incidents.models import Report
from linsek.incidents.selectors import reports_visible_to
from linsek.incidents.services import actor_for, report_live_event, report_submit
from linsek.incidents.tests.conftest import NOW
from linsek.incidents.visibility import report_scope
from tests.factories import UserFactory

EXPECTED = {
    "field_reporter": {"A", "B"},
    "area_officer": {"A", "B", "C"},
    "liaison": {"A", "B", "D", "E"},
    "viewer": {"B"},
    "command": {"A", "B", "C", "D", "E"},
    "administrator": {"B", "D"},
    "kpu_command": {"A", "B", "D", "E"},
}


@pytest.fixture
def reports(jepara: Any) -> dict[str, Report]:
    kj_tps = next(t for t in jepara.tps if t.village.name == "Karimunjawa")
    plan = {
        "A": (
            "field_reporter",
            {
                "kind": "politik_uang",
                "tps": jepara.tps[0].code,
                "reporter_name": "Budi",
                "reporter_nik": "3320041234567890",
            },
        ),
        "B": ("liaison", {"kind": "logistik_rusak", "tps": jepara.tps[1].code, "classification": "public"}),
        "C": ("area_officer", {"kind": "kriminal", "tps": jepara.tps[2].code, "classification": "restricted"}),
        "D": ("command", {"kind": "kampanye", "tps": kj_tps.code, "classification": "public"}),
        "E": ("command", {"kind": "intimidasi", "tps": kj_tps.code, "classification": "internal"}),
    }
    out = {}
    for key, (role, data) in plan.items():
        body = {"uuid": str(uuid.uuid4()), "description": f"laporan {key}", **data}
        outcome = report_submit(actor=actor_for(jepara.users[role], channel="web"), data=body, now=NOW)
        out[key] = Report.objects.get(pk=outcome.report_pk)
    jepara.users["kpu_command"] = UserFactory.create(
        username="kpu-command", organisation=jepara.orgs["kpu_jepara"], role_codes=["command"]
    )
    return out


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_sees_exactly_what_it_needs(jepara: Any, reports: dict[str, Report], who: str) -> None:
    user = jepara.users[who]
    names = {r.pk: k for k, r in reports.items()}
    seen = {names[pk] for pk in reports_visible_to(user).values_list("pk", flat=True)}
    assert seen == EXPECTED[who]
    # The live stream's predicate agrees with the query filter, report by report.
    scope = report_scope(user)
    for key, report in reports.items():
        event = report_live_event(report)
        assert scope.allows(event["classification"], event["facts"]) == (key in EXPECTED[who]), key
        if key not in EXPECTED[who]:
            from linsek.core.errors import NotFound

            with pytest.raises(NotFound):
                access_report(viewer=user, report_id=report.pk)


def test_reporter_identity_only_for_the_receiving_agency(jepara: Any, reports: dict[str, Report]) -> None:
    a = reports["A"]  # Panwascam Mayong leads: its viewer works there; Bawaslu supports; Polres (command) sees it
    assert report_relation(viewer=jepara.users["field_reporter"], report=a).identity  # the reporter himself
    assert not report_relation(viewer=jepara.users["command"], report=a).identity
    panwas_liaison = UserFactory.create(
        username="panwas-liaison", organisation=jepara.panwascam_mayong, role_codes=["liaison"]
    )
    assert report_relation(viewer=panwas_liaison, report=a).identity
    # Bawaslu Jepara is Panwascam's parent, so its scope includes Panwascam's organisations: the receiving agency.
    assert report_relation(viewer=jepara.users["liaison"], report=a).identity


def test_identity_never_in_lists_exports_or_live_events(jepara: Any, reports: dict[str, Report], client: Any) -> None:
    client.force_login(jepara.users["command"])
    csv = b"".join(client.get("/laporan/ekspor.csv").streaming_content).decode()
    assert "Budi" not in csv and "3320041234567890" not in csv and "reporter" not in csv.splitlines()[0]
    assert "Budi" not in client.get("/laporan/").content.decode()
    assert "Budi" not in client.get(f"/laporan/{reports['A'].pk}/").content.decode()
    event = report_live_event(reports["A"])
    assert "Budi" not in str(event) and "3320041234567890" not in str(event)


def test_list_query_count_does_not_grow_with_rows(
    jepara: Any, reports: dict[str, Report], django_assert_max_num_queries: Any
) -> None:
    user = jepara.users["command"]
    scope = report_scope(user)
    with django_assert_max_num_queries(1):
        list(reports_visible_to(user, scope=scope).select_related("district", "lead_org"))
