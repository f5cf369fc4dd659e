"""The situation report as an XLSX workbook: one sheet per section, numbers as numbers, for the agencies that
keep their own tallies in Excel. Reads the language-applied view (``present.sitrep_view``)."""

from __future__ import annotations

from typing import Any, BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from linsek.reports.present import ABSENT, section_titles

BOLD = Font(bold=True)


def _table(ws: Worksheet, header: list[str], rows: list[list[Any]], *, start_row: int | None = None) -> None:
    if start_row is not None and start_row > ws.max_row:
        ws.append([])
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for row in rows:
        ws.append(row)


def _absent(ws: Worksheet, state: str) -> None:
    ws.append(
        [_("Belum tersedia: modul ini belum terpasang.") if state == ABSENT else _("Tidak ada data untuk periode ini.")]
    )


def _sheet(wb: Workbook, title: str) -> Worksheet:
    ws = wb.create_sheet(title[:31])
    ws.column_dimensions["A"].width = 42
    for col in "BCDEFG":
        ws.column_dimensions[col].width = 16
    return ws


def sitrep_xlsx(v: dict[str, Any], *, content_sha256: str, out: BinaryIO) -> None:
    titles = section_titles()
    wb = Workbook()
    first = wb.active
    assert isinstance(first, Worksheet)
    ws: Worksheet = first
    ws.title = _("Ringkasan")[:31]
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 70
    ws.append([_("Laporan Situasi Harian"), f"{v['region_level']} {v['region']['name']} ({v['region']['code']})"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("Dari tanggal"), v["date_from"]])
    ws.append([_("Sampai tanggal"), v["date_to"]])
    ws.append([_("Dibuat"), v["generated_at"].replace(tzinfo=None)])
    ws.append([_("Zona waktu"), v["zone"]])
    ws.append([_("Final"), _("ya") if v["final"] else _("sementara")])
    ws.append([_("Ada data"), _("ya") if v["has_data"] else _("Tidak ada data untuk tanggal ini.")])
    ws.append([_("SHA-256 isi laporan"), content_sha256])
    audit = v["audit"]
    ws.append(
        [
            _("Rantai audit, peristiwa terakhir"),
            f"#{audit['seq']} {audit['hash']}" if audit.get("state") == "ok" else "—",
        ]
    )
    for cell in ("B2", "B3"):
        ws[cell].number_format = "yyyy-mm-dd"
    ws["B4"].number_format = "yyyy-mm-dd hh:mm"
    if v.get("calendar"):
        cal = v["calendar"]
        ws.append([])
        ws.append([_("Tahapan berjalan"), "; ".join(c["name"] for c in cal["current"]) or "—"])
        ws.append([_("Berikutnya"), "; ".join(f"{c['name']} ({c['first']})" for c in cal["next"]) or "—"])
    if v["comparison"]:
        _table(
            ws,
            [_("Ukuran"), _("Periode ini"), _("Sebelumnya"), _("Selisih")],
            [[r["name"], r["value"], r["previous"], r["delta"]] for r in v["comparison"]],
            start_row=ws.max_row + 1,
        )
        ws.column_dimensions["C"].width = 14
        ws.column_dimensions["D"].width = 12

    ws = _sheet(wb, titles["incidents"])  # the summary sheet is done; each section sheet below
    inc = v.get("incidents")
    if inc:
        ws.append([_("Laporan masuk"), inc["total"]])
        ws.append([_("Periode sebelumnya"), inc["previous_total"]])
        ws.append([_("Masih terbuka"), inc["open_total"]])
        ws.append([_("Laporan terbatas (tidak dirinci)"), inc["restricted"]])
        _table(
            ws,
            [_("Jenis"), _("Jumlah"), _("Sebelumnya"), _("Selisih")],
            [[k["name"], k["count"], k["previous"], k["delta"]] for k in inc["by_kind"]],
            start_row=ws.max_row + 1,
        )
        _table(
            ws,
            [_("Status"), _("Jumlah")],
            [[s["name"], s["count"]] for s in inc["by_status"]],
            start_row=ws.max_row + 1,
        )
        _table(
            ws,
            [_("Tanggal"), _("Laporan")],
            [[d["date"], d["count"]] for d in inc["per_day"]],
            start_row=ws.max_row + 1,
        )
        ws2 = _sheet(wb, _("Per wilayah"))
        _table(
            ws2,
            [_("Kode"), _("Wilayah"), _("Jumlah"), _("Sebelumnya"), _("Terbuka")],
            [[a["code"], a["name"], a["count"], a["previous"], a["open"]] for a in inc["by_area"]],
        )
        ws3 = _sheet(wb, _("Laporan menonjol"))
        _table(
            ws3,
            [_("No."), _("Waktu"), _("Jenis"), _("Desa"), _("Kecamatan"), _("Ringkasan"), _("Tingkat")],
            [
                [n["ref"], n["observed_at"], n["kind_name"], n["village"], n["district"], n["summary"], n["severity"]]
                for n in inc["notable"]
            ],
        )
    else:
        _absent(ws, v["states"]["incidents"])

    ws = _sheet(wb, titles["kamtibmas"])
    kam = v.get("kamtibmas")
    if kam:
        _table(ws, [_("Status"), _("Wilayah")], [[lv["name"], lv["areas"]] for lv in kam["levels"]])
        _table(
            ws,
            [_("Kode"), _("Wilayah"), _("Status"), _("Laporan terbuka"), _("Skor")],
            [[a["code"], a["name"], a["level_name"], a["open"], a["score"]] for a in kam["areas"]],
            start_row=ws.max_row + 1,
        )
    else:
        _absent(ws, v["states"]["kamtibmas"])

    ws = _sheet(wb, titles["cases"])
    if v.get("cases"):
        _table(
            ws,
            [_("Batas waktu tahap"), _("Sekarang"), _("Awal periode")],
            [[r["name"], r["value"], r["previous"]] for r in v["cases"]["rows"]],
        )
    else:
        _absent(ws, v["states"]["cases"])

    ws = _sheet(wb, titles["deployment"])
    dep = v.get("deployment")
    if dep:
        t = dep["totals"]
        for label, key in (
            (_("TPS dalam rencana"), "tps"),
            (_("Cakupan (%)"), "coverage"),
            (_("Personel Polri dibutuhkan"), "police_needed"),
            (_("Personel Polri ditugaskan"), "police_assigned"),
            (_("Kekurangan personel Polri"), "police_shortfall"),
            (_("TPS tanpa penjaga"), "uncovered_tps"),
            (_("Kekurangan Linmas"), "linmas_short"),
        ):
            ws.append([label, t.get(key)])
    else:
        _absent(ws, v["states"]["deployment"])

    ws = _sheet(wb, titles["logistics"])
    if not v.get("logistics"):
        _absent(ws, v["states"]["logistics"])

    ws = _sheet(wb, titles["actions"])
    acts = v.get("actions")
    if acts:
        ws.append([_("Belum selesai"), acts["unresolved"]])
        ws.append([_("Lewat tenggat"), acts["overdue_total"]])
        ws.append([_("Selesai pada periode ini"), acts["done_in_period"]])
        _table(
            ws,
            [_("No."), _("Tindak lanjut"), _("Penanggung jawab"), _("Tenggat"), _("Hari lewat")],
            [[a["ref"], a["title"], a["owner"], a["due"], a["days_overdue"]] for a in acts["overdue"]],
            start_row=ws.max_row + 1,
        )
    else:
        _absent(ws, v["states"]["actions"])
    wb.save(out)
