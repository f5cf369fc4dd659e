"""Property tests for reading codes, TPS numbers and voter counts as people and Excel write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linsek.core.cells import CellError, cell_bool, cell_count, cell_float, cell_int, cell_tps_number
from linsek.core.codes import Level, level_of, normalise, parent_code
from linsek.core.tabular import code_suggestions, header_key

village_codes = st.tuples(st.integers(11, 99), st.integers(1, 99), st.integers(1, 99), st.integers(1001, 2999)).map(
    lambda t: f"{t[0]:02d}.{t[1]:02d}.{t[2]:02d}.{t[3]:04d}"
)


@given(st.integers(0, 10**9))
def test_counts_read_back_in_every_way_they_are_written(n: int) -> None:
    assert cell_count(str(n)) == n
    assert cell_count(f" {n} ") == n
    assert cell_count(f"{n}.0") == n  # a number cell read from XLSX
    assert cell_count(f"{n:,}".replace(",", ".")) == n  # Indonesian thousands separator


@given(st.integers(max_value=-1))
def test_negative_counts_are_refused(n: int) -> None:
    with pytest.raises(CellError):
        cell_count(str(n))


@given(st.text(alphabet="abcxyz!? ", min_size=1))
def test_words_are_not_numbers(text: str) -> None:
    with pytest.raises(CellError):
        cell_int(text)


@given(st.integers(1, 999), st.sampled_from(["{n}", "{n:03d}", "TPS {n:03d}", "tps-{n}", "TPS{n}"]))
def test_tps_numbers(n: int, form: str) -> None:
    assert cell_tps_number(form.format(n=n)) == n


@given(st.one_of(st.integers(max_value=0), st.integers(min_value=1000)))
def test_tps_numbers_outside_1_to_999_are_refused(n: int) -> None:
    with pytest.raises(CellError):
        cell_tps_number(str(n))


@given(st.floats(-90, 90, allow_nan=False))
def test_coordinates_with_a_decimal_point_or_comma(x: float) -> None:
    assert cell_float(repr(x)) == x
    text = f"{x:.6f}"
    assert cell_float(text.replace(".", ",")) == pytest.approx(float(text))
    assert cell_float("   ") is None


@given(village_codes)
def test_codes_in_dotted_or_plain_digits_form(code: str) -> None:
    assert normalise(code.replace(".", "")) == code
    assert level_of(code) is Level.VILLAGE
    assert parent_code(code) == code[:8]


@given(village_codes, st.lists(village_codes, min_size=1, max_size=30))
def test_suggestions_are_existing_codes_and_prefer_the_same_district(code: str, others: list[str]) -> None:
    known = sorted(set(others))
    near = code_suggestions(code, known)
    assert near and set(near) <= set(known) and len(near) <= 3
    same_district = [c for c in known if c[:8] == code[:8] and c != code]
    if same_district and code not in known:
        assert near[0][:8] == code[:8]


@pytest.mark.parametrize(
    ("text", "expected"), [("Ya", True), ("1", True), ("x", True), ("tidak", False), ("", False), ("0", False)]
)
def test_yes_no(text: str, expected: bool) -> None:
    assert cell_bool(text) is expected


def test_headers_match_whatever_the_spelling() -> None:
    assert header_key(" No. TPS ") == "no_tps"
    assert header_key("Laki-laki") == "laki_laki"
    assert header_key("\ufeffKode Desa/Kelurahan") == "kode_desa_kelurahan"
