"""Parsing one spreadsheet cell: numbers, coordinates, yes/no, as people and Excel actually write them.

Pure functions (no ORM). Each raises :class:`CellError` with a reason in plain words; the importers turn it
into a row-level problem. Excel in Indonesia writes ``-6,7393`` (decimal comma) and ``1.234`` (thousands dot),
and a number column read from XLSX arrives as ``12.0``: all are accepted where they cannot be misread.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")
_TPS_PREFIX = re.compile(r"^(?:tps)[\s._-]*", re.IGNORECASE)
_TRUE = frozenset({"1", "y", "ya", "yes", "true", "benar", "x", "v", "✓"})
_FALSE = frozenset({"", "0", "n", "tidak", "no", "false", "salah", "-"})


class CellError(ValueError):
    """A cell whose text cannot be read as the value its column needs; ``str()`` says what to write instead."""


def cell_int(text: str) -> int:
    """A whole number: ``12``, `` 12 ``, ``12.0`` (from Excel), ``1.234`` (thousands dot)."""
    s = text.strip()
    try:
        return int(s)
    except ValueError:
        pass
    if not s:
        raise CellError(_("kosong; isi dengan bilangan bulat"))
    if _THOUSANDS.match(s):
        return int(s.replace(".", ""))
    try:
        f = float(s.replace(",", ".")) if s.count(",") == 1 and "." not in s else float(s)
    except ValueError:
        raise CellError(_("bukan angka; tulis bilangan bulat, misalnya 245")) from None
    if f != f or f in (float("inf"), float("-inf")) or not f.is_integer():
        raise CellError(_("bukan bilangan bulat; tulis tanpa pecahan, misalnya 245"))
    return int(f)


def cell_count(text: str) -> int:
    """A count that cannot be negative (voters, members)."""
    n = cell_int(text)
    if n < 0:
        raise CellError(_("negatif; jumlah tidak boleh kurang dari 0"))
    return n


def cell_tps_number(text: str) -> int:
    """A TPS number 1–999; accepts ``7``, ``007``, ``TPS 007``, ``TPS-7``."""
    s = _TPS_PREFIX.sub("", text.strip())
    n = cell_int(s)
    if not 1 <= n <= 999:
        raise CellError(_("nomor TPS harus antara 1 dan 999"))
    return n


def cell_float(text: str) -> float | None:
    """A decimal number or None when empty; accepts a decimal comma (``-6,7393``)."""
    s = text.strip()
    if not s:
        return None
    try:
        value = float(s)
    except ValueError:
        if s.count(",") == 1 and "." not in s:
            try:
                value = float(s.replace(",", "."))
            except ValueError:
                raise CellError(_("bukan angka desimal; tulis misalnya -6.7393")) from None
        else:
            raise CellError(_("bukan angka desimal; tulis misalnya -6.7393")) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise CellError(_("bukan angka desimal; tulis misalnya -6.7393"))
    return value


def cell_bool(text: str) -> bool:
    """Yes/no: ``1``/``0``, ``ya``/``tidak``, ``y``/``n``, ``true``/``false``, ``x``; empty is no."""
    s = text.strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise CellError(_("bukan ya/tidak; tulis 1 atau 0 (ya atau tidak)"))


def cell_text(text: str, *, max_length: int) -> str:
    """Trimmed text no longer than the column allows."""
    s = text.strip()
    if len(s) > max_length:
        raise CellError(_("terlalu panjang (%(n)d karakter); paling banyak %(max)d") % {"n": len(s), "max": max_length})
    return s
