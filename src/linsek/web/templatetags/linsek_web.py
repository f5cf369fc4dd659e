"""Template filters for the web UI: numbers grouped in the active language (914.996 / 914,996)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def num(value: Any, decimals: int | None = None) -> str:
    """A number with the active language's thousands separator; an empty cell stays empty."""
    if value is None or value == "":
        return ""
    return number_format(value, decimal_pos=decimals, force_grouping=True)


@register.filter
def coord(value: float | None) -> str:
    """A latitude or longitude with five decimals (about one metre), dot-separated as GPS devices show it."""
    return "" if value is None else f"{value:.5f}"
