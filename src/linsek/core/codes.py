"""Kemendagri region codes and TPS codes.

Province ``33``, regency ``33.20``, district (kecamatan) ``33.20.01``, village ``33.20.01.2001``
(``1xxx`` kelurahan, ``2xxx`` desa); a TPS is its village code plus a three-digit number,
``33.20.01.2001.001``. Source: Kepmendagri 300.2.2-2138/2025 as published in cahyadsn/wilayah.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Level(StrEnum):
    PROVINCE = "province"
    REGENCY = "regency"
    DISTRICT = "district"
    VILLAGE = "village"


_PATTERNS = {
    Level.PROVINCE: re.compile(r"^\d{2}$"),
    Level.REGENCY: re.compile(r"^\d{2}\.\d{2}$"),
    Level.DISTRICT: re.compile(r"^\d{2}\.\d{2}\.\d{2}$"),
    Level.VILLAGE: re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"),
}
_TPS = re.compile(r"^(\d{2}\.\d{2}\.\d{2}\.\d{4})\.(\d{3})$")
LEVEL_ORDER = [Level.PROVINCE, Level.REGENCY, Level.DISTRICT, Level.VILLAGE]


class CodeError(ValueError):
    """A code that is not a well-formed Kemendagri or TPS code."""


def normalise(code: str) -> str:
    """Trim spaces; accept the undotted form (``3320012001``) that spreadsheets produce."""
    code = code.strip()
    if code.isdigit() and len(code) in (2, 4, 6, 10, 13):
        parts = [code[0:2], code[2:4], code[4:6], code[6:10], code[10:13]]
        code = ".".join(p for p in parts if p)
    return code


def level_of(code: str) -> Level:
    """The administrative level a region code names."""
    for level, pattern in _PATTERNS.items():
        if pattern.match(code):
            return level
    raise CodeError(f"'{code}' is not a Kemendagri region code (expected 33, 33.20, 33.20.01 or 33.20.01.2001)")


def parent_code(code: str) -> str | None:
    """The code one level up, or None for a province."""
    level_of(code)
    return code.rsplit(".", 1)[0] if "." in code else None


def tps_code(village_code: str, number: int) -> str:
    """The TPS code for a village and a TPS number (1–999)."""
    if not 1 <= number <= 999:
        raise CodeError(f"TPS number {number} is outside 1–999")
    return f"{village_code}.{number:03d}"


def split_tps_code(code: str) -> tuple[str, int]:
    """(village code, number) of a TPS code."""
    match = _TPS.match(normalise(code))
    if not match:
        raise CodeError(f"'{code}' is not a TPS code (expected e.g. 33.20.01.2001.001)")
    return match.group(1), int(match.group(2))
