"""The pure plan: integer apportionment, determinism across processes, data copies true to their source."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linsek.demo.facts import DATA_DIR, jepara_facts
from linsek.demo.personnel import people_plan
from linsek.demo.plan import apportion, apportion_capped, tps_plan
from linsek.demo.staffing import organisations_plan
from linsek.demo.tests.conftest import shared_data_dir

_DIGEST = """
import hashlib
from linsek.demo.facts import jepara_facts
from linsek.demo.plan import regions_plan, tps_plan
from linsek.demo.personnel import people_plan
from linsek.demo.staffing import organisations_plan
f = jepara_facts()
t = tps_plan(f)
print(hashlib.sha256(repr((regions_plan(f), t, organisations_plan(f), people_plan(f, t))).encode()).hexdigest())
"""


@given(
    weights=st.lists(st.floats(min_value=0.5, max_value=2.0), min_size=1, max_size=60),
    fill=st.floats(min_value=0.0, max_value=1.0),
)
def test_apportion_capped_sums_exactly_and_respects_the_cap(weights: list[float], fill: float) -> None:
    cap = 300
    total = int(fill * cap * len(weights))
    parts = apportion_capped(total, weights, cap=cap)
    assert sum(parts) == total
    assert all(0 <= p <= cap for p in parts)


@given(
    weights=st.lists(st.floats(min_value=0.0, max_value=50.0), min_size=1, max_size=40),
    extra=st.integers(min_value=0, max_value=5000),
    minimum=st.integers(min_value=0, max_value=5),
)
def test_apportion_gives_everyone_the_minimum_and_sums_exactly(weights: list[float], extra: int, minimum: int) -> None:
    total = minimum * len(weights) + extra
    parts = apportion(total, weights, minimum=minimum)
    assert sum(parts) == total and min(parts) >= minimum


def test_too_many_voters_for_the_cap_is_an_error() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        apportion_capped(601, [1.0, 1.0], cap=300)


def test_plan_is_the_same_in_another_process_with_another_hash_seed() -> None:
    """Determinism must not hang on set or dict iteration order: a fresh interpreter must agree."""
    f = jepara_facts()
    t = tps_plan(f)
    from linsek.demo.plan import regions_plan

    here = hashlib.sha256(repr((regions_plan(f), t, organisations_plan(f), people_plan(f, t))).encode()).hexdigest()
    env = {**os.environ, "PYTHONHASHSEED": "12345", "DJANGO_SETTINGS_MODULE": "linsek.settings"}
    script = "import django; django.setup()\n" + _DIGEST
    there = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert there.stdout.strip() == here


def test_project_data_files_are_true_copies_of_shared_data() -> None:
    shared = shared_data_dir()
    if not shared.exists():
        pytest.skip(f"{shared} is not present; nothing to compare the copies with")
    for name in ("jepara_kecamatan.csv", "jepara_desa.csv", "jepara_pulau.csv"):
        assert (DATA_DIR / name).read_bytes() == (shared / name).read_bytes(), name
    assert not list(DATA_DIR.glob("*.geojson")), "boundary polygons stay in shared/data"
