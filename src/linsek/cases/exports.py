"""The case register as XLSX (openpyxl) and PDF (WeasyPrint): number, dates, parties, articles, stage,
outcome, and which deadlines were met or missed. Built from rows the caller has already scoped."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from linsek.cases.models import Case
from linsek.cases.rules import rule_set

HEADERS = [
    "Nomor",
    "Registrasi",
    "Asal",
    "Judul",
    "Pelapor/penemu",
    "Terlapor/tersangka/terdakwa",
    "Pasal",
    "Wilayah",
    "Tahap",
    "Status",
    "Hasil",
    "Tenggat tahap berjalan",
    "Tenggat terpenuhi",
    "Tenggat terlewat",
    "Tahap terlewat",
]


@dataclass(frozen=True, slots=True)
class RegisterRow:
    number: str
    registered: str
    origin: str
    title: str
    reporters: str
    accused: str
    articles: str
    region: str
    stage: str
    status: str
    outcome: str
    current_due: str
    met: int
    missed: int
    missed_stages: str

    def cells(self) -> list[str | int]:
        return [
            self.number,
            self.registered,
            self.origin,
            self.title,
            self.reporters,
            self.accused,
            self.articles,
            self.region,
            self.stage,
            self.status,
            self.outcome,
            self.current_due,
            self.met,
            self.missed,
            self.missed_stages,
        ]


def register_rows(cases: Iterable[Case]) -> list[RegisterRow]:
    """One row per case; expects ``parties``, ``articles`` and ``stages`` prefetched."""
    rows: list[RegisterRow] = []
    for case in cases:
        rs = rule_set(case.rule_set)
        tz = ZoneInfo(case.time_zone)
        parties = list(case.parties.all())
        stages = list(case.stages.all())
        judged = [s for s in stages if s.met is not None]
        missed = [s for s in judged if s.met is False]
        rows.append(
            RegisterRow(
                number=case.number,
                registered=case.registered_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                origin=str(case.get_origin_display()),
                title=case.title,
                reporters="; ".join(p.name for p in parties if p.role in ("reporter", "finder")),
                accused="; ".join(p.name for p in parties if p.role in ("reported", "suspect", "defendant", "convict")),
                articles=", ".join(
                    f"{a.article}{f'({a.paragraph})' if a.paragraph else ''}" for a in case.articles.all()
                ),
                region=f"{case.region.code} {case.region.name}",
                stage=rs.stages[case.stage].name if case.stage in rs.stages else case.stage,
                status=str(case.get_status_display()),
                outcome=case.outcome,
                current_due=case.current_due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                if case.current_due_at
                else "",
                met=len(judged) - len(missed),
                missed=len(missed),
                missed_stages=", ".join(rs.stages[s.code].name if s.code in rs.stages else s.code for s in missed),
            )
        )
    return rows


def register_xlsx(rows: list[RegisterRow], *, title: str, now: datetime) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Register perkara"
    ws.append([title])
    ws.append([f"Dibuat {now:%Y-%m-%d %H:%M %Z}"])
    ws.append(HEADERS)
    header_row = 3
    for cell in ws[header_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="13294B")
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row in rows:
        ws.append(row.cells())
    widths = [22, 17, 16, 40, 24, 28, 14, 26, 30, 10, 14, 17, 10, 10, 30]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"A{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(HEADERS))}{header_row + len(rows)}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def register_pdf(rows: list[RegisterRow], *, title: str, now: datetime) -> bytes:
    """A4 landscape through WeasyPrint (Debian's Pango is needed; ``make test`` installs it)."""
    from weasyprint import HTML

    html = render_to_string("cases/register_pdf.html", {"rows": rows, "title": title, "now": now, "headers": HEADERS})
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
