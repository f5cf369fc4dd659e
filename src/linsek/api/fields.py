"""Validated input types shared by the routers: free text, code filters and bounding boxes.

They reject what would otherwise reach the database and fail there (a NUL byte is refused by
PostgreSQL; an integer past 64 bits overflows SQLite), so that such input is a 422 naming the field.
"""

from __future__ import annotations

import math
from typing import Annotated

from django.utils.translation import gettext
from ninja import Field
from pydantic import AfterValidator

from linsek.core.geo import BBox

# The largest value an id column holds (a signed 64-bit integer on both databases).
MAX_ID = 2**63 - 1


def _printable(value: str) -> str:
    if not value.isprintable():
        raise ValueError(gettext("tidak boleh berisi karakter kendali"))
    return value.strip()


def bbox_parse(text: str) -> BBox:
    """``west,south,east,north`` in WGS84 degrees; ValueError naming the problem otherwise."""
    parts = text.split(",")
    if len(parts) != 4:
        raise ValueError(gettext("bbox perlu empat angka: barat,selatan,timur,utara"))
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise ValueError(gettext("nilai bbox harus angka (derajat)")) from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise ValueError(gettext("nilai bbox harus angka berhingga"))
    if not (-180.0 <= west <= 180.0 and -180.0 <= east <= 180.0):
        raise ValueError(gettext("bujur bbox (barat, timur) harus di antara -180 dan 180"))
    if not (-90.0 <= south <= 90.0 and -90.0 <= north <= 90.0):
        raise ValueError(gettext("lintang bbox (selatan, utara) harus di antara -90 dan 90"))
    if west > east:
        raise ValueError(gettext("barat bbox tidak boleh lebih besar dari timur"))
    if south > north:
        raise ValueError(gettext("selatan bbox tidak boleh lebih besar dari utara"))
    return BBox(west=west, south=south, east=east, north=north)


def _bbox_check(value: str) -> str:
    bbox_parse(value)
    return value


SearchText = Annotated[str, Field(max_length=80), AfterValidator(_printable)]
CodeText = Annotated[
    str,
    Field(max_length=20, pattern=r"^[0-9.]+$", description="Kemendagri code, dotted (33.20.04) or not (332004)"),
]
SlugText = Annotated[str, Field(max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")]
BBoxText = Annotated[
    str,
    Field(
        max_length=120,
        description="west,south,east,north in degrees (WGS84)",
        examples=["110.6,-6.8,110.9,-6.6"],
    ),
    AfterValidator(_bbox_check),
]
