"""Crash safety: SIGKILL the server and the worker under a load of report submissions, restart them, prove nothing
acknowledged was lost, duplicated or left undelivered, and that the audit chain still verifies.

One run, against a fresh database holding the Jepara demo (``--db sqlite`` or ``postgresql``; both by default):

1. ``granian --interface asgi linsek.asgi:application`` (2 workers, as ``make serve``) and ``linsek worker``
   (notification and escalation jobs every second) are started in their own process groups.
2. ``--clients`` clients post reports (``POST /api/v1/reports``, bearer token, a client-made UUID each) for
   ``--duration`` seconds. A client records every 2xx with the report's reference; a request that fails
   (connection reset, 503 while the server restarts) is resent with the same UUID and body until it is
   answered — the UUID makes that safe. Now and then a client replays an acknowledged UUID on purpose and
   checks it gets the same report back.
3. At seeded random moments the server's process group gets SIGKILL ``--kills`` times and the worker's
   ``--worker-kills`` times; each is restarted at once.
4. Afterwards the worker is restarted (``linsek worker --once`` on the real clock) until the outbox is empty; the
   deliveries a killed worker had claimed are freed at once (its process is gone), not after their 5-minute
   lease. Then a separate process checks the database:

   - every acknowledged UUID is exactly one report, with the id the client was told; no UUID twice;
   - every report in the database carries a UUID some client sent (reports committed whose answer was lost
     are allowed: they are counted); one ``submitted`` timeline line and one ``report.submit`` audit event each;
   - every report was notified (``notified_at``, one ``report.routed`` notification when it has recipients);
     the outbox holds nothing pending, claimed or dead; each in-app delivery is exactly one inbox item;
     each e-mail and SMS delivery reached its file at least once (at-least-once: a worker killed between
     sending and marking may send twice — those repeats are counted, never required to be zero);
   - ``linsek audit verify`` (the real CLI) passes.

Writes ``bench/results/crash-<db>.json``. ``tests/test_crash.py`` runs a short form (``crash_run``) in
``make test`` on both databases.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from intake import (  # noqa: E402  (one copy of the bench helpers)
    KINDS,
    RESULTS,
    VENV_BIN,
    bench_env,
    demo_setup,
    free_port,
    machine,
    pg_drop,
    pg_recreate,
)
from loadgen import response_read  # noqa: E402

TEXT = "Uji ketahanan: server dimatikan paksa saat laporan masuk; laporan ini harus tersimpan tepat satu kali. "
REQUEST_TIMEOUT = 15.0
GIVE_UP_AFTER = 45.0  # after the load ends, a client stops resending an unanswered submission after this long


# --- the processes under test ----------------------------------------------------------------------------------


def base_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = bench_env(
        database_url,
        var_dir,
        SECRET_KEY=secrets.token_urlsafe(50),  # fixed for the run: two workers must not race to create one
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="ERROR",
        LINSEK_SMS_GATEWAY="console",
        LINSEK_REPORT_NOTIFY_INTERVAL="1",
        LINSEK_DELIVER_INTERVAL="1",
        LINSEK_ESCALATE_INTERVAL="5",
    )
    # Not the settings of a test run that may have started us (pytest, the test database, mail in memory).
    skipped = ("DJANGO_ALLOW_ASYNC", "LINSEK_TEST", "EMAIL_", "PYTEST_", "REDIS_URL")
    return {k: v for k, v in env.items() if not k.startswith(skipped)}


def django_run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "django", *args], env=env, capture_output=True, text=True)


@dataclass
class Managed:
    """A process group we start, SIGKILL and restart; its output goes to one log file (appended per start)."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    kills: int = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            out.write(f"--- start {self.starts + 1} at {datetime.now(UTC).isoformat()}\n".encode())
            out.flush()
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.starts += 1

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def sigkill(self) -> bool:
        """SIGKILL the group; True when its leader was running (a kill that hit something)."""
        if self.process is None:
            return False
        alive = self.process.poll() is None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.kills += int(alive)
        return alive

    def stop(self) -> None:
        """Polite stop (SIGTERM), SIGKILL after 10 s; safe to call twice and on a dead process."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # the group may hold children the leader left behind
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None


async def http_up(port: int, managed: Managed, timeout: float = 60.0) -> float:
    """Wait until the server answers an HTTP request; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if managed.process is not None and managed.process.poll() is not None:
            raise RuntimeError(f"{managed.name} exited with {managed.process.returncode}:\n{managed.log_tail()}")
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 2)
            writer.write(b"GET /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            line = await asyncio.wait_for(reader.readline(), 5)
            writer.close()
            if line.startswith(b"HTTP/1.1 "):
                return time.monotonic() - started
        except (OSError, TimeoutError):
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{managed.name} did not answer within {timeout:.0f} s:\n{managed.log_tail()}")


# --- the clients -----------------------------------------------------------------------------------------------


@dataclass
class Ledger:
    """What the clients saw: every UUID sent, every one acknowledged (with the report id they were told)."""

    sent: set[str] = field(default_factory=set)
    acked: dict[str, int] = field(default_factory=dict)  # in the order acknowledged
    requests: int = 0
    resends: int = 0  # requests repeated with the same UUID after a failure
    replays: int = 0  # acknowledged UUIDs deliberately sent again
    recovered: int = 0  # resent after a failure and answered "replayed": committed before the kill, answer lost
    replay_mismatch: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    refused: list[tuple[str, int, str]] = field(default_factory=list)  # (uuid, status, body) of non-retryable answers
    abandoned: set[str] = field(default_factory=set)


async def _exchange(
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], head: bytes, body: bytes
) -> tuple[int, bytes]:
    reader, writer = conn
    writer.write(head + body)
    await writer.drain()
    return await response_read(reader)


async def _client(
    port: int, token: str, body_for: Callable[[str], bytes], stop_at: float, ledger: Ledger, rnd: random.Random
) -> None:
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    headers = f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
    try:
        while time.monotonic() < stop_at:
            replay = bool(ledger.acked) and rnd.random() < 0.02
            # a replay sends one of the 50 most recently acknowledged UUIDs again
            recent = list(itertools.islice(reversed(ledger.acked), 50)) if replay else []
            report_uuid = rnd.choice(recent) if replay else str(uuid.UUID(int=rnd.getrandbits(128)))
            body = body_for(report_uuid)
            head = (
                f"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(body)}\r\n"
                f"{headers}\r\n"
            ).encode()
            ledger.sent.add(report_uuid)
            first_try = True
            while True:
                if not first_try:
                    if time.monotonic() > stop_at + GIVE_UP_AFTER:
                        ledger.abandoned.add(report_uuid)
                        break
                    ledger.resends += 1
                    await asyncio.sleep(0.05 + rnd.random() * 0.2)
                first_try = False
                try:
                    if conn is None:
                        conn = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 3)
                    ledger.requests += 1
                    status, payload = await asyncio.wait_for(_exchange(conn, head, body), REQUEST_TIMEOUT)
                except (OSError, TimeoutError, asyncio.IncompleteReadError, IndexError, ValueError) as exc:
                    ledger.errors[type(exc).__name__] += 1
                    if conn is not None:
                        conn[1].close()
                    conn = None
                    continue
                ledger.statuses[status] += 1
                if status >= 500:
                    continue  # "database unavailable; resend with the same uuid"
                if 200 <= status < 300:
                    answer = json.loads(payload)
                    report_id = int(str(answer["reference"]).removeprefix("L"))
                    if replay:
                        ledger.replays += 1
                        if report_id != ledger.acked[report_uuid] or not answer.get("replayed"):
                            ledger.replay_mismatch.append(report_uuid)
                    elif report_uuid in ledger.acked and ledger.acked[report_uuid] != report_id:
                        ledger.replay_mismatch.append(report_uuid)
                    else:
                        ledger.acked[report_uuid] = report_id
                        ledger.recovered += int(bool(answer.get("replayed")))
                    break
                ledger.refused.append((report_uuid, status, payload[:300].decode(errors="replace")))
                break
    finally:
        if conn is not None:
            conn[1].close()


# --- one run ---------------------------------------------------------------------------------------------------


def _moments(rnd: random.Random, count: int, start: float, end: float) -> list[float]:
    """``count`` seeded random moments in [start, end], one in each of ``count`` equal slots (so kills spread out)."""
    if count <= 0:
        return []
    slot = (end - start) / count
    return [start + i * slot + rnd.uniform(0.15, 0.85) * slot for i in range(count)]


async def _chaos(
    target: Managed, moments: list[float], t0: float, log: Callable[[str], None], *, port: int | None
) -> list[dict[str, float]]:
    done = []
    for at in moments:
        await asyncio.sleep(max(0.0, t0 + at - time.monotonic()))
        hit = target.sigkill()
        killed = time.monotonic() - t0
        target.start()
        up = await http_up(port, target) if port is not None else 0.0
        if not hit:  # counted only when it hit a running process
            log(f"{killed:6.1f} s: {target.name} was not running when its SIGKILL was due; started again")
            continue
        log(f"{killed:6.1f} s: SIGKILL {target.name}, restarted{f' and answering in {up:.1f} s' if port else ''}")
        done.append({"at_s": round(killed, 2), "restart_s": round(up, 2)})
    return done


def prepare(env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(Path(__file__)), "--prepare-only"], env=env, check=True, capture_output=True, text=True
    )
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def outbox_left(env: dict[str, str]) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__)), "--outbox-left"], env=env, check=True, capture_output=True, text=True
    )
    left: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return left


def final_drain(env: dict[str, str], log: Callable[[str], None], rounds: int = 20) -> tuple[int, dict[str, int]]:
    """Restart the worker until nothing is left to deliver; returns the worker runs and what the outbox held before.

    ``linsek worker --once`` on the real clock, as an operator's restart: it notifies the reports not yet notified
    and delivers everything due, including what a killed worker had claimed (notify frees the claims of a
    worker of this machine whose process is gone, instead of waiting for their lease). Whatever is still left
    after ``rounds`` runs fails the check.
    """
    before = outbox_left(env)
    log(f"before the final worker runs: {before}")
    linsek = str(VENV_BIN / "linsek")
    runs, left = 0, before
    for _ in range(rounds):
        runs += 1
        done = subprocess.run([linsek, "worker", "--once", "-v", "0"], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"final worker run failed: {done.stdout}{done.stderr}")
        left = outbox_left(env)
        log(f"final worker run {runs} (real clock): left {left}")
        if not any(left.values()):
            break
    return runs, before


def crash_run(
    *,
    database_url: str,
    var_dir: Path,
    duration: float,
    kills: int,
    worker_kills: int,
    clients: int,
    seed: int,
    server_workers: int = 2,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """One crash run (see the module docstring); returns the figures and the verdicts. Cleans up its processes."""
    var_dir.mkdir(parents=True, exist_ok=True)
    env = base_env(database_url, var_dir)
    started = time.monotonic()
    setup = prepare(env)
    log(f"prepared in {time.monotonic() - started:.1f} s: {len(setup['tps'])} TPS, token of {setup['user']}")
    port = free_port()
    granian = VENV_BIN / "granian"
    server = Managed(
        "server",
        [str(granian), "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port), "--workers",
         str(server_workers), "--no-ws", "--backlog", "2048", "linsek.asgi:application"],
        env,
        var_dir / "server.log",
    )  # fmt: skip
    worker = Managed(
        "worker", [str(VENV_BIN / "linsek"), "worker", "--interval", "0.5", "-v", "0"], env, var_dir / "worker.log"
    )
    rnd = random.Random(seed)
    codes: list[str] = setup["tps"]
    bodies: dict[str, bytes] = {}

    def body_for(report_uuid: str) -> bytes:
        if report_uuid not in bodies:  # a resend or replay carries the very same content
            bodies[report_uuid] = json.dumps(
                {
                    "uuid": report_uuid,
                    "kind": rnd.choice(KINDS),
                    "tps": rnd.choice(codes),
                    "severity": rnd.randint(1, 4),
                    "description": TEXT + report_uuid[:8],
                }
            ).encode()
        return bodies[report_uuid]

    ledger = Ledger()
    server_moments = _moments(rnd, kills, 0.05 * duration, 0.9 * duration)
    worker_moments = _moments(rnd, worker_kills, 0.05 * duration, 0.95 * duration)
    kill_log: dict[str, list[dict[str, float]]] = {}
    try:
        server.start()
        worker.start()
        asyncio.run(http_up(port, server))

        async def load() -> None:
            t0 = time.monotonic()
            stop_at = t0 + duration
            tasks = [
                _client(port, setup["token"], body_for, stop_at, ledger, random.Random(rnd.getrandbits(64)))
                for _ in range(clients)
            ]
            server_kills, worker_kills, *_ = await asyncio.gather(
                _chaos(server, server_moments, t0, log, port=port),
                _chaos(worker, worker_moments, t0, log, port=None),
                *tasks,
            )
            kill_log["server"], kill_log["worker"] = server_kills, worker_kills

        load_started = time.monotonic()
        asyncio.run(load())
        load_elapsed = time.monotonic() - load_started
        log(
            f"load done in {load_elapsed:.1f} s: {len(ledger.sent)} UUIDs sent, {len(ledger.acked)} acknowledged, "
            f"{ledger.resends} resends, errors {dict(ledger.errors)}"
        )
        time.sleep(1.5)  # let the worker pick up the last reports before it is stopped the hard way
        worker.sigkill()
        server.stop()
        drain_rounds, before_drain = final_drain(env, log)
    finally:
        server.stop()
        worker.stop()
    ledger_path = var_dir / "ledger.json"
    ledger_path.write_text(
        json.dumps({"sent": sorted(ledger.sent), "acked": ledger.acked, "baseline_max_id": setup["baseline_max_id"]})
    )
    checked = subprocess.run(
        [sys.executable, str(Path(__file__)), "--verify", str(ledger_path)],
        env=env,
        capture_output=True,
        text=True,
    )
    if checked.returncode != 0:
        raise RuntimeError(f"verification crashed: {checked.stdout}{checked.stderr}")
    verdict: dict[str, Any] = json.loads(checked.stdout.strip().splitlines()[-1])
    audit = django_run(env, "audit", "verify")
    verdict["audit_verify_ok"] = audit.returncode == 0
    verdict["audit_verify_output"] = (audit.stdout + audit.stderr).strip()[-300:]
    verdict.update(
        {
            "duration_s": round(load_elapsed, 1),
            "clients": clients,
            "seed": seed,
            "server_workers": server_workers,
            "server_kills": len(kill_log["server"]),
            "worker_kills": len(kill_log["worker"]),  # under load; the worker is SIGKILLed once more before the drain
            "kills": kill_log,
            "sent": len(ledger.sent),
            "acknowledged": len(ledger.acked),
            "requests": ledger.requests,
            "resends": ledger.resends,
            "replays": ledger.replays,
            "recovered_by_resend": ledger.recovered,
            "replay_mismatch": ledger.replay_mismatch[:20],
            "statuses": {str(k): v for k, v in sorted(ledger.statuses.items())},
            "errors": dict(ledger.errors),
            "refused": ledger.refused[:20],
            "abandoned": len(ledger.abandoned),
            "final_worker_runs": drain_rounds,
            "outbox_before_final_run": before_drain,
        }
    )
    verdict["ok"] = crash_ok(verdict)
    return verdict


def crash_ok(v: dict[str, Any]) -> bool:
    """Every guarantee at once (the test asserts them one by one, for a readable failure)."""
    return bool(
        v["acked_missing"] == 0
        and v["acked_wrong_id"] == 0
        and v["duplicate_uuids"] == 0
        and v["unknown_uuids"] == 0
        and v["reports_without_one_submit_event"] == 0
        and v["reports_without_one_audit_event"] == 0
        and v["reports_not_notified"] == 0
        and v["routed_notifications_missing"] == 0
        and v["deliveries_open"] == 0
        and v["inapp_without_one_inbox_item"] == 0
        and v["email_missing"] == 0
        and v["sms_missing"] == 0
        and v["audit_verify_ok"]
        and not v["replay_mismatch"]
        and not v["refused"]
        and v["abandoned"] == 0
    )


# --- the parts that run inside Django (subprocesses with the run's environment) ------------------------------


def _prepare_here() -> None:
    import django

    django.setup()
    from django.db.models import Max

    from linsek.incidents.models import Report

    setup = demo_setup("crash")
    baseline = Report.objects.aggregate(m=Max("id"))["m"] or 0
    print(json.dumps({**setup, "baseline_max_id": baseline}))


def _outbox_left_here() -> None:
    import django

    django.setup()
    from linsek.incidents.models import Report
    from linsek.notify.models import Delivery

    print(
        json.dumps(
            {
                "reports_unnotified": Report.objects.filter(notified_at__isnull=True).count(),
                "deliveries_open": Delivery.objects.exclude(status__in=("sent", "skipped")).count(),
                "deliveries_claimed": Delivery.objects.filter(status="claimed").count(),
            }
        )
    )


def _mail_counts(mail_dir: Path) -> Counter[tuple[str, str]]:
    """(notification uuid, address) → how many e-mails the file backend wrote."""
    from email import message_from_string

    counts: Counter[tuple[str, str]] = Counter()
    if not mail_dir.exists():
        return counts
    separator = "-" * 79
    for path in mail_dir.iterdir():
        for chunk in path.read_text(errors="replace").split(separator):
            if not chunk.strip():
                continue
            message = message_from_string(chunk.strip())
            ref = message.get("X-Linsek-Notification")
            if ref:
                counts[(str(ref).strip(), str(message.get("To", "")).strip())] += 1
    return counts


def _sms_counts(path: Path) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                counts[(row["reference"], row["to"])] += 1
    return counts


def _verify_here(ledger_path: Path) -> None:
    """Check the database against the clients' ledger; prints one JSON line of counts (0 = good for most)."""
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count

    from linsek.audit.models import AuditEvent
    from linsek.incidents.flows import _users_of
    from linsek.incidents.models import Report, ReportEvent, ReportRecipient
    from linsek.intake.gateways import phone_normalise
    from linsek.notify.models import Delivery, InboxItem, Notification

    ledger = json.loads(ledger_path.read_text())
    sent: set[str] = set(ledger["sent"])
    acked: dict[str, int] = ledger["acked"]
    reports = Report.objects.filter(id__gt=ledger["baseline_max_id"])
    rows = {str(u): i for i, u in reports.values_list("id", "uuid")}
    duplicate_uuids = (
        Report.objects.order_by().values("uuid").annotate(n=Count("id")).filter(n__gt=1).count()
    )  # the unique index forbids it; checked anyway
    acked_missing = [u for u in acked if u not in rows]
    acked_wrong_id = [u for u, i in acked.items() if u in rows and rows[u] != i]
    unknown = [u for u in rows if u not in sent]
    committed_unacked = [u for u in rows if u in sent and u not in acked]
    ids = list(rows.values())

    submits = Counter(
        ReportEvent.objects.filter(report_id__in=ids, action="submitted").values_list("report_id", flat=True)
    )
    audits = Counter(
        int(o)
        for o in AuditEvent.objects.filter(action="report.submit", object_type="incidents.report").values_list(
            "object_id", flat=True
        )
    )
    not_notified = reports.filter(notified_at__isnull=True).count()

    receivers: dict[int, set[int]] = {}
    for report_id, org_id in ReportRecipient.objects.filter(
        report_id__in=ids, role__in=("lead", "support")
    ).values_list("report_id", "organisation_id"):
        receivers.setdefault(report_id, set()).add(org_id)
    users_by_org = _users_of({o for orgs in receivers.values() for o in orgs})
    routed = Counter(
        int(o) for o in Notification.objects.filter(kind="report.routed").values_list("object_id", flat=True)
    )
    expect_routed = [r for r, orgs in receivers.items() if any(users_by_org.get(o) for o in orgs)]
    routed_missing = [r for r in expect_routed if routed[r] != 1]

    from django_tasks_db.models import DBTaskResult

    # a task the worker was running when it was killed stays RUNNING for ever (harmless: a new copy is enqueued)
    orphaned_tasks = DBTaskResult.objects.filter(status="RUNNING").count()
    deliveries = Delivery.objects.select_related("notification", "user", "user__person")
    by_status = Counter(deliveries.values_list("status", flat=True))
    open_count = sum(n for s, n in by_status.items() if s not in ("sent", "skipped"))
    inbox = Counter(InboxItem.objects.values_list("user_id", "notification_id"))
    mail = _mail_counts(Path(settings.EMAIL_FILE_PATH))
    sms = _sms_counts(Path(settings.VAR_DIR) / "sms-outbox.jsonl")
    inapp_bad = email_missing = sms_missing = email_repeats = sms_repeats = 0
    sent_by_channel: Counter[str] = Counter()
    for d in deliveries.filter(status="sent"):
        sent_by_channel[d.channel] += 1
        if d.channel == "inapp":
            inapp_bad += int(inbox[(d.user_id, d.notification_id)] != 1)
        elif d.channel == "email":
            n = mail[(str(d.notification.uuid), d.user.email.strip())]
            email_missing += int(n == 0)
            email_repeats += max(0, n - 1)
        elif d.channel in ("sms", "whatsapp"):
            phone = phone_normalise(getattr(getattr(d.user, "person", None), "phone", "") or "")
            n = sms[(str(d.notification.uuid), phone)]
            sms_missing += int(n == 0)
            sms_repeats += max(0, n - 1)
    print(
        json.dumps(
            {
                "rows": len(rows),
                "committed_unacknowledged": len(committed_unacked),
                "acked_missing": len(acked_missing),
                "acked_wrong_id": len(acked_wrong_id),
                "duplicate_uuids": duplicate_uuids,
                "unknown_uuids": len(unknown),
                "reports_without_one_submit_event": sum(1 for i in ids if submits[i] != 1),
                "reports_without_one_audit_event": sum(1 for i in ids if audits[i] != 1),
                "reports_not_notified": not_notified,
                "routed_notifications": len(expect_routed),
                "routed_notifications_missing": len(routed_missing),
                "deliveries": dict(by_status),
                "deliveries_sent_by_channel": dict(sent_by_channel),
                "deliveries_open": open_count,
                "inapp_without_one_inbox_item": inapp_bad,
                "email_missing": email_missing,
                "email_repeats": email_repeats,
                "sms_missing": sms_missing,
                "sms_repeats": sms_repeats,
                "orphaned_running_tasks": orphaned_tasks,
                "examples": {"acked_missing": acked_missing[:5], "unknown": unknown[:5], "routed": routed_missing[:5]},
            }
        )
    )


# --- the benchmark ---------------------------------------------------------------------------------------------


def result_rows(label: str, v: dict[str, Any]) -> list[dict[str, Any]]:
    lost = v["acked_missing"] + v["acked_wrong_id"]
    return [
        {
            "metric": f"{label}: acknowledged reports lost after SIGKILLs",
            "value": lost,
            "unit": "reports",
            "target": "0",
            "ok": lost == 0 and v["abandoned"] == 0,
            "note": f"{v['server_kills']} server + {v['worker_kills']} worker SIGKILLs in {v['duration_s']:.0f} s, "
            f"{v['clients']} clients; {v['acknowledged']:,} acknowledged of {v['sent']:,} UUIDs sent "
            f"({v['resends']:,} resends; {v.get('recovered_by_resend', 0)} committed before a kill whose answer was "
            f"lost, resent and answered 'replayed'; {v['replays']} deliberate replays)",
        },
        {
            "metric": f"{label}: duplicates / reports without a sent UUID",
            "value": v["duplicate_uuids"] + v["unknown_uuids"],
            "unit": "reports",
            "target": "0",
            "ok": v["duplicate_uuids"] + v["unknown_uuids"] == 0,
            "note": f"{v['rows']:,} rows = {v['acknowledged']:,} acknowledged + {v['committed_unacknowledged']} "
            "committed whose answer was lost",
        },
        {
            "metric": f"{label}: notifications undelivered after restart",
            "value": v["deliveries_open"] + v["reports_not_notified"] + v["routed_notifications_missing"],
            "unit": "",
            "target": "0",
            "ok": v["deliveries_open"] + v["reports_not_notified"] + v["routed_notifications_missing"] == 0
            and v["inapp_without_one_inbox_item"] + v["email_missing"] + v["sms_missing"] == 0,
            "note": f"{sum(v['deliveries_sent_by_channel'].values()):,} deliveries sent; inbox items exactly once; "
            f"e-mail/SMS repeated {v['email_repeats']}/{v['sms_repeats']} (at-least-once)",
        },
        {
            "metric": f"{label}: audit chain after SIGKILLs",
            "value": 0 if v["audit_verify_ok"] else 1,
            "unit": "broken chains",
            "target": "0 (verifies)",
            "ok": v["audit_verify_ok"],
            "note": v["audit_verify_output"].splitlines()[-1][:90] if v["audit_verify_output"] else "",
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--duration", type=float, default=90.0, help="seconds of load (default 90)")
    parser.add_argument("--kills", type=int, default=8, help="server SIGKILLs (default 8)")
    parser.add_argument("--worker-kills", type=int, default=8, help="worker SIGKILLs (default 8)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--keep", action="store_true", help="keep the run's directory (logs, mail, ledger)")
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--outbox-left", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--verify", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare_only or args.outbox_left or args.verify:
        if args.prepare_only:  # linsek is installed (editable) in the virtualenv
            _prepare_here()
        elif args.outbox_left:
            _outbox_left_here()
        else:
            _verify_here(args.verify)
        return
    failed = []
    for db in ["sqlite", "postgresql"] if args.db == "both" else [args.db]:
        print(f"== crash run on {db}", flush=True)
        started = datetime.now(UTC)
        var_dir = Path(tempfile.mkdtemp(prefix=f"linsek-crash-{db}-"))
        pg_name = "linsek_bench_crash"
        url = pg_recreate(pg_name) if db == "postgresql" else f"sqlite:///{var_dir / 'crash.sqlite3'}"
        try:
            verdict = crash_run(
                database_url=url,
                var_dir=var_dir,
                duration=args.duration,
                kills=args.kills,
                worker_kills=args.worker_kills,
                clients=args.clients,
                seed=args.seed,
                log=lambda line: print(line, flush=True),
            )
        finally:
            if not args.keep:
                shutil.rmtree(var_dir, ignore_errors=True)
                if db == "postgresql":
                    pg_drop(pg_name)
        label = "SQLite" if db == "sqlite" else "PostgreSQL"
        doc = {
            "benchmark": "crash",
            "measured_at": started.isoformat(timespec="seconds"),
            "machine": machine(),
            "command": f"python bench/crash.py --db {db} --duration {args.duration:g} --kills {args.kills} "
            f"--worker-kills {args.worker_kills} --clients {args.clients} --seed {args.seed}",
            "rows": result_rows(label, verdict),
            "run": verdict,
        }
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"crash-{db}.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        print(json.dumps(verdict, indent=1), flush=True)
        if not verdict["ok"]:
            failed.append(db)
    if failed:
        raise SystemExit(f"crash safety failed on {', '.join(failed)}")


if __name__ == "__main__":
    main()
