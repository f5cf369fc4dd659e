"""The one write path for new reports, used by every intake lane: check, route, store, audit — in batches.

``reports_accept_batch`` takes any number of submissions (one from a web form, a hundred from the batch
API, or whatever the async lane's group committer gathered in a few milliseconds) and writes them in one
transaction: the reports (``INSERT … ON CONFLICT (uuid) DO NOTHING RETURNING``), their recipients,
their first timeline line and one audit event each (the chain head is locked once per batch, not once
per report). A replayed UUID with the same content returns the original; with different content, a
conflict naming the original. The statements are built from the models' metadata, so the two lanes
cannot drift from the Django models; they run on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, models, transaction

from linsek.audit.services import audit_append_batch
from linsek.core.errors import ValidationFailed
from linsek.incidents import reference
from linsek.incidents.models import Report, ReportEvent, ReportRecipient
from linsek.incidents.routing import RoutingDecision, route
from linsek.incidents.rules import escalation_rules, intake_limits, routing_rules, taxonomy
from linsek.incidents.submission import Actor, Submission, submission_validate

ROWS_PER_STATEMENT = 250  # ~45 columns × 250 rows stays under SQLite's 32,766 bound parameters


@dataclass(frozen=True)
class Incoming:
    """One submission as received: the wire mapping, who sent it, and the request it came in."""

    raw: Mapping[str, Any]
    actor: Actor
    actor_label: str
    request_id: str = ""
    client_addr: str = ""


@dataclass
class Outcome:
    """What became of one submission: ``created``, ``replayed``, ``conflict`` or ``invalid``; HTTP-ready."""

    result: str
    http_status: int
    body: dict[str, Any]
    report_id: int | None = None
    live: dict[str, Any] | None = None
    problems: list[Any] = field(default_factory=list)

    @property
    def report_pk(self) -> int:
        """The report's id for an accepted (created or replayed) submission."""
        if self.report_id is None:
            raise ValueError(f"no report for a '{self.result}' outcome")
        return self.report_id


class _Table:
    """A multi-row INSERT for one model, columns from its metadata, values adapted the way Django would."""

    def __init__(self, model: type[models.Model], names: Sequence[str]) -> None:
        meta = model._meta
        self.table = meta.db_table
        self.fields = [meta.get_field(n) for n in names]
        self.attnames = [f.attname for f in self.fields]  # type: ignore[union-attr]
        special = (models.UUIDField, models.DateTimeField, models.JSONField)
        self.adapt = [isinstance(f, special) for f in self.fields]
        self.json = [isinstance(f, models.JSONField) for f in self.fields]
        self.record_types: str | None = None

    def insert(self, cursor: Any, rows: list[dict[str, Any]], *, suffix: str = "") -> list[tuple[Any, ...]]:
        quote = connection.ops.quote_name
        out: list[tuple[Any, ...]] = []
        placeholders = "(" + ",".join(["%s"] * len(self.fields)) + ")"
        # Table and column names come from the models' metadata, never from input; values are bound parameters.
        columns = ",".join(quote(str(f.column)) for f in self.fields)  # type: ignore[union-attr]
        if connection.vendor == "postgresql":
            return self._insert_postgresql(cursor, rows, columns, suffix)
        head = f"INSERT INTO {quote(self.table)} ({columns}) VALUES "  # noqa: S608
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            params: list[Any] = []
            for row in chunk:
                params.extend(self._params(row))
            cursor.execute(head + ",".join([placeholders] * len(chunk)) + suffix, params)
            if suffix:
                out.extend(cursor.fetchall())
        return out

    def _insert_postgresql(self, cursor: Any, rows: list[dict[str, Any]], columns: str, suffix: str) -> list[Any]:
        """One statement for the whole batch, with the values serialised in C rather than quoted one by one.

        Plain inserts use COPY. With a ``suffix`` (``ON CONFLICT … RETURNING``), which COPY cannot take, the
        rows travel as one JSON array expanded by ``jsonb_to_recordset`` into the columns' own types.
        """
        quote = connection.ops.quote_name
        raw = cursor.cursor
        if not suffix:
            with raw.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(self._params_postgresql(row))
            return []
        if self.record_types is None:
            self.record_types = ", ".join(
                f"{quote(str(f.column))} {f.db_type(connection)}"  # type: ignore[union-attr]
                for f in self.fields
            )
        names = [str(f.column) for f in self.fields]  # type: ignore[union-attr]
        payload = orjson.dumps([dict(zip(names, map(row.get, self.attnames), strict=True)) for row in rows])
        raw.execute(
            f"INSERT INTO {quote(self.table)} ({columns}) SELECT {columns} "  # noqa: S608  (names from metadata)
            f"FROM jsonb_to_recordset(%s::jsonb) AS r({self.record_types}){suffix}",
            [payload.decode()],
        )
        return list(raw.fetchall())

    def _params_postgresql(self, row: dict[str, Any]) -> list[Any]:
        """Values for COPY: PostgreSQL takes aware datetimes and UUIDs as they are; JSON goes as its text."""
        return [
            _json_text(value) if is_json and value is not None else value
            for value, is_json in zip(map(row.get, self.attnames), self.json, strict=True)
        ]

    def _params(self, row: dict[str, Any]) -> list[Any]:
        return [
            f.get_db_prep_value(row.get(name), connection, prepared=False) if adapt else row.get(name)  # type: ignore[union-attr]
            for f, name, adapt in zip(self.fields, self.attnames, self.adapt, strict=True)
        ]


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what orjson refuses (non-string keys, huge integers) the standard library may take
        return json.dumps(value)


_REPORT_FIELDS = [f.name for f in Report._meta.concrete_fields if f.name != "id"]
_TABLES: dict[str, _Table] = {}


def _table(key: str) -> _Table:
    table = _TABLES.get(key)
    if table is None:
        if key == "report":
            table = _Table(Report, _REPORT_FIELDS)
        elif key == "recipient":
            table = _Table(ReportRecipient, ["report", "organisation", "role", "added_at"])
        elif key == "event":
            table = _Table(
                ReportEvent,
                [
                    "report",
                    "at",
                    "actor",
                    "actor_label",
                    "organisation",
                    "action",
                    "from_status",
                    "to_status",
                    "note",
                    "data",
                ],
            )
        else:
            raise KeyError(key)
        _TABLES[key] = table
    return table


def audit_enabled() -> bool:
    """Off only for the benchmark that measures what the audit trail costs (``LINSEK_BENCH_AUDIT_OFF=1``)."""
    return not getattr(settings, "LINSEK_BENCH_AUDIT_OFF", False)


def _invalid(exc: ValidationFailed) -> Outcome:
    """The API's validation answer (``linsek.api.errors``): 422, the last element of ``loc`` names the field."""
    detail = [{"loc": [p.field], "msg": p.message, "type": "value_error"} for p in exc.problems] or [
        {"loc": [], "msg": exc.message, "type": "value_error"}
    ]
    return Outcome("invalid", 422, {"detail": detail, "code": exc.code, "message": exc.message}, problems=exc.problems)


def _accepted_body(
    *, report_uuid: str, report_id: int, status: str, replayed: bool, routing: Mapping[str, Any] | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": report_uuid,
        "reference": f"L{report_id}",
        "status": status,
        "replayed": replayed,
        "url": f"/laporan/{report_id}/",
    }
    if routing is not None:
        lead = next((a for a in routing.get("assignments", []) if a["role"] == "lead"), None)
        body["lead"] = lead["org"] if lead else None
        body["reason"] = routing.get("reason_id", "")
    return body


def live_payload(row: Mapping[str, Any], recipients: Sequence[int], report_id: int) -> dict[str, Any]:
    """The live event for a report: the summary shown on dashboards plus the facts need-to-know decides on.

    Never the reporter's name, phone or NIK: those are fetched per viewer from the detail page.
    """
    observed = row["observed_at"]
    return {
        "type": "report",
        "id": report_id,
        "ref": f"L{report_id}",
        "uuid": str(row["uuid"]),
        "kind": row["kind"],
        "severity": row["severity"],
        "crowd_level": row["crowd_level"],
        "status": row["status"],
        "classification": row["classification"],
        "title": row["title"] or row["description"][:80],
        "lat": row["lat"],
        "lon": row["lon"],
        "observed_at": observed.isoformat() if isinstance(observed, datetime) else observed,
        "received_at": row["received_at"].isoformat(),
        "lead": row.get("lead_name", ""),
        "lead_org_id": row.get("lead_org_id"),
        "handled_by": row.get("handled_by_label", ""),
        "facts": {
            "reporter_id": row.get("reporter_id"),
            "recipients": list(recipients),
            "village_id": row["village_id"],
            "district_id": row["district_id"],
            "regency_id": row["regency_id"],
            "province_id": row["province_id"],
        },
    }


def reports_accept_batch(items: Sequence[Incoming], *, now: datetime) -> list[Outcome]:
    """Check, route and store a batch of submissions in one transaction; one outcome per item, in order."""
    now = now.astimezone(UTC)
    tax, limits, rules, esc = taxonomy(), intake_limits(), routing_rules(), escalation_rules()
    gaz = reference.GAZETTEER
    gaz.prefetch_tps([str(i.raw.get("tps")) for i in items if isinstance(i.raw, Mapping) and i.raw.get("tps")])
    directory = reference.DIRECTORY.get()

    outcomes: list[Outcome | None] = [None] * len(items)
    accepted: dict[uuidlib.UUID, tuple[int, Submission, RoutingDecision]] = {}
    repeats: list[tuple[int, Submission]] = []
    for index, item in enumerate(items):
        try:
            sub = submission_validate(item.raw, actor=item.actor, taxonomy=tax, limits=limits, gazetteer=gaz, now=now)
        except ValidationFailed as exc:
            outcomes[index] = _invalid(exc)
            continue
        if sub.uuid in accepted:
            repeats.append((index, sub))  # the same UUID twice in one batch: judged against the first below
            continue
        decision = route(
            kind=sub.kind,
            severity=sub.severity,
            crowd_level=sub.crowd_level,
            place=sub.place,
            rules=rules,
            directory=directory,
        )
        accepted[sub.uuid] = (index, sub, decision)

    rows: list[dict[str, Any]] = []
    for _uuid, (index, sub, decision) in accepted.items():
        item = items[index]
        lead = decision.lead
        rows.append(
            {
                "uuid": sub.uuid,
                "content_digest": sub.digest,
                "kind": sub.kind,
                "crowd_level": sub.crowd_level,
                "severity": sub.severity,
                "classification": sub.classification,
                "status": "new",
                "title": sub.title,
                "description": sub.description,
                "observed_at": sub.observed_at,
                "received_at": now,
                "updated_at": now,
                "tps_id": sub.tps_id,
                "village_id": sub.place.village_id,
                "district_id": sub.place.district_id,
                "regency_id": sub.place.regency_id,
                "province_id": sub.place.province_id,
                "lat": sub.lat,
                "lon": sub.lon,
                "people_count": sub.people_count,
                "ballot_count": sub.ballot_count,
                "channel": sub.channel,
                "reporter_id": item.actor.user_id,
                "reporter_org_id": item.actor.organisation_id,
                "reporter_name": sub.reporter_name,
                "reporter_phone": sub.reporter_phone,
                "reporter_nik": sub.reporter_nik,
                "needs_verification": sub.needs_verification,
                "lead_org_id": lead.org_id if lead else None,
                "routing": decision.as_dict(),
                "ack_due_at": now + timedelta(minutes=esc.ack_minutes[sub.severity]) if lead else None,
                "acknowledged_at": None,
                "escalation_level": 0,
                "handled_by_id": None,
                "handled_since": None,
                "reject_reason": "",
                "merged_into_id": None,
                "closure_requested_by_id": None,
                "closure_requested_at": None,
                "closure_note": "",
                "case_ref": "",
                "suggested_duplicate_id": None,
                "notified_at": None,
                "lead_name": lead.org_name if lead else "",
            }
        )

    created_ids: dict[uuidlib.UUID, int] = {}
    existing: dict[uuidlib.UUID, tuple[int, str, str, dict[str, Any]]] = {}
    if rows:
        with transaction.atomic():
            cursor = connection.cursor()
            quote = connection.ops.quote_name
            returned = _table("report").insert(
                cursor,
                rows,
                suffix=f" ON CONFLICT ({quote('uuid')}) DO NOTHING RETURNING {quote('id')}, {quote('uuid')}",
            )
            for report_id, raw_uuid in returned:
                created_ids[raw_uuid if isinstance(raw_uuid, uuidlib.UUID) else uuidlib.UUID(str(raw_uuid))] = report_id
            taken = [u for u in accepted if u not in created_ids]
            if taken:
                for report_id, found_uuid, digest, status, routing in Report.objects.filter(uuid__in=taken).values_list(
                    "id", "uuid", "content_digest", "status", "routing"
                ):
                    existing[found_uuid] = (report_id, digest, status, routing)
            recipients: list[dict[str, Any]] = []
            events: list[dict[str, Any]] = []
            audits: list[dict[str, Any]] = []
            for row in rows:
                report_id_new = created_ids.get(row["uuid"])
                if report_id_new is None:
                    continue
                _index, sub, decision = accepted[row["uuid"]]
                item = items[_index]
                for a in decision.assignments:
                    recipients.append(
                        {"report_id": report_id_new, "organisation_id": a.org_id, "role": a.role, "added_at": now}
                    )
                events.append(
                    {
                        "report_id": report_id_new,
                        "at": now,
                        "actor_id": item.actor.user_id,
                        "actor_label": item.actor_label,
                        "organisation_id": item.actor.organisation_id,
                        "action": "submitted",
                        "from_status": "",
                        "to_status": "new",
                        "note": decision.reason_id,
                        "data": {"channel": sub.channel, "rule": decision.rule_id, "version": decision.rules_version},
                    }
                )
                audits.append(
                    {
                        "action": "report.submit",
                        "actor_id": item.actor.user_id,
                        "actor_label": item.actor_label,
                        "organisation_id": item.actor.organisation_id,
                        "object_type": "incidents.report",
                        "object_id": report_id_new,
                        "after_digest": sub.digest,
                        "data": {
                            "uuid": str(sub.uuid),
                            "kind": sub.kind,
                            "severity": sub.severity,
                            "channel": sub.channel,
                            "lead_org": decision.lead.org_id if decision.lead else None,
                            "rule": decision.rule_id,
                        },
                        "request_id": item.request_id,
                        "client_addr": item.client_addr,
                    }
                )
            if recipients:
                _table("recipient").insert(cursor, recipients)
            if events:
                _table("event").insert(cursor, events)
            if audit_enabled():
                audit_append_batch(audits, now=now)

    by_uuid_row = {row["uuid"]: row for row in rows}
    for u, (index, sub, decision) in accepted.items():
        if u in created_ids:
            report_id = created_ids[u]
            row = by_uuid_row[u]
            org_ids = [a.org_id for a in decision.assignments]
            outcomes[index] = Outcome(
                "created",
                201,
                _accepted_body(
                    report_uuid=str(u), report_id=report_id, status="new", replayed=False, routing=row["routing"]
                ),
                report_id=report_id,
                live=live_payload(row, org_ids, report_id),
            )
        else:
            outcomes[index] = _against_existing(u, sub, existing.get(u))
    for index, sub in repeats:
        first_index, first_sub, _decision = accepted[sub.uuid]
        first = outcomes[first_index]
        if first is None or first.report_id is None:
            outcomes[index] = _against_existing(sub.uuid, sub, existing.get(sub.uuid))
        elif first_sub.digest == sub.digest:
            outcomes[index] = Outcome("replayed", 200, {**first.body, "replayed": True}, report_id=first.report_id)
        else:
            outcomes[index] = _conflict(sub.uuid, first.report_id)
    return [o if o is not None else Outcome("invalid", 422, {"code": "invalid", "detail": []}) for o in outcomes]


def _conflict(report_uuid: uuidlib.UUID, report_id: int) -> Outcome:
    return Outcome(
        "conflict",
        409,
        {
            "code": "conflict",
            "detail": "UUID ini sudah dipakai untuk laporan lain dengan isi berbeda; buat UUID baru",
            "original_id": str(report_uuid),
            "reference": f"L{report_id}",
        },
        report_id=report_id,
    )


def _against_existing(
    report_uuid: uuidlib.UUID, sub: Submission, found: tuple[int, str, str, dict[str, Any]] | None
) -> Outcome:
    if found is None:  # raced with a concurrent delete: cannot happen (reports are never deleted)
        return Outcome("invalid", 422, {"code": "invalid", "detail": "UUID conflict"})
    report_id, digest, status, routing = found
    if digest != sub.digest:
        return _conflict(report_uuid, report_id)
    return Outcome(
        "replayed",
        200,
        _accepted_body(
            report_uuid=str(report_uuid), report_id=report_id, status=status, replayed=True, routing=routing
        ),
        report_id=report_id,
    )
