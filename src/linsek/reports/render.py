"""Rendering a frozen report: the HTML of the page and of the PDF (WeasyPrint), and the XLSX (openpyxl).

Everything is rendered from the stored content text only, so a rendition can be reproduced at any time. PDF
rendering sits behind :func:`html_to_pdf`, the one place that knows WeasyPrint (it needs Debian's Pango).
"""

from __future__ import annotations

import io
import json
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from linsek.reports.present import sitrep_view
from linsek.reports.xlsx import sitrep_xlsx


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def sitrep_html(content: dict[str, Any], language: str, *, content_sha256: str = "", report: Any = None) -> str:
    """The standalone HTML document that becomes the PDF."""
    with translation.override(language):
        return render_to_string(
            "reports/sitrep_pdf.html",
            {"v": sitrep_view(content, language), "content_sha256": content_sha256, "report": report},
        )


def sitrep_render(content_json: str, *, fmt: str, language: str, content_sha256: str, report: Any = None) -> bytes:
    """PDF or XLSX bytes of a report's frozen content."""
    content = json.loads(content_json)
    if fmt == "pdf":
        return html_to_pdf(sitrep_html(content, language, content_sha256=content_sha256, report=report))
    if fmt == "xlsx":
        buffer = io.BytesIO()
        with translation.override(language):
            sitrep_xlsx(sitrep_view(content, language), content_sha256=content_sha256, out=buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown format '{fmt}'")
