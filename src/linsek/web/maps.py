"""What a page's map shows, and the JSON layers it reads.

A map shows TPS as points when its region holds at most :data:`TPS_POINTS_MAX` of them, and per-area
aggregates (one circle per child region, from the roll-up columns) above that: a national view never
ships 820,161 points. The layers are compact arrays (``fields`` names the columns) serialised by orjson.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from linsek.core.codes import LEVEL_ORDER, Level
from linsek.regions.models import Region

TPS_POINTS_MAX = 20_000

# Colour by status, read by map.js from the layer's ``statuses``: adding a status (risk categories
# later: kurang rawan / rawan / sangat rawan / khusus) is a change here, not in the JavaScript.
TPS_STATUS_STYLES: list[dict[str, str]] = [
    {"code": "registered", "colour": "#1d5fa8"},
]


def tps_statuses() -> list[dict[str, str]]:
    """The legend of the TPS layer in the active language (index = the status column of each row)."""
    labels = {"registered": _("Terdaftar")}
    return [{**style, "label": labels.get(style["code"], style["code"])} for style in TPS_STATUS_STYLES]


def child_level(level: str | None) -> str | None:
    """The level below ``level`` (None → province; village → None)."""
    if level is None:
        return Level.PROVINCE.value
    index = [lv.value for lv in LEVEL_ORDER].index(level)
    return LEVEL_ORDER[index + 1].value if index + 1 < len(LEVEL_ORDER) else None


def map_config(*, region: Region | None, highlight: str = "", marker: dict[str, Any] | None = None) -> dict[str, Any]:
    """The settings ``map.js`` reads from the page (a ``json_script``): which layers, which mode.

    ``region`` None is the national view: regencies as aggregates over province outlines.
    """
    tps_url = reverse("web:layer-tps")
    areas_url = reverse("web:layer-areas")
    bounds_url = reverse("web:layer-boundaries")
    config: dict[str, Any] = {
        "tiles": settings.LINSEK_MAP_TILES,
        "tilesAttribution": getattr(settings, "LINSEK_MAP_TILES_ATTRIBUTION", ""),
        "tpsPage": reverse("web:tps", args=["__code__"]),
        "regionPage": reverse("web:region", args=["__code__"]),
        "highlight": highlight,
        "marker": marker,
        "points": None,
        "areas": None,
        "background": None,
        "boundaries": None,
    }
    if region is None:
        config["areas"] = f"{areas_url}?level={Level.REGENCY.value}"
        config["boundaries"] = f"{bounds_url}?level={Level.PROVINCE.value}"
        return config
    below = child_level(region.level)
    if region.level == Level.VILLAGE.value:
        # A village: its own TPS, over the outlines of the villages of its district.
        config["points"] = f"{tps_url}?region={region.code}"
        config["boundaries"] = f"{bounds_url}?parent={region.code.rsplit('.', 1)[0]}"
        config["highlight"] = highlight or region.code
        return config
    config["boundaries"] = f"{bounds_url}?parent={region.code}"
    if region.tps_count <= TPS_POINTS_MAX:
        config["points"] = f"{tps_url}?region={region.code}"
        config["background"] = f"{areas_url}?parent={region.code}&level={below}"
    else:
        config["areas"] = f"{areas_url}?parent={region.code}&level={below}"
    return config


def map_labels() -> dict[str, str]:
    """The map's words in the active language (the JavaScript has none of its own)."""
    return {
        "tps": _("TPS"),
        "voters": _("Pemilih"),
        "openTps": _("Buka halaman TPS"),
        "openRegion": _("Buka wilayah"),
        "drawnPoints": _("{n} TPS digambar di peta."),
        "drawnAreas": _("{n} wilayah digambar di peta (agregat)."),
        "noCoordinates": _("{n} TPS tanpa koordinat tidak digambar."),
        "loading": _("Memuat peta…"),
        "failed": _("Peta gagal dimuat. Muat ulang halaman."),
        "legend": _("Keterangan"),
        "area": _("Agregat wilayah (ukuran = jumlah TPS)"),
        "boundary": _("Batas wilayah"),
        "centroid": _("Titik pusat wilayah"),
        "zoomTo": _("Perbesar ke"),
        "wholeArea": _("Seluruh wilayah"),
    }
