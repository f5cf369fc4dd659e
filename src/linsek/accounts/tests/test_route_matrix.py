"""The route × role matrix (``accounts/rules/routes.json``) covers every route and is what the routes answer.

1. Completeness: every URL pattern of the resolver (recursively: pages, the admin, every django-ninja
   operation of /api/v1) has an entry, and every entry names a route that exists.
2. Behaviour: every route is requested as anonymous, as a user without a role, as each role of policy.json
   and as a staff superuser, with real objects in the path (a report, a case, a meeting, a plan, a TPS, …):
   the matrix says "allow" → the gate let it through and the view did not send the caller to the login or
   answer 401/403 (except for the object-level narrowings listed in ``OBJECT_LEVEL_REFUSALS``); "deny" → the
   gate itself refused (401 / login redirect for anonymous, 403 otherwise) before the view ran.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import ROLE_CODES, SmallJepara
from linsek.accounts.policy import policy
from linsek.accounts.route_gate import GATE_HEADER, api_gate_install, api_operations, ninja_path_view, url_names
from linsek.accounts.routes import ROUTES_FILE, Verdict, route_matrix, route_verdict
from tests.factories import UserFactory

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2024, 2, 14, 9, 0, tzinfo=WIB)
PRINCIPALS = ["anonymous", "no_role", *ROLE_CODES, "staff"]
ASGI_ROUTES = {"asgi:static", "asgi:live-reports", "asgi:intake-lane"}

# Routes the matrix admits for a role whose view then refuses with 403 for the fixture's objects: object-level
# need-to-know (relation to the object), not the route gate. Each line says why; anything else is a failure.
OBJECT_LEVEL_REFUSALS: dict[tuple[str, str, str], str] = {
    **{
        ("cases:transition", who, "POST"): "the case is in Bawaslu's review stage: only Bawaslu moves it on"
        for who in ("command", "staff")
    },
    **{
        (name, who, method): "the event was recorded by Polres: only its recorder or the command post edits it"
        for name, method in (("coord:event-edit", "GET"), ("coord:event-cancel", "POST"))
        for who in ("liaison", "area_officer")
    },
    **{
        ("coord:action", who, "POST"): "the action item is Polres's: only its owner or the command post updates it"
        for who in ("liaison", "area_officer")
    },
}
# The admin's own model permissions (append-only audit trail, read-only rule sets …) refuse these to staff.
ADMIN_OWN_REFUSALS = re.compile(r"^admin:(autocomplete|\w+_(add|delete))$")

# Default path values by parameter name; routes whose parameter means something else are set in the world.
DEFAULT_ARGS = {"object_id": "1", "content_type_id": "1", "app_label": "accounts", "url": "tidak-ada/"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _route_names() -> set[str]:
    return {name for name, _route, _callback in url_names()}


def test_every_route_has_an_entry_and_every_entry_a_route() -> None:
    names = _route_names()
    matrix = route_matrix()
    missing = sorted(n for n in names if matrix.entry(n) is None)
    assert not missing, f"routes missing from {ROUTES_FILE.name}: {missing}"
    stale = sorted(n for n in matrix.routes if n not in names and n not in ASGI_ROUTES)
    assert not stale, f"{ROUTES_FILE.name} names routes that no longer exist: {stale}"
    assert set(matrix.namespaces) <= {n.split(":", 1)[0] for n in names if ":" in n}


def test_every_api_operation_is_gated_and_unauthenticated_ones_are_public() -> None:
    api_gate_install()
    operations = api_operations()
    assert len(operations) >= 50
    matrix = route_matrix()
    for name, operation in operations.values():
        assert getattr(operation._run_checks, "linsek_gate", None) == name, f"{name} is not behind the gate"
        entry = matrix.entry(name)
        assert entry is not None
        if not operation.auth_callbacks:  # django-ninja does not authenticate it: only 'public' is honest
            assert {r.kind for r in entry.rules.values()} == {"public"}, f"{name} has no auth but is not public"


def test_the_intake_lane_has_the_rule_of_the_api_intake_routes() -> None:
    matrix = route_matrix()
    lane = matrix.routes["asgi:intake-lane"].rule_for("POST")
    assert lane is not None
    for name in ("api:report_create", "api:report_create_batch"):
        assert matrix.routes[name].rule_for("POST") == lane


def test_a_broken_matrix_is_refused() -> None:
    from linsek.accounts.policy import PolicyError
    from linsek.accounts.routes import routes_parse

    with pytest.raises(PolicyError, match="unknown capabilities"):
        routes_parse({"version": "x", "routes": {"web:home": "reports.read_minds"}}, policy())
    with pytest.raises(PolicyError, match="methods"):
        routes_parse({"version": "x", "routes": {"web:home": {"access": {"BREW": "login"}}}}, policy())


def test_a_key_written_twice_in_a_rules_file_is_refused() -> None:
    """``json.loads`` would keep the last of two equal keys silently: the loader names the duplicate instead."""
    from linsek.accounts.policy import POLICY_FILE, PolicyError, rules_json_loads

    twice = '{"version": "x", "routes": {"incidents:attachment": "reports.view", "incidents:attachment": "public"}}'
    with pytest.raises(PolicyError, match=r"routes\.json: key 'incidents:attachment' appears twice"):
        rules_json_loads(twice, source=ROUTES_FILE.name)
    nested = '{"version": "1", "grants": {"viewer": ["reports.view"], "viewer": []}}'
    with pytest.raises(PolicyError, match=r"policy\.json: key 'viewer' appears twice"):
        rules_json_loads(nested, source=POLICY_FILE.name)
    # the same key in different objects is fine, and the shipped files load
    assert rules_json_loads('{"a": {"x": 1}, "b": {"x": 2}}', source="t.json") == {"a": {"x": 1}, "b": {"x": 2}}
    for path in (ROUTES_FILE, POLICY_FILE):
        assert rules_json_loads(path.read_text(encoding="utf-8"), source=path.name)
    assert route_matrix().routes["incidents:attachment"].methods() == ("GET",)


@dataclass
class World:
    j: SmallJepara
    users: dict[str, Any]
    args: dict[str, dict[str, Any]]


def _world(j: SmallJepara, tmp_path: Any) -> World:
    """One of each object a path can name, made through the domain services."""
    from linsek.cases.services import ArticleInput, PartyInput, case_register
    from linsek.coord.services.actions import ActionInput, action_item_add
    from linsek.coord.services.calendar import EventInput, event_create
    from linsek.coord.services.meetings import MeetingInput, meeting_create
    from linsek.deploy.services import plan_generate
    from linsek.incidents.services import actor_for, attachment_add, report_submit
    from linsek.reports.services import rendition_get, sitrep_generate

    command = j.users["command"]
    tps, village = j.tps[0], j.villages["Pelemkerep"]
    outcome = report_submit(
        actor=actor_for(command, channel="web"),
        data={"uuid": str(uuid.uuid4()), "kind": "politik_uang", "tps": tps.code, "description": "uji matriks"},
        now=NOW,
    )
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the type is sniffed from the first bytes
    attachment = attachment_add(actor=command, report_id=outcome.report_pk, name="foto.png", content=png, now=NOW)
    case = case_register(
        actor=j.users["liaison"],  # Bawaslu Jepara registers
        origin="finding",
        title="Politik uang di TPS 001 Pelemkerep",
        known_at=NOW,
        region=village,
        now=NOW,
        parties=[PartyInput("finder", "Pengawas TPS 001"), PartyInput("reported", "Sdr. X")],
        articles=[ArticleInput(523, "3")],
        tps=tps,
    )
    bawaslu = j.panwascam_mayong.parent
    assert bawaslu is not None
    meeting = meeting_create(
        actor=command,
        data=MeetingInput(
            title="Rakor Linsek",
            starts_at=NOW - timedelta(days=3),
            place="Pendopo R.A. Kartini",
            region=j.regency,
            organiser=j.polres,
            invited_ids=[j.polres.pk, bawaslu.pk, j.polsek_mayong.pk],
            agenda=["Pembukaan"],
        ),
        now=NOW - timedelta(days=4),
    )
    action = action_item_add(
        actor=command,
        meeting=meeting,
        data=ActionInput("Pengawalan logistik", j.polres, date(2024, 2, 20)),
        now=NOW - timedelta(days=3),
    )
    event = event_create(
        actor=command,
        data=EventInput(
            title="Kampanye rapat umum Partai A",
            event_type="rapat_umum",
            starts_at=NOW + timedelta(days=2),
            ends_at=NOW + timedelta(days=2, hours=4),
            place="Stadion Gelora Bumi Kartini",
            region=j.regency,
        ),
        now=NOW,
    )
    plan = plan_generate(actor=None, regency=j.regency, now=NOW)
    sitrep = sitrep_generate(actor=command, region=j.regency, date_from=NOW.date(), now=NOW)
    rendition_get(report=sitrep, fmt="pdf", language="id", now=NOW)  # rendered once, not once per principal
    person_id = command.person_id
    report_id, case_id = outcome.report_pk, case.pk
    regency = j.regency.code
    args: dict[str, dict[str, Any]] = {
        "web:region": {"code": regency},
        "web:tps": {"code": tps.code},
        "web:organisation": {"code": j.polres.code},
        "risk:region": {"code": regency},
        "risk:tps": {"code": tps.code},
        "risk:assess": {"code": tps.code},
        "risk:grid": {"code": village.code},
        "deploy:scope": {"code": regency},
        "deploy:jobs": {"code": regency},
        "deploy:plan": {"pk": plan.pk},
        "deploy:approve": {"pk": plan.pk},
        "deploy:roster": {"pk": plan.pk, "unit_code": j.polsek_mayong.code, "fmt": "csv"},
        "deploy:layer-tps": {"pk": plan.pk},
        "deploy:layer-posts": {"pk": plan.pk},
        "cases:detail": {"pk": case_id},
        "cases:transition": {"pk": case_id},
        "cases:document": {"pk": case_id, "doc_id": 999_999},
        "incidents:detail": {"report_id": report_id},
        "incidents:act": {"report_id": report_id},
        "incidents:attachment": {"report_id": report_id, "attachment_id": attachment.pk},
        "coord:event": {"pk": event.pk},
        "coord:event-edit": {"pk": event.pk},
        "coord:event-cancel": {"pk": event.pk},
        "coord:meeting": {"pk": meeting.pk},
        "coord:presentation": {"pk": meeting.pk, "pid": 999_999},
        "coord:action": {"pk": action.pk},
        "reports:report": {"pk": sitrep.pk},
        "reports:file": {"pk": sitrep.pk, "fmt": "pdf"},
        "reports:briefing": {"meeting_id": meeting.pk},
        "api:region_get": {"code": regency},
        "api:region_children": {"code": regency},
        "api:tps_get": {"code": tps.code},
        "api:organisation_get": {"code": j.polres.code},
        "api:person_get": {"person_id": person_id},
        "api:token_revoke": {"prefix": "tidakada"},
        "api:report_get": {"report_id": report_id},
        "api:report_transition_post": {"report_id": report_id},
        "api:report_attachment_post": {"report_id": report_id},
        "api:tps_risk_read": {"code": tps.code},
        "api:assessment_create": {"code": tps.code},
        "api:override_set": {"code": tps.code},
        "api:rollup_read": {"code": regency},
        "api:plan_read": {"plan_id": plan.pk},
        "api:plan_posts_read": {"plan_id": plan.pk},
        "api:plan_approve_route": {"plan_id": plan.pk},
        "api:case_detail": {"case_id": case_id},
        "api:case_transition_create": {"case_id": case_id},
        "api:meeting_get": {"meeting_id": meeting.pk},
        "api:decision_post": {"meeting_id": meeting.pk},
        "api:action_post": {"meeting_id": meeting.pk},
        "api:action_status_post": {"action_id": action.pk},
        "api:sitrep_get": {"report_id": sitrep.pk},
        "api:docs_asset": {"name": "swagger-ui.css"},
        "api:not_found": {"rest": "tidak-ada"},
    }
    for name, _route, _callback in url_names():
        if name.startswith("coord:meeting-") and name != "coord:meeting-new":
            args[name] = {"pk": meeting.pk}
    users = dict(j.users)
    users["no_role"] = UserFactory.create(username="tanpa-peran", organisation=j.polres)
    users["staff"] = UserFactory.create(username="staf", organisation=j.polres, is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=users["staff"], name="uji", confirmed=True)
    for name in ("admin:otp_totp_totpdevice_config", "admin:otp_totp_totpdevice_qrcode"):
        args[name] = {"pk": device.pk}  # django-otp's admin views answer 500, not 404, for a missing device
    return World(j, users, args)


@dataclass(frozen=True)
class Probe:
    name: str
    method: str
    path: str


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _path(name: str, route: str, kwargs: dict[str, Any], named: bool) -> str:
    if named:
        return reverse(name, kwargs=kwargs)
    # Unnamed patterns (the admin's redirects and catch-all) cannot be reversed: fill the route text.
    text = _PARAM.sub(lambda m: str(kwargs[m.group(1) or m.group(2)]), route)
    return "/" + text.replace("^", "").replace("$", "")


def _probes(world: World) -> list[Probe]:
    """Each route once per method it serves (API: the operation's methods; pages: the matrix's, else GET)."""
    matrix = route_matrix()
    probes: list[Probe] = []
    seen_ops: set[int] = set()
    for name, route, callback in url_names():
        params = [m.group(1) or m.group(2) for m in _PARAM.finditer(route)]
        kwargs = {p: world.args.get(name, {}).get(p, DEFAULT_ARGS.get(p, "1")) for p in params}
        path_view = ninja_path_view(callback)
        if path_view is not None:
            operations = {id(op): (n, op) for op_id, (n, op) in api_operations().items() if n == name}
            for op_id, (_n, op) in operations.items():
                if op_id in seen_ops:
                    continue
                seen_ops.add(op_id)
                probes += [Probe(name, m, _path(name, route, kwargs, True)) for m in op.methods]
            continue
        entry = matrix.entry(name)
        assert entry is not None, name
        methods = [m for m in entry.methods() if m != "*"] or (
            ["POST"] if entry.rule_for("GET") and entry.rule_for("GET").kind == "signature" else ["GET"]  # type: ignore[union-attr]
        )
        named = not name.split(":")[-1].count(".")
        probes += [Probe(name, m, _path(name, route, kwargs, named)) for m in methods]
    return probes


def _request(client: Client, probe: Probe) -> Any:
    if probe.name.startswith("api:") and probe.method != "GET":
        return client.generic(probe.method, probe.path, b"{}", content_type="application/json")
    if probe.method == "POST":
        return client.post(probe.path, {})
    return client.generic(probe.method, probe.path)


def _to_login(response: Any) -> bool:
    location = response.get("Location", "") if response.status_code in (301, 302) else ""
    return location.startswith((resolve_url(settings.LOGIN_URL), "/admin/login/"))


def _judge(probe: Probe, principal: str, user: Any, response: Any) -> str | None:
    """None when the answer agrees with the matrix, else what went wrong."""
    verdict, rule = route_verdict(user, probe.name, probe.method)
    status, gate = response.status_code, response.has_header(GATE_HEADER)
    said = f"matrix: {rule.label() if rule else '?'} → {verdict.value}"
    if status >= 500:
        return f"{status} server error ({said})"
    if rule is not None and rule.kind == "signature":
        return None if status == 401 else f"{status} without a signature, expected 401 ({said})"
    if verdict is Verdict.ALLOW:
        if gate or status == 401 or _to_login(response):
            return f"refused with {status} although allowed ({said})"
        narrowed = (probe.name, principal, probe.method) in OBJECT_LEVEL_REFUSALS or (
            principal == "staff" and ADMIN_OWN_REFUSALS.match(probe.name)
        )
        if status == 403 and not narrowed:
            return f"403 from the view although the matrix allows ({said})"
        return None
    if verdict is Verdict.LOGIN:
        api_401 = probe.name.startswith("api:") and status == 401  # django-ninja's authentication answers first
        if api_401 or (gate and (status == 401 or _to_login(response))):
            return None
        return f"anonymous got {status}, expected the gate's 401 or login redirect ({said})"
    if verdict is Verdict.FORBID:
        entry = route_matrix().entry(probe.name)
        hidden = entry is not None and entry.refuse == "not_found" and probe.method == "GET"
        expected = 404 if hidden else 403
        return None if gate and status == expected else f"got {status}, expected the gate's {expected} ({said})"
    return f"unexpected verdict {verdict} ({said})"


def test_every_route_answers_as_the_matrix_says(jepara_small: SmallJepara, settings: Any, tmp_path: Any) -> None:
    """All principals against one set of objects; each principal's requests run in a savepoint that is rolled
    back, so what one of them changes (an approved plan, a cancelled event) does not change the next one's
    answers. A failure names method, route, path and principal; all failures are listed at once."""
    settings.MEDIA_ROOT = str(tmp_path / "uploads")
    world = _world(jepara_small, tmp_path)
    probes = _probes(world)
    assert len(probes) > 300
    failures: list[str] = []
    for principal in PRINCIPALS:
        user = world.users.get(principal)
        with transaction.atomic():
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            for probe in probes:
                response = _request(client, probe)
                problem = _judge(probe, principal, user, response)
                if problem:
                    failures.append(f"{probe.method} {probe.name} ({probe.path}) as {principal}: {problem}")
            transaction.set_rollback(True)
    assert not failures, f"{len(failures)} answers differ from {ROUTES_FILE.name}:\n" + "\n".join(failures)
