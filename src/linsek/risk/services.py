"""Writes of TPS risk: assessments (one, a village grid, an import), overrides, and the current state.

Every write runs in a transaction, keeps ``TpsRisk`` (the category in force) in step, and appends an
audit event. Scoring itself is pure (:mod:`linsek.risk.scoring`); this module only stores its results.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import uuid as uuid_lib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from linsek.agencies.models import Organisation, Person
from linsek.audit.services import audit_append
from linsek.core.codes import CodeError, normalise, split_tps_code
from linsek.core.errors import FieldProblem, ValidationFailed
from linsek.regions.models import PollingStation
from linsek.risk.access import risk_require
from linsek.risk.catalogue import Catalogue, catalogue_get
from linsek.risk.imports import ImportRejected, Problem, assessments_file_parse
from linsek.risk.models import Assessment, CategoryOverride, TpsRisk
from linsek.risk.scoring import tps_score, values_check

MIN_REASON_LENGTH = 10


@dataclass(frozen=True, slots=True)
class AssessmentInput:
    """One assessment to record (form, grid row, import row, API body)."""

    tps: PollingStation
    values: Mapping[str, Any]
    assessed_at: datetime
    assessor_role: str = Assessment.AssessorRole.PENGAWAS
    assessor_person: Person | None = None
    assessor_organisation: Organisation | None = None
    note: str = ""
    uuid: uuid_lib.UUID | None = None


@dataclass
class ImportReport:
    file: str
    rows: int
    created: int
    dry_run: bool
    categories: dict[str, int] = field(default_factory=dict)
    batch: str = ""


def _build(
    item: AssessmentInput, catalogue: Catalogue, *, actor: Any, source: str, batch: str, now: datetime
) -> tuple[Assessment | None, list[FieldProblem]]:
    values, problems = values_check(catalogue, item.values)
    if problems:
        return None, [
            FieldProblem(
                p.code, p.reason + (f" (mungkin: {', '.join(p.suggestions)})" if p.suggestions else ""), p.value
            )
            for p in problems
        ]
    if item.assessor_role not in Assessment.AssessorRole.values:
        return None, [FieldProblem("assessor_role", "peran penilai tidak dikenal", item.assessor_role)]
    if item.assessed_at > now:
        return None, [FieldProblem("assessed_at", "waktu penilaian di masa depan", item.assessed_at.isoformat())]
    result = tps_score(catalogue, values, special=item.tps.special)
    return (
        Assessment(
            uuid=item.uuid or uuid_lib.uuid4(),
            tps=item.tps,
            catalogue=catalogue.key,
            assessed_at=item.assessed_at,
            assessor_person=item.assessor_person,
            assessor_organisation=item.assessor_organisation
            or (item.assessor_person.organisation if item.assessor_person else None),
            assessor_role=item.assessor_role,
            values=values,
            score=result.score,
            index=result.index,
            category=result.category,
            explanation=result.as_json(),
            note=item.note[:255],
            source=source,
            batch=batch,
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=now,
        ),
        [],
    )


def assessment_record(
    *,
    actor: Any,
    item: AssessmentInput,
    source: str = Assessment.Source.FORM,
    now: datetime,
    catalogue: Catalogue | None = None,
) -> Assessment:
    """Record one assessment and refresh the TPS's category. A replayed ``uuid`` returns the original."""
    if actor is not None:
        risk_require(actor, "risk.assess")
    if item.uuid is not None:
        existing = Assessment.objects.filter(uuid=item.uuid).first()
        if existing is not None:
            return existing
    cat = catalogue or catalogue_get()
    assessment, problems = _build(item, cat, actor=actor, source=source, batch="", now=now)
    if assessment is None:
        raise ValidationFailed(f"penilaian TPS {item.tps.code} tidak sah", problems)
    with transaction.atomic():
        assessment.save()
        risk_state_refresh(tps_ids=[item.tps.id], now=now, catalogue=cat)
        audit_append(
            action="risk.assessment.record",
            actor=actor,
            object_type="tps",
            object_id=item.tps.code,
            data={
                "assessment": assessment.id,
                "category": assessment.category,
                "score": assessment.score,
                "catalogue": cat.key,
                "source": source,
            },
            now=now,
        )
    return assessment


def assessments_record_many(
    *,
    actor: Any,
    items: Sequence[AssessmentInput],
    source: str,
    now: datetime,
    batch: str = "",
    catalogue: Catalogue | None = None,
    audit_label: str = "",
    capability: str = "risk.assess",
) -> list[Assessment]:
    """Record many assessments at once (a village grid, an import, the demo): all or nothing, one audit event."""
    if actor is not None:
        risk_require(actor, capability)
    cat = catalogue or catalogue_get()
    built: list[Assessment] = []
    problems: list[FieldProblem] = []
    for item in items:
        assessment, item_problems = _build(item, cat, actor=actor, source=source, batch=batch, now=now)
        if assessment is None:
            problems.extend(FieldProblem(f"{item.tps.code}:{p.field}", p.message, p.value) for p in item_problems)
        else:
            built.append(assessment)
    if problems:
        raise ValidationFailed(f"{len(problems)} isian tidak sah; tidak ada yang disimpan", problems)
    with transaction.atomic():
        Assessment.objects.bulk_create(built, batch_size=1000)
        risk_state_refresh(tps_ids=sorted({a.tps_id for a in built}), now=now, catalogue=cat)
        counts: dict[str, int] = {}
        for a in built:
            counts[a.category] = counts.get(a.category, 0) + 1
        audit_append(
            action="risk.assessments.record",
            actor=actor,
            object_type="batch",
            object_id=batch or audit_label or source,
            data={
                "count": len(built),
                "categories": counts,
                "catalogue": cat.key,
                "source": source,
                "label": audit_label,
            },
            now=now,
        )
    return built


def risk_state_refresh(*, tps_ids: Iterable[int] | None, now: datetime, catalogue: Catalogue | None = None) -> int:
    """Recompute the category in force for these TPS (None: every assessed, special or overridden TPS).

    The latest assessment counts (latest ``assessed_at``, then the latest id); a special TPS is *khusus*
    whatever its assessment says (when the catalogue says so); an override wins over both.
    """
    cat = catalogue or catalogue_get()
    if tps_ids is None:
        ids = set(Assessment.objects.values_list("tps_id", flat=True).distinct())
        ids |= set(PollingStation.objects.exclude(special="").values_list("id", flat=True))
        ids |= set(TpsRisk.objects.values_list("tps_id", flat=True))
    else:
        ids = set(tps_ids)
    done = 0
    ordered = sorted(ids)
    for start in range(0, len(ordered), 2000):
        chunk = ordered[start : start + 2000]
        latest_at = dict(
            Assessment.objects.filter(tps_id__in=chunk)
            .values("tps_id")
            .annotate(m=Max("assessed_at"))
            .values_list("tps_id", "m")
        )
        latest: dict[int, Assessment] = {}
        for a in (
            Assessment.objects.filter(tps_id__in=chunk)
            .only("id", "tps_id", "assessed_at", "category", "score", "index", "catalogue")
            .order_by("tps_id", "-assessed_at", "-id")
        ):
            if a.tps_id not in latest and a.assessed_at == latest_at.get(a.tps_id):
                latest[a.tps_id] = a
        states = {s.tps_id: s for s in TpsRisk.objects.filter(tps_id__in=chunk)}
        stations = PollingStation.objects.filter(id__in=chunk).only(
            "id", "special", "village_id", "district_id", "regency_id"
        )
        to_create: list[TpsRisk] = []
        to_update: list[TpsRisk] = []
        for tps in stations:
            chosen = latest.get(tps.id)
            computed = chosen.category if chosen else cat.unassessed_category
            if tps.special and cat.khusus_from_tps_special:
                computed = cat.khusus_category
            state = states.get(tps.id)
            if state is None:
                state = TpsRisk(tps_id=tps.id)
                to_create.append(state)
            else:
                to_update.append(state)
            state.village_id, state.district_id, state.regency_id = tps.village_id, tps.district_id, tps.regency_id
            state.assessment_id = chosen.id if chosen else None
            state.catalogue = chosen.catalogue if chosen else cat.key
            state.computed_category = computed
            state.score = chosen.score if chosen else 0.0
            state.index = chosen.index if chosen else 0.0
            state.category = state.override_category or computed
            state.updated_at = now
        TpsRisk.objects.bulk_create(to_create, batch_size=1000)
        TpsRisk.objects.bulk_update(
            to_update,
            [
                "village",
                "district",
                "regency",
                "assessment",
                "catalogue",
                "computed_category",
                "score",
                "index",
                "category",
                "updated_at",
            ],
            batch_size=1000,
        )
        done += len(to_create) + len(to_update)
    return done


def category_override(*, actor: Any, tps: PollingStation, category: str, reason: str, now: datetime) -> TpsRisk:
    """Set (or with ``category=""`` clear) a TPS's category by hand; command only, reason required, audited."""
    risk_require(actor, "risk.override")
    cat = catalogue_get()
    reason = " ".join(reason.split())
    if category and category not in cat.category_codes():
        raise ValidationFailed(
            "kategori tidak dikenal",
            [FieldProblem("category", f"salah satu dari: {', '.join(cat.category_codes())}", category)],
        )
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationFailed(
            "alasan wajib ditulis",
            [FieldProblem("reason", f"tulis alasan penetapan (sedikitnya {MIN_REASON_LENGTH} karakter)", reason)],
        )
    with transaction.atomic():
        risk_state_refresh(tps_ids=[tps.id], now=now, catalogue=cat)
        state = TpsRisk.objects.select_for_update().get(tps=tps)
        before = state.category
        CategoryOverride.objects.create(
            tps=tps, category=category, previous_category=before, reason=reason, actor=actor, at=now
        )
        state.override_category = category
        state.override_reason = reason if category else ""
        state.override_by = actor if category else None
        state.override_at = now if category else None
        state.category = category or state.computed_category
        state.updated_at = now
        state.save()
        audit_append(
            action="risk.category.override" if category else "risk.category.override_clear",
            actor=actor,
            object_type="tps",
            object_id=tps.code,
            data={"from": before, "to": state.category, "computed": state.computed_category, "reason": reason},
            now=now,
        )
    return state


def _tps_suggestions(code: str, known_village_codes: set[str]) -> list[str]:
    """Nearest TPS codes for an unknown one: same village first, else villages of the same district."""
    try:
        village, number = split_tps_code(code)
    except CodeError:
        return []
    if village in known_village_codes:
        codes = list(PollingStation.objects.filter(village__code=village).values_list("code", flat=True))
        return sorted(codes, key=lambda c: (abs(int(c.rsplit(".", 1)[1]) - number), c))[:3]
    district = village.rsplit(".", 1)[0]
    villages = list(
        PollingStation.objects.filter(district__code=district).values_list("village__code", flat=True).distinct()
    )
    close = difflib.get_close_matches(village, villages, n=3, cutoff=0.6)
    return [f"{v}.{number:03d}" for v in close]


def assessments_import(
    *,
    actor: Any,
    data: bytes,
    filename: str,
    now: datetime,
    dry_run: bool = False,
    catalogue: Catalogue | None = None,
) -> ImportReport:
    """Import assessments from CSV/XLSX: every row checked first.

    Any problem raises :class:`ImportRejected` listing them all, and nothing is written.
    """
    if actor is not None:
        risk_require(actor, "risk.import")
    cat = catalogue or catalogue_get()
    zone = ZoneInfo(settings.TIME_ZONE)
    parsed = assessments_file_parse(data, filename, cat, zone=zone)
    problems = list(parsed.problems)
    codes = {normalise(r.tps_code) for r in parsed.rows if r.tps_code}
    stations = {t.code: t for t in PollingStation.objects.filter(code__in=codes)}
    person_keys = {r.assessor_key for r in parsed.rows if r.assessor_key}
    people = {p.key: p for p in Person.objects.filter(key__in=person_keys).select_related("organisation")}
    org_codes = {r.organisation_code for r in parsed.rows if r.organisation_code}
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=org_codes)}
    missing_villages = set()
    for code in codes - set(stations):
        with contextlib.suppress(CodeError):
            missing_villages.add(split_tps_code(code)[0])
    known_villages = set(
        PollingStation.objects.filter(village__code__in=missing_villages).values_list("village__code", flat=True)
    )
    items: list[AssessmentInput] = []
    role_values = {
        "pengawas": Assessment.AssessorRole.PENGAWAS,
        "bhabinkamtibmas": Assessment.AssessorRole.BHABINKAMTIBMAS,
        "babinsa": Assessment.AssessorRole.BABINSA,
        "lainnya": Assessment.AssessorRole.OTHER,
    }
    for row in parsed.rows:
        code = normalise(row.tps_code)
        tps = stations.get(code)
        if row.tps_code and tps is None:
            hint = _tps_suggestions(code, known_villages)
            problems.append(
                Problem(
                    filename,
                    row.row,
                    "tps",
                    row.tps_code,
                    "TPS tidak dikenal di registri" + (f"; mungkin: {', '.join(hint)}" if hint else ""),
                )
            )
        person = people.get(row.assessor_key) if row.assessor_key else None
        if row.assessor_key and person is None:
            problems.append(
                Problem(filename, row.row, "penilai", row.assessor_key, "personel tidak dikenal di registri")
            )
        org = orgs.get(row.organisation_code) if row.organisation_code else None
        if row.organisation_code and org is None:
            problems.append(
                Problem(filename, row.row, "instansi", row.organisation_code, "instansi tidak dikenal di registri")
            )
        when = row.assessed_at or now
        if when > now:
            problems.append(Problem(filename, row.row, "tanggal", when.isoformat(), "tanggal penilaian di masa depan"))
        if tps is not None:
            items.append(
                AssessmentInput(
                    tps=tps,
                    values=row.values,
                    assessed_at=when,
                    assessor_role=role_values.get(row.role, Assessment.AssessorRole.PENGAWAS),
                    assessor_person=person,
                    assessor_organisation=org,
                    note=row.note,
                )
            )
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: (p.row, p.column)))
    batch = hashlib.sha256(data).hexdigest()[:32]
    categories: dict[str, int] = {}
    for item in items:
        result = tps_score(cat, item.values, special=item.tps.special)  # values are clean here
        categories[result.category] = categories.get(result.category, 0) + 1
    report = ImportReport(
        file=filename, rows=len(items), created=0, dry_run=dry_run, categories=categories, batch=batch
    )
    if dry_run:
        return report
    created = assessments_record_many(
        actor=actor,
        items=items,
        source=Assessment.Source.IMPORT,
        now=now,
        batch=batch,
        catalogue=cat,
        audit_label=filename,
        capability="risk.import",
    )
    report.created = len(created)
    return report
