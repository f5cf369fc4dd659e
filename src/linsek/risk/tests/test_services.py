"""Assessments, the category in force, overrides (audited), roll-ups and the import, on the real database."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from conftest import SmallJepara
from linsek.audit.models import AuditEvent
from linsek.core.errors import Forbidden, ValidationFailed
from linsek.risk.catalogue import catalogue_get
from linsek.risk.imports import ImportRejected
from linsek.risk.models import Assessment, CategoryOverride, TpsRisk
from linsek.risk.selectors import category_counts, risk_rollup, tps_categories_for_planning, tps_risk_view
from linsek.risk.services import (
    AssessmentInput,
    assessment_record,
    assessments_import,
    assessments_record_many,
    category_override,
)

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2024, 2, 9, 12, 0, tzinfo=WIB)


def record(
    j: SmallJepara, index: int, values: dict[str, Any], *, when: datetime = NOW, role: str = "command"
) -> Assessment:
    return assessment_record(
        actor=j.users[role], item=AssessmentInput(tps=j.tps[index], values=values, assessed_at=when), now=NOW
    )


def test_an_assessment_sets_the_category_in_force_with_its_explanation(jepara_small: SmallJepara) -> None:
    a = record(jepara_small, 0, {"V3.1": "ya", "V3.2": 1, "V1.1": 5})
    assert (a.category, a.score) == ("rawan", 6.25)
    state = TpsRisk.objects.get(tps=jepara_small.tps[0])
    assert state.category == state.computed_category == "rawan"
    assert state.district_id == jepara_small.mayong.id
    view = tps_risk_view(jepara_small.users["viewer"], tps=jepara_small.tps[0])
    assert view is not None and view.category == "rawan"
    assert [r.code for r in view.rows] == ["V3.1", "V3.2", "V1.1"]
    assert view.reasons[0][0] == "threshold"
    assert AuditEvent.objects.filter(action="risk.assessment.record", object_id=jepara_small.tps[0].code).exists()


def test_history_is_kept_and_the_latest_counts(jepara_small: SmallJepara) -> None:
    record(jepara_small, 1, {"V2.1": 1, "V2.2": 1, "V3.1": 1}, when=NOW - timedelta(hours=1))  # sangat rawan
    record(jepara_small, 1, {}, when=NOW - timedelta(days=3))  # an older one, entered later
    assert TpsRisk.objects.get(tps=jepara_small.tps[1]).category == "sangat_rawan"
    record(jepara_small, 1, {"V7.1": 1}, when=NOW)
    assert TpsRisk.objects.get(tps=jepara_small.tps[1]).category == "kurang_rawan"
    assert Assessment.objects.filter(tps=jepara_small.tps[1]).count() == 3


def test_a_replayed_uuid_returns_the_original(jepara_small: SmallJepara) -> None:
    import uuid

    key = uuid.uuid4()
    item = AssessmentInput(tps=jepara_small.tps[2], values={"V6.1": 1}, assessed_at=NOW, uuid=key)
    first = assessment_record(actor=jepara_small.users["liaison"], item=item, now=NOW)
    again = assessment_record(actor=jepara_small.users["liaison"], item=item, now=NOW)
    assert first.id == again.id and Assessment.objects.filter(uuid=key).count() == 1


def test_out_of_range_and_unknown_indicators_are_refused_with_field_names(jepara_small: SmallJepara) -> None:
    with pytest.raises(ValidationFailed) as info:
        record(jepara_small, 0, {"V1.4": 12, "V9.1": 1})
    fields = {p.field: p.message for p in info.value.problems}
    assert "di luar rentang 0–7" in fields["V1.4"]
    assert "tidak dikenal" in fields["V9.1"]
    assert not Assessment.objects.exists()


def test_a_viewer_cannot_assess_and_only_command_may_override(jepara_small: SmallJepara) -> None:
    with pytest.raises(Forbidden):
        record(jepara_small, 0, {}, role="viewer")
    with pytest.raises(Forbidden):
        category_override(
            actor=jepara_small.users["liaison"],
            tps=jepara_small.tps[0],
            category="rawan",
            reason="laporan intelijen terbaru",
            now=NOW,
        )


def test_command_override_needs_a_reason_and_is_audited_then_cleared(jepara_small: SmallJepara) -> None:
    tps = jepara_small.tps[3]
    record(jepara_small, 3, {}, when=NOW - timedelta(hours=2))
    with pytest.raises(ValidationFailed, match="alasan"):
        category_override(actor=jepara_small.users["command"], tps=tps, category="sangat_rawan", reason="  ", now=NOW)
    state = category_override(
        actor=jepara_small.users["command"],
        tps=tps,
        category="sangat_rawan",
        reason="Info intelijen: rencana pengerahan massa",
        now=NOW,
    )
    assert (state.category, state.computed_category) == ("sangat_rawan", "kurang_rawan")
    event = AuditEvent.objects.get(action="risk.category.override")
    assert event.data["reason"].startswith("Info intelijen") and event.data["to"] == "sangat_rawan"
    record(jepara_small, 3, {"V7.1": 1}, when=NOW - timedelta(hours=1))  # a new assessment keeps the override
    assert TpsRisk.objects.get(tps=tps).category == "sangat_rawan"
    cleared = category_override(
        actor=jepara_small.users["command"], tps=tps, category="", reason="Situasi sudah kondusif kembali", now=NOW
    )
    assert cleared.category == "kurang_rawan"
    assert CategoryOverride.objects.filter(tps=tps).count() == 2


def test_special_tps_is_khusus_even_unassessed(jepara_small: SmallJepara) -> None:
    tps = jepara_small.tps[4]
    tps.special = "lapas"
    tps.save()
    categories = tps_categories_for_planning(regency=jepara_small.regency)
    assert categories[tps.id] == "khusus"
    assert categories[jepara_small.tps[0].id] == catalogue_get().unassessed_category


def test_rollup_counts_and_index_per_district_in_constant_queries(
    jepara_small: SmallJepara, django_assert_num_queries: Any
) -> None:
    items = [
        AssessmentInput(tps=t, values={"V2.1": 1, "V2.2": 1, "V3.1": 1} if i < 2 else {}, assessed_at=NOW)
        for i, t in enumerate(jepara_small.tps[:7])
    ]
    assessments_record_many(actor=jepara_small.users["command"], items=items, source="grid", now=NOW)
    viewer = jepara_small.users["viewer"]
    viewer.role_codes()
    with django_assert_num_queries(2):
        rows = risk_rollup(viewer, parent=jepara_small.regency)
    by_code = {r.region.code: r for r in rows}
    mayong = by_code["33.20.04"]
    assert mayong.rollup.counts["sangat_rawan"] == 2 and mayong.rollup.counts["kurang_rawan"] == 5
    assert mayong.rollup.index == round(200 / 7, 1)
    assert by_code["33.20.10"].unassessed == 2
    jepara_small.regency.refresh_from_db()  # the fixture's object predates the roll-up refresh
    counts = category_counts(viewer, region=jepara_small.regency)
    assert counts["belum_dinilai"] == 2


def _csv(rows: list[dict[str, Any]]) -> bytes:
    cat = catalogue_get()
    header = ["tps", "tanggal", "peran", *[i.code for i in cat.indicators]]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for r in rows:
        writer.writerow({**{i.code: 0 for i in cat.indicators}, "tanggal": "2024-02-05", "peran": "pengawas", **r})
    return out.getvalue().encode()


def test_import_csv_happy_path_and_dry_run(jepara_small: SmallJepara) -> None:
    data = _csv([{"tps": t.code.replace(".", ""), "V3.1": "ya", "V3.2": "ya"} for t in jepara_small.tps[:3]])
    dry = assessments_import(
        actor=jepara_small.users["liaison"], data=data, filename="penilaian.csv", now=NOW, dry_run=True
    )
    assert dry.rows == 3 and dry.categories == {"rawan": 3} and not Assessment.objects.exists()
    report = assessments_import(actor=jepara_small.users["liaison"], data=data, filename="penilaian.csv", now=NOW)
    assert report.created == 3
    assert set(TpsRisk.objects.values_list("category", flat=True)) == {"rawan"}
    assert Assessment.objects.filter(source="import", batch=report.batch).count() == 3


def test_import_xlsx(jepara_small: SmallJepara) -> None:
    cat = catalogue_get()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["kode_tps", "tanggal", *[i.code for i in cat.indicators]])
    ws.append([jepara_small.tps[0].code, datetime(2024, 2, 6, 10, 0), *[0] * 4, 1, 1, *[0] * 16])
    buf = io.BytesIO()
    wb.save(buf)
    report = assessments_import(actor=jepara_small.users["command"], data=buf.getvalue(), filename="p.xlsx", now=NOW)
    assert report.created == 1
    a = Assessment.objects.get()
    assert a.category == "rawan" and a.assessed_at.astimezone(WIB).hour == 10


def test_import_reports_every_problem_with_row_column_value_and_writes_nothing(jepara_small: SmallJepara) -> None:
    good = jepara_small.tps[0].code
    data = _csv(
        [
            {"tps": good, "V1.4": 9},  # out of range
            {"tps": "33.20.04.2001.009"},  # unknown TPS in a known village
            {"tps": "33.20.04.2091.001"},  # unknown village
            {"tps": good, "V2.1": "mungkin", "tanggal": "kemarin"},
        ]
    ).replace(b"V7.2", b"V7.9")  # an unknown indicator column (and V7.2 missing)
    with pytest.raises(ImportRejected) as info:
        assessments_import(actor=jepara_small.users["command"], data=data, filename="salah.csv", now=NOW)
    problems = info.value.problems
    text = [(p.row, p.column, p.reason) for p in problems]
    assert any(p.column == "V7.9" and "tidak dikenal" in p.reason and "V7.2" in p.reason for p in problems), text
    assert any(p.column == "V7.2" and "tidak ada" in p.reason for p in problems), text
    assert all(p.file == "salah.csv" for p in problems)
    assert not Assessment.objects.exists()
    fixed = data.replace(b"V7.9", b"V7.2")
    with pytest.raises(ImportRejected) as info:
        assessments_import(actor=jepara_small.users["command"], data=fixed, filename="salah.csv", now=NOW)
    by_row = {(p.row, p.column): p for p in info.value.problems}
    assert "di luar rentang" in by_row[(2, "V1.4")].reason and by_row[(2, "V1.4")].value == "9"
    assert "TPS tidak dikenal" in by_row[(3, "tps")].reason and "33.20.04.2001.004" in by_row[(3, "tps")].reason
    assert "mungkin: 33.20.04.2001.001" in by_row[(4, "tps")].reason
    assert "ya" in by_row[(5, "V2.1")].reason and "tanggal" in by_row[(5, "tanggal")].reason
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("data", "needle"),
    [(b"", "kosong"), (b"\x89PNG\r\n\x1a\n\x00", "tidak ada kolom"), (b"tps,tanggal\n", "kolom indikator")],
)
def test_import_of_an_unusable_file_is_explained(jepara_small: SmallJepara, data: bytes, needle: str) -> None:
    with pytest.raises(ImportRejected) as info:
        assessments_import(actor=jepara_small.users["command"], data=data, filename="x.csv", now=NOW)
    assert any(needle in p.reason for p in info.value.problems), info.value.problems


def test_import_needs_the_import_capability(jepara_small: SmallJepara) -> None:
    with pytest.raises(Forbidden):
        assessments_import(actor=jepara_small.users["field_reporter"], data=_csv([]), filename="x.csv", now=NOW)
