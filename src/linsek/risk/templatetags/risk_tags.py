"""Template helpers of the risk and deploy pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def width_class(value: float | int | None) -> str:
    """A CSS width class (w0 … w100, steps of 5) for an index bar: inline styles are barred by the CSP."""
    if value is None:
        return "w0"
    return f"w{int(round(max(0.0, min(100.0, float(value))) / 5) * 5)}"


@register.filter
def get_item(mapping: dict[str, Any] | None, key: str) -> Any:
    return mapping.get(key) if mapping else None
