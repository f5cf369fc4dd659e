"""The rule files: the shipped ones load; broken ones are refused with a clear message and by the system check."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from linsek.cases import checks
from linsek.cases.deadlines import LimitKind
from linsek.cases.rules import RULES_DIR, RuleError, calculator_limit, rule_set, rule_sets, rule_sets_load


def test_shipped_rule_set_loads_with_its_sources() -> None:
    rs = rule_set("pemilu_uu7_2017")
    assert rs.source and rs.holiday_sources[2023] and rs.holiday_sources[2024]
    assert "855 Tahun 2023" in rs.holiday_sources[2024] and "Nomor 10 Tahun 2024" in rs.holiday_sources[2024]
    assert set(rs.articles) == set(range(488, 555))
    assert rs.national_result == date(2024, 3, 20)
    assert rs.calendar.days[date(2024, 2, 14)].kind == "election_day"
    assert {d for d, h in rs.calendar.days.items() if h.kind == "cuti_bersama" and d.year == 2024} >= {
        date(2024, 4, 8),
        date(2024, 4, 9),
        date(2024, 4, 12),
        date(2024, 4, 15),
    }
    # DOMAIN.md §7 limits
    limits = {
        "review": (LimitKind.CALENDAR_DAYS, 7),
        "review_extended": (LimitKind.WORKING_DAYS, 14),
        "forwarding": (LimitKind.HOURS, 24),
        "investigation": (LimitKind.CALENDAR_DAYS, 14),
        "file_returned": (LimitKind.CALENDAR_DAYS, 3),
        "prosecution": (LimitKind.CALENDAR_DAYS, 5),
        "court_trial": (LimitKind.CALENDAR_DAYS, 7),
        "appeal_window": (LimitKind.CALENDAR_DAYS, 3),
        "appeal_transfer": (LimitKind.CALENDAR_DAYS, 3),
        "appeal_trial": (LimitKind.CALENDAR_DAYS, 7),
        "verdict_delivery": (LimitKind.CALENDAR_DAYS, 3),
        "execution": (LimitKind.CALENDAR_DAYS, 3),
    }
    for code, (kind, value) in limits.items():
        limit = rs.stages[code].limit
        assert limit is not None and limit.limit is not None, code
        assert (limit.limit.kind, limit.limit.value) == (kind, value), code
        assert limit.limit.article, code
    reg = rs.stages["registration"].limit
    assert reg is not None and reg.by_origin is not None
    assert (reg.by_origin["finding"].kind, reg.by_origin["finding"].value) == (LimitKind.CALENDAR_DAYS, 7)
    assert (reg.by_origin["report"].kind, reg.by_origin["report"].value) == (LimitKind.WORKING_DAYS, 7)


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    for f in RULES_DIR.glob("*.json"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def _stage(doc: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for s in doc["stages"] if s["code"] == code)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _stage(d, "investigation")["limit"].update(value=0), "positive whole number"),
        (lambda d: _stage(d, "prosecution")["limit"].update(value=-5), "positive whole number"),
        (lambda d: _stage(d, "forwarding")["limit"].update(kind="weeks"), "unknown limit kind"),
        (lambda d: _stage(d, "review")["transitions"].append({"to": "nowhere"}), "unknown stage 'nowhere'"),
        (lambda d: _stage(d, "review")["transitions"][0].update(document="surat_sakti"), "unknown document kind"),
        (lambda d: _stage(d, "review")["transitions"][0].update(by=["kpu2"]), "unknown sector"),
        (lambda d: d["calendar"].update(national_result="2024-02-30"), "national_result"),
        (lambda d: _stage(d, "gakkumdu_1")["limit"].update(stages=["no_such"]), "unknown stage 'no_such'"),
    ],
)
def test_broken_rule_set_is_refused_with_a_clear_error(
    rules_copy: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    _edit(rules_copy / "pemilu_uu7_2017.json", change)
    with pytest.raises(RuleError, match=message):
        rule_sets_load(rules_copy)


@pytest.mark.parametrize(
    ("bad_date", "message"),
    [("2024-13-01", "malformed date"), ("14-02-2024", "malformed date"), ("2023-02-14", "filed under the year 2024")],
)
def test_holiday_file_with_a_malformed_date_is_refused(rules_copy: Path, bad_date: str, message: str) -> None:
    _edit(
        rules_copy / "holidays_id.json",
        lambda d: d["years"]["2024"]["days"].append({"date": bad_date, "kind": "holiday", "name": "x"}),
    )
    with pytest.raises(RuleError, match=message):
        rule_sets_load(rules_copy)


def test_system_check_refuses_a_broken_rule_file(rules_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert checks.case_rules_are_valid() == []
    _edit(rules_copy / "pemilu_uu7_2017.json", lambda d: _stage(d, "investigation")["limit"].update(value=0))
    monkeypatch.setattr("linsek.cases.rules.RULES_DIR", rules_copy)
    errors = checks.case_rules_are_valid()
    assert len(errors) == 1 and errors[0].id == "linsek.E060" and "investigation" in errors[0].msg
    rule_sets.cache_clear()


def test_a_second_election_type_is_picked_up_as_data(rules_copy: Path) -> None:
    def pilkada(d: dict[str, Any]) -> None:
        d.update(code="pilkada_uu10_2016", name="Pilkada - UU 10/2016", election_type="pilkada")

    shutil.copy(rules_copy / "pemilu_uu7_2017.json", rules_copy / "pilkada_uu10_2016.json")
    _edit(rules_copy / "pilkada_uu10_2016.json", pilkada)
    assert set(rule_sets_load(rules_copy)) == {"pemilu_uu7_2017", "pilkada_uu10_2016"}


@pytest.mark.parametrize(
    ("spec", "kind", "value"),
    [
        ("investigation", LimitKind.CALENDAR_DAYS, 14),
        ("pemilu_uu7_2017:forwarding", LimitKind.HOURS, 24),
        ("registration.report", LimitKind.WORKING_DAYS, 7),
        ("14wd", LimitKind.WORKING_DAYS, 14),
        ("24h", LimitKind.HOURS, 24),
    ],
)
def test_calculator_rule_names(spec: str, kind: LimitKind, value: int) -> None:
    limit, _ = calculator_limit(spec)
    assert (limit.kind, limit.value) == (kind, value)


@pytest.mark.parametrize("spec", ["registration", "gakkumdu_1", "nope", "0d"])
def test_calculator_refuses_unusable_rules(spec: str) -> None:
    with pytest.raises(RuleError):
        calculator_limit(spec)
