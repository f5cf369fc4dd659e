"""Colours and legends of the risk map (shared by the pages and the JSON layers)."""

from __future__ import annotations

import itertools

from django.utils.translation import gettext as _

from linsek.risk.catalogue import Catalogue
from linsek.risk.selectors import UNASSESSED, UNASSESSED_COLOUR

# Index 0 → green, 50 → amber, 100 → red (the categories' own colours in the shipped catalogue).
_STOPS = [(0.0, (0x2F, 0x8F, 0x46)), (50.0, (0xE0, 0xA0, 0x00)), (100.0, (0xC6, 0x28, 0x28))]


def area_colour(index: float) -> str:
    """The fill colour of an area with this 0–100 index (linear between green, amber and red)."""
    x = max(0.0, min(100.0, index))
    for (x0, c0), (x1, c1) in itertools.pairwise(_STOPS):
        if x <= x1:
            t = (x - x0) / (x1 - x0)
            return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(c0, c1, strict=True))
    return "#c62828"


def categories_legend(catalogue: Catalogue, language: str = "id") -> list[dict[str, str]]:
    """The categories in vulnerability order plus "belum dinilai": code, label, colour (index = status)."""
    items = [{"code": c.code, "label": c.name(language), "colour": c.colour} for c in catalogue.categories]
    items.append({"code": UNASSESSED, "label": _("Belum dinilai"), "colour": UNASSESSED_COLOUR})
    return items
