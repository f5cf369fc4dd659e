"""Organisation and people exports: import layouts (round trip), phones only for those who may see them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from conftest import SmallJepara
from linsek.agencies.exports import organisations_export, people_export
from linsek.agencies.imports import organisations_import
from linsek.agencies.imports_people import people_import
from linsek.agencies.models import ContactPoint
from linsek.core.errors import Forbidden


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_people_phone_only_for_people_phone_all(jepara_small: SmallJepara) -> None:
    out = io.BytesIO()
    people_export(out=out, actor=jepara_small.users["command"])
    assert "phone" in rows_of(out.getvalue())[0]
    assert all(r["phone"].startswith("08") for r in rows_of(out.getvalue()))
    anonymous = io.BytesIO()
    people_export(out=anonymous)  # the command line without --user: no personal phones
    assert "phone" not in rows_of(anonymous.getvalue())[0]
    with pytest.raises(Forbidden):
        people_export(out=io.BytesIO(), actor=jepara_small.users["viewer"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_organisations_and_people_exports_reimport_unchanged(
    jepara_small: SmallJepara, tmp_path: Path, fmt: str
) -> None:
    ContactPoint.objects.create(organisation=jepara_small.polres, kind="phone", value="(0291) 591110")
    orgs, people = tmp_path / f"orgs.{fmt}", tmp_path / f"people.{fmt}"
    with orgs.open("wb") as out:
        organisations_export(out=out, fmt=fmt)
    with people.open("wb") as out:
        people_export(out=out, fmt=fmt, actor=jepara_small.users["administrator"])
    org_report = organisations_import(path=orgs)
    assert org_report.problems == [] and org_report.unchanged == org_report.rows == 5
    people_report = people_import(path=people)
    assert people_report.problems == [] and people_report.unchanged == people_report.rows == 6


def test_organisations_export_by_region(jepara_small: SmallJepara) -> None:
    out = io.BytesIO()
    assert organisations_export(out=out, region="33.20.10") == 1
    [row] = rows_of(out.getvalue())
    assert (row["code"], row["parent_code"], row["jurisdiction"]) == ("polsek-karimunjawa", "polres-jepara", "33.20.10")
