"""QR code of the authenticator URI as inline SVG markup (segno; no image files, no script)."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str) -> SafeString:
    return mark_safe(segno.make(data, error="m").svg_inline(scale=5, title="QR"))
