"""Printable rosters per unit (the attachment of the unit's duty order): XLSX (openpyxl) and PDF (WeasyPrint)."""

from __future__ import annotations

import io
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone

from linsek.agencies.models import Organisation
from linsek.deploy.models import Plan
from linsek.deploy.selectors import PostRow

HEADERS = [
    "Pos",
    "Kategori",
    "Kecamatan",
    "Pulau",
    "TPS",
    "Alamat TPS",
    "Nama",
    "Pangkat",
    "Telepon",
    "Satuan asal",
    "Keterangan",
]


def roster_lines(rows: list[PostRow]) -> list[list[str]]:
    """One line per (post, TPS or team member): the table both formats print."""
    lines: list[list[str]] = []
    for r in rows:
        post = r.post
        count = max(len(r.stations), len(r.team), 1)
        for i in range(count):
            tps = r.stations[i] if i < len(r.stations) else None
            member = r.team[i] if i < len(r.team) else None
            note = ""
            if member is not None:
                note = {
                    "own": "",
                    "neighbour": "BKO antar-Polsek",
                    "reserve": "cadangan Polres",
                    "urgent": "pengalihan",
                    "village": "Linmas desa setempat",
                    "district": "Linmas desa lain di kecamatan",
                }.get(member.source, member.source)
                if member.crossing:
                    note = (note + "; diberangkatkan sebelum penyeberangan").lstrip("; ")
            lines.append(
                [
                    str(post.number) if i == 0 else "",
                    post.category if i == 0 else "",
                    post.area.name if i == 0 else "",
                    post.island if i == 0 else "",
                    f"{tps[0]}" if tps else "",
                    f"TPS {tps[1]} {tps[2]}, {tps[3]}".rstrip(", ") if tps else "",
                    member.name if member else "",
                    member.rank if member else "",
                    member.phone if member else "",
                    member.unit if member else "",
                    note,
                ]
            )
        linmas_short = post.linmas_needed - len(r.linmas)
        if linmas_short > 0:
            lines.append(["", "", "", "", "", "", f"KURANG {linmas_short} Linmas", "", "", "", "Linmas"])
        if post.status != "covered":
            lines.append(
                [
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    f"KURANG {post.police_needed - sum(1 for m in r.team if m.sector == 'polri')} personel",
                    "",
                    "",
                    "",
                    "BKO",
                ]
            )
    return lines


def roster_xlsx(*, plan: Plan, unit: Organisation, rows: list[PostRow], now: datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Daftar personel"
    ws.append([f"Lampiran surat perintah: {unit.name}"])
    ws.append(
        [
            f"Rencana pengamanan TPS {plan.scope.name} versi {plan.version} ({plan.get_status_display()}), "
            f"hari tugas {plan.duty_start:%d-%m-%Y} s.d. {plan.duty_end:%d-%m-%Y}"
        ]
    )
    ws.append([f"Dicetak {timezone.localtime(now):%d-%m-%Y %H:%M %Z}"])
    ws.append([])
    ws.append(HEADERS)
    for cell in ws[5]:
        cell.font = Font(bold=True)
    for line in roster_lines(rows):
        ws.append(line)
    ws["A1"].font = Font(bold=True, size=13)
    widths = [6, 13, 14, 12, 20, 40, 28, 12, 16, 22, 30]
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    for row in ws.iter_rows(min_row=6):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A6"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def roster_pdf(*, plan: Plan, unit: Organisation, rows: list[PostRow], now: datetime) -> bytes:
    """A4 landscape through WeasyPrint (Debian's Pango; the same library as the case register)."""
    from weasyprint import HTML

    html = render_to_string(
        "deploy/roster_pdf.html",
        {
            "plan": plan,
            "unit": unit,
            "headers": HEADERS,
            "lines": roster_lines(rows),
            "now": timezone.localtime(now),
            "posts": len(rows),
        },
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
