"""Scoring and its explanation on hand-made cases; the catalogue loader refuses broken files."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from linsek.risk.catalogue import RULES_DIR, CatalogueError, catalogue_get, catalogue_parse, catalogues_read
from linsek.risk.scoring import area_rollup, explanation_lines, tps_score, value_parse, values_check

RAW = json.loads((RULES_DIR / "indicators_bawaslu_2024.json").read_text())


@pytest.fixture
def cat():  # type: ignore[no-untyped-def]
    return catalogue_get()


def test_shipped_catalogue_has_7_variables_and_22_indicators(cat) -> None:  # type: ignore[no-untyped-def]
    assert len(cat.variables) == 7
    assert len(cat.indicators) == 22
    assert [v.code for v in cat.variables] == ["V1", "V2", "V3", "V4", "V5", "V6", "V7"]
    assert cat.category_codes() == ("kurang_rawan", "rawan", "sangat_rawan", "khusus")
    assert cat.max_score == 37


def test_nothing_observed_is_kurang_rawan_with_no_drivers(cat) -> None:  # type: ignore[no-untyped-def]
    result = tps_score(cat, {})
    assert (result.category, result.score, result.index) == ("kurang_rawan", 0, 0)
    assert result.contributions == ()
    assert result.reasons[0].rule == "threshold"


def test_money_and_sara_reach_rawan_by_score_and_the_explanation_names_them(cat) -> None:  # type: ignore[no-untyped-def]
    result = tps_score(cat, {"V3.1": 1, "V3.2": 1, "V7.1": 1})
    assert result.score == 7
    assert result.category == "rawan"
    assert [c.code for c in result.contributions] == ["V3.1", "V3.2", "V7.1"]  # largest first
    assert result.reasons[0].rule == "threshold" and result.reasons[0].detail == "4"
    lines = explanation_lines(cat, result)
    assert "Rawan" in lines[0] and any("V3.1" in line for line in lines)


def test_history_of_violence_alone_lifts_to_rawan_through_its_floor(cat) -> None:  # type: ignore[no-untyped-def]
    result = tps_score(cat, {"V2.1": 1})
    assert result.score == 4
    assert result.category == "rawan"
    # The threshold says rawan too (4 ≥ 4): on a tie the threshold decides, the floor is listed after it.
    assert [r.rule for r in result.reasons] == ["threshold", "floor"]
    lone = tps_score(cat, {"V2.2": 1, "V1.4": 0})
    assert lone.category == "rawan"


def test_floor_decides_when_score_is_low(cat) -> None:  # type: ignore[no-untyped-def]
    raw = copy.deepcopy(RAW)
    raw["variables"][1]["indicators"][0]["weight"] = 1  # violence worth 1 point only
    c = catalogue_parse(raw)
    result = tps_score(c, {"V2.1": 1})
    assert result.category == "rawan"
    assert result.reasons[0].rule == "floor" and result.reasons[0].detail == "V2.1"


def test_many_indicators_reach_sangat_rawan(cat) -> None:  # type: ignore[no-untyped-def]
    result = tps_score(cat, {"V2.1": 1, "V2.2": 1, "V3.1": 1})
    assert result.score == 11
    assert result.category == "sangat_rawan"
    assert result.index == pytest.approx(100 * 11 / 37, abs=0.1)


def test_counts_earn_weight_linearly_up_to_saturation(cat) -> None:  # type: ignore[no-untyped-def]
    assert tps_score(cat, {"V1.1": 10}).score == 0.5  # saturation 20
    assert tps_score(cat, {"V1.1": 200}).score == 1.0
    assert tps_score(cat, {"V1.4": 3}).score == 1.0


def test_special_tps_is_khusus_whatever_else(cat) -> None:  # type: ignore[no-untyped-def]
    result = tps_score(cat, {"V2.1": 1, "V2.2": 1, "V3.1": 1}, special="lapas")
    assert result.category == "khusus"
    assert result.reasons[0].rule == "khusus" and result.reasons[0].detail == "tps:lapas"
    assert tps_score(cat, {"V6.6": 1}).category == "khusus"


def test_values_out_of_range_or_unknown_are_reported_with_suggestions(cat) -> None:  # type: ignore[no-untyped-def]
    values, problems = values_check(cat, {"V1.4": 9, "V2.1": "mungkin", "V9.9": 1, "v3.1": "ya", "V1.1": "2,5"})
    reasons = {p.code: p for p in problems}
    assert "di luar rentang 0–7" in reasons["V1.4"].reason
    assert "ya" in reasons["V2.1"].reason
    assert "tidak dikenal" in reasons["V9.9"].reason and reasons["V9.9"].suggestions
    assert "bulat" in reasons["V1.1"].reason
    assert values["V3.1"] == 1  # lower-case code and "ya" accepted


def test_value_parse_accepts_indonesian_yes_no(cat) -> None:  # type: ignore[no-untyped-def]
    ind = cat.indicator("V2.1")
    assert ind is not None
    assert value_parse(ind, "Ya") == (1, "")
    assert value_parse(ind, "tidak") == (0, "")
    assert value_parse(ind, "") == (0, "")
    assert value_parse(ind, 2)[0] is None


def test_area_rollup_index(cat) -> None:  # type: ignore[no-untyped-def]
    r = area_rollup(cat, {"kurang_rawan": 2, "rawan": 1, "sangat_rawan": 1})
    assert r.total == 4
    assert r.index == 37.5  # (0+0+50+100)/4
    assert area_rollup(cat, {}).index == 0
    with pytest.raises(KeyError):
        area_rollup(cat, {"merah": 1})


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda r: r["variables"][0]["indicators"].pop(), "expected 22 indicators"),
        (lambda r: r["variables"][0]["indicators"][0].update(kind="scale"), "'kind' must be"),
        (lambda r: r["variables"][0]["indicators"][0].update(max=-1), "0 ≤ min < max"),
        (lambda r: r["variables"][1]["indicators"][0].update(code="V1.9"), "must start with its variable"),
        (lambda r: r["variables"][1]["indicators"][0].update(min_category="merah"), "unknown category"),
        (lambda r: r["scoring"]["thresholds"].reverse(), "ascending"),
        (lambda r: r["categories"].append(dict(r["categories"][0])), "listed twice"),
        (lambda r: r["variables"][2]["indicators"][0].update(weight=-3), "must not be negative"),
    ],
)
def test_broken_catalogue_is_refused_naming_the_problem(mutate, needle) -> None:  # type: ignore[no-untyped-def]
    raw = copy.deepcopy(RAW)
    mutate(raw)
    with pytest.raises(CatalogueError) as info:
        catalogue_parse(raw, path="x.json")
    assert any(needle in p for p in info.value.problems), info.value.problems


def test_another_catalogue_version_is_picked_up_beside_the_default(tmp_path: Path) -> None:
    (tmp_path / "indicators_bawaslu_2024.json").write_text(json.dumps(RAW))
    newer = copy.deepcopy(RAW)
    newer["version"] = "pilkada-2024.1"
    newer["default"] = False
    newer["expect"] = {"variables": 8, "indicators": 24}
    newer["variables"].append(
        {
            "code": "V8",
            "name_id": "Siber",
            "name_en": "Cyber",
            "indicators": [
                {"code": "V8.1", "name_id": "Hoaks", "name_en": "Hoax", "kind": "bool", "weight": 1},
                {"code": "V8.2", "name_id": "Ujaran", "name_en": "Speech", "kind": "bool", "weight": 1},
            ],
        }
    )
    (tmp_path / "indicators_pilkada_2024.json").write_text(json.dumps(newer))
    found = catalogues_read(tmp_path)
    assert set(found) == {"bawaslu_tps_rawan/pemilu-2024.1", "bawaslu_tps_rawan/pilkada-2024.1"}
    assert len(found["bawaslu_tps_rawan/pilkada-2024.1"].indicators) == 24


def test_system_check_reports_a_broken_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from linsek.risk import checks

    raw = copy.deepcopy(RAW)
    raw["scoring"]["base_category"] = "hijau"
    (tmp_path / "indicators_bad.json").write_text(json.dumps(raw))
    monkeypatch.setattr(checks, "RULES_DIR", tmp_path)
    errors = checks.risk_catalogues_check()
    assert errors and all(e.id == "linsek.E301" for e in errors)
    assert any("hijau" in e.msg for e in errors)
    monkeypatch.setattr(checks, "RULES_DIR", RULES_DIR)
    assert checks.risk_catalogues_check() == []
