"""Template helpers for the case pages: time left in words and deadline-state labels (translatable)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def time_left(due: datetime | None, now: datetime) -> str:
    """ "2 hari 4 jam" left, or "lewat 5 jam" when past due."""
    if due is None:
        return "—"
    seconds = int((due - now).total_seconds())
    past = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(ngettext("%(n)d hari", "%(n)d hari", days) % {"n": days})
    if days or hours:
        parts.append(ngettext("%(n)d jam", "%(n)d jam", hours) % {"n": hours})
    if not days:
        parts.append(ngettext("%(n)d menit", "%(n)d menit", minutes) % {"n": minutes})
    text = " ".join(parts)
    return _("lewat %(t)s") % {"t": text} if past else text


@register.filter
def state_label(state: Any) -> str:
    return {
        "on_time": _("Tepat waktu"),
        "at_risk_50": _("Waspada (≥50%)"),
        "at_risk_80": _("Kritis (≥80%)"),
        "overdue": _("Lewat tenggat"),
    }.get(str(state), "")


@register.filter
def percent(value: float) -> str:
    return f"{min(value, 9.99) * 100:.0f}%"
