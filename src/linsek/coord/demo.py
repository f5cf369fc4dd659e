"""The coordination part of the Jepara demo: the 2023-24 calendar, the Rakor Linsek of 13 Oct 2023 at Pendopo
R.A. Kartini with its attendees, presentations, decisions and action items, a follow-up meeting the open items
carry into, a few agency events, and the daily report's distribution list.

Called by ``linsek demo load`` (the lead wires it) after the registry demo (``demo/jepara.py``) has created the
organisations and people; organisations are looked up by *type* and jurisdiction, never by hard-coded codes.
Idempotent: a second load finds the meeting (by series and start) and leaves everything as it is.
Decisions and action items are illustrative scenario data written for the demo, not the minutes of the real
meeting; the meeting's date and place are those of the seed article (shared/DOMAIN.md §1).
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q

from linsek.agencies.models import Organisation, Person
from linsek.coord.models import ActionItem, ActionStatus, CalendarEvent, Meeting
from linsek.coord.services import (
    ActionInput,
    EventInput,
    MeetingInput,
    action_item_add,
    action_item_set_status,
    attendance_record,
    calendar_load,
    decision_add,
    event_create,
    meeting_create,
    meeting_mark_held,
    meeting_minutes_record,
    presentation_upload,
    responsibilities_load,
)
from linsek.regions.models import Region

WIB = ZoneInfo("Asia/Jakarta")
REGENCY = "33.20"
RAKOR_AT = datetime(2023, 10, 13, 9, 0, tzinfo=WIB)
RAKOR_PLACE = "Pendopo R.A. Kartini, Jepara"
FOLLOW_UP_AT = datetime(2024, 2, 7, 9, 0, tzinfo=WIB)
# Who is invited to a Rakor Linsek of a regency (DOMAIN §1): organisation types, in the order of the agenda.
RAKOR_TYPES = ["polres", "kodim", "pemkab", "kpu_kab", "bawaslu_kab", "kejari", "pn", "satpol_pp", "kesbangpol", "bpbd"]


@dataclass
class CoordDemoSummary:
    calendar_stages: int = 0
    meetings: list[int] = field(default_factory=list)
    decisions: int = 0
    action_items: int = 0
    presentations: int = 0
    events: int = 0
    skipped: list[str] = field(default_factory=list)


def simple_pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid PDF (A4, Helvetica, one page per 40 lines) written by hand: no renderer needed."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    pages_text = [lines[i : i + 40] for i in range(0, max(len(lines), 1), 40)] or [[]]
    objects: list[bytes] = []
    n_pages = len(pages_text)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, chunk in enumerate(pages_text):
        ops = ["BT", "/F1 18 Tf", "56 780 Td", f"({esc(title)}) Tj", "/F1 11 Tf", "0 -28 Td"]
        for line in chunk:
            ops += [f"({esc(line)}) Tj", "0 -16 Td"]
        ops.append("ET")
        stream = zlib.compress("\n".join(ops).encode("cp1252", errors="replace"))
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode() + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _org_of_type(type_code: str, region: Region) -> Organisation | None:
    """The organisation of a type serving the region (its jurisdiction is the region or above it)."""
    parts = region.code.split(".")
    codes = [".".join(parts[: i + 1]) for i in range(len(parts))]
    return (
        Organisation.objects.filter(type_id=type_code, active=True, jurisdiction__code__in=codes)
        .order_by("code")
        .first()
        or Organisation.objects.filter(type_id=type_code, active=True).order_by("code").first()
    )


def _head_of(org: Organisation) -> Person | None:
    """The organisation's first-listed officer (the demo registry creates the head first)."""
    people = Person.objects.filter(organisation=org, active=True).order_by("id")
    return (
        people.exclude(Q(position__istartswith="anggota") | Q(position__istartswith="staf")).first() or people.first()
    )


def coord_demo_load(*, now: datetime, actor: Any = None) -> CoordDemoSummary:
    """Load the coordination demo into a database that already holds the Jepara registry demo."""
    summary = CoordDemoSummary()
    region = Region.objects.filter(code=REGENCY).first()
    loaded = calendar_load(now=now, actor=actor)
    summary.calendar_stages = loaded.created + loaded.updated + loaded.unchanged
    summary.skipped.extend(loaded.skipped)
    responsibilities_load(now=now, actor=actor)
    if region is None:
        summary.skipped.append("meetings: regency 33.20 not in the registry")
        return summary
    orgs = {t: o for t in RAKOR_TYPES if (o := _org_of_type(t, region)) is not None}
    polres = orgs.get("polres")
    if polres is None:
        summary.skipped.append("meetings: no Polres in the registry")
        return summary
    existing = Meeting.objects.filter(region=region, starts_at=RAKOR_AT).first()
    if existing is not None:
        summary.meetings.append(existing.pk)
        return summary
    with transaction.atomic():
        _rakor(summary, region=region, orgs=orgs, now=now, actor=actor)
        _events(summary, region=region, orgs=orgs, now=now, actor=actor)
        _distribution(region=region, orgs=orgs)
    return summary


def _rakor(
    summary: CoordDemoSummary, *, region: Region, orgs: dict[str, Organisation], now: datetime, actor: Any
) -> None:
    polres = orgs["polres"]
    chair = _head_of(polres)
    record_at = RAKOR_AT + timedelta(hours=3)  # recorded as on the day, so the day's report shows it
    meeting = meeting_create(
        actor=actor,
        data=MeetingInput(
            title="Rakor Lintas Sektoral Pengamanan Pemilu 2024 Kabupaten Jepara",
            starts_at=RAKOR_AT,
            ends_at=RAKOR_AT + timedelta(hours=3),
            place=RAKOR_PLACE,
            region=region,
            organiser=polres,
            chair_person=chair,
            chair_name=f"{chair} ({chair.position})" if chair and chair.position else "",
            invited_ids=[o.pk for o in orgs.values()],
            agenda=[
                "Pembukaan dan arahan pimpinan",
                "Paparan kesiapan Operasi Mantap Brata Candi 2023-2024 (Polres Jepara)",
                "Paparan tahapan dan logistik Pemilu 2024 (KPU Kabupaten Jepara)",
                "Paparan pemetaan kerawanan (Bawaslu Kabupaten Jepara)",
                "Dukungan Kodim 0719/Jepara dan Pemkab (Linmas, Satpol PP, BPBD)",
                "Diskusi, keputusan dan tindak lanjut",
            ],
            summary="Menyamakan kalender dan gambaran kerawanan menjelang dimulainya Operasi Mantap Brata "
            "(19 Oktober 2023) dan tahapan pencalonan presiden.",
        ),
        now=record_at,
    )
    summary.meetings.append(meeting.pk)
    for type_code, org in orgs.items():
        head = _head_of(org)
        present = type_code not in ("pn",)  # the court was invited and sent no one (illustrative)
        attendance_record(
            actor=actor,
            meeting=meeting,
            organisation=org,
            attendance="present" if present else "absent",
            person_ids=[head.pk] if head and present else [],
            names="" if head or not present else f"Perwakilan {org.short_name or org.name}",
            now=record_at,
        )
    decks = {
        "polres": (
            "Kesiapan Operasi Mantap Brata Candi 2023-2024",
            [
                "Operasi Mantap Brata: 19 Oktober 2023 - 20 Oktober 2024.",
                "Satgas: Preemtif, Preventif, Kamseltibcarlantas, Gakkum, Humas, Banops.",
                "Kekuatan rencana: sekitar 550 personel Polri dan 500 personel TNI.",
                "Pola pengamanan TPS ditetapkan per kategori kerawanan (P-T-L).",
            ],
        ),
        "kpu_kab": (
            "Tahapan dan Logistik Pemilu 2024 di Kabupaten Jepara",
            [
                "DPT 914.996 pemilih (L 457.357 / P 457.639), 3.490 TPS.",
                "Karimunjawa: 32 TPS, DPT 7.517; logistik berangkat lebih dulu (3 Februari 2024).",
                "KPU ke PPK 8-10 Februari; PPK ke PPS 11-12 Februari; PPS ke TPS 13 Februari 2024.",
            ],
        ),
        "bawaslu_kab": (
            "Pemetaan Kerawanan Pemilu 2024",
            [
                "Tujuh variabel, 22 indikator TPS rawan (pengambilan data 3-8 Februari 2024).",
                "Titik perhatian: rawan longsor (Tempur, Kunir, Kuanyar, Bungu), banjir (Sumberrejo).",
                "TPS khusus: Rutan Kelas IIB Jepara dan dua pondok pesantren.",
            ],
        ),
    }
    for type_code, (title, lines) in decks.items():
        deck_org = orgs.get(type_code)
        if deck_org is None:
            continue
        data = simple_pdf(title, [*lines, "", f"{deck_org.name} - Rakor Linsek 13 Oktober 2023"])
        upload = SimpleUploadedFile("paparan.pdf", data, content_type="application/pdf")
        presentation_upload(
            actor=actor, meeting=meeting, organisation=deck_org, title=title, upload=upload, now=record_at
        )
        summary.presentations += 1

    def bind(*types: str) -> list[int]:
        return [orgs[t].pk for t in types if t in orgs]

    decisions = [
        (
            "Seluruh instansi merencanakan kegiatan pengamanan menurut kalender tahapan Pemilu 2024 (PKPU 3/2022) "
            "dan Operasi Mantap Brata yang dicatat bersama di linsek.",
            bind(*orgs),
        ),
        (
            "KPU menyampaikan jadwal dan rute distribusi logistik, termasuk penyeberangan ke Karimunjawa, untuk "
            "disusun rencana pengawalannya bersama Polres dan Kodim.",
            bind("kpu_kab", "polres", "kodim"),
        ),
        (
            "Bawaslu menyampaikan hasil pemetaan TPS rawan sebagai dasar pola pengamanan TPS.",
            bind("bawaslu_kab", "polres"),
        ),
        (
            "Pemkab melalui Satpol PP memenuhi kebutuhan Linmas 7.824 orang (tersedia 6.615 per Agustus 2023).",
            bind("pemkab", "satpol_pp"),
        ),
    ]
    made = [decision_add(actor=actor, meeting=meeting, text=t, binds_ids=b, now=record_at) for t, b in decisions if b]
    summary.decisions += len(made)
    karimunjawa_stage = CalendarEvent.objects.filter(code="logistik_ppk_karimunjawa").first()
    plans: list[tuple[str, str, date, int | None, CalendarEvent | None]] = [
        (
            "kpu_kab",
            "Serahkan jadwal dan rute distribusi logistik per kecamatan",
            date(2023, 10, 27),
            1,
            CalendarEvent.objects.filter(code="logistik_kpu_ppk").first(),
        ),
        (
            "polres",
            "Susun rencana pengawalan logistik Karimunjawa bersama Sat Polairud dan TNI AL",
            date(2023, 11, 30),
            1,
            karimunjawa_stage,
        ),
        ("bawaslu_kab", "Serahkan pemetaan awal kerawanan per kecamatan", date(2023, 11, 15), 2, None),
        ("satpol_pp", "Laporkan kekurangan Linmas per kecamatan dan rencana pemenuhannya", date(2023, 12, 15), 3, None),
        (
            "kesbangpol",
            "Fasilitasi deklarasi pemilu damai bersama tokoh agama dan masyarakat",
            date(2023, 11, 27),
            None,
            CalendarEvent.objects.filter(code="kampanye").first(),
        ),
    ]
    items: list[ActionItem] = []
    for type_code, title, due, decision_index, event in plans:
        owner = orgs.get(type_code)
        if owner is None:
            continue
        items.append(
            action_item_add(
                actor=actor,
                meeting=meeting,
                data=ActionInput(
                    title=title,
                    owner_org=owner,
                    owner_person=_head_of(owner),
                    due_date=due,
                    decision=made[decision_index - 1] if decision_index and decision_index <= len(made) else None,
                    event=event,
                ),
                now=record_at,
            )
        )
    summary.action_items += len(items)
    meeting_minutes_record(
        actor=actor,
        meeting=meeting,
        minutes="Rapat dibuka pukul 09.00 WIB di Pendopo R.A. Kartini. Paparan disampaikan oleh Polres, KPU dan "
        "Bawaslu. Peserta sepakat menggunakan kalender bersama dan memantau tindak lanjut pada rakor berikutnya.",
        now=record_at,
    )
    # What happened to the items afterwards (only what lies before the demo's "now").
    progress = [
        (
            0,
            datetime(2023, 10, 26, 14, 0, tzinfo=WIB),
            ActionStatus.DONE,
            "Surat KPU Kab. Jepara tentang jadwal distribusi logistik diterima Polres (dicatat sebagai bukti).",
        ),
        (1, datetime(2023, 11, 20, 10, 0, tzinfo=WIB), ActionStatus.IN_PROGRESS, ""),
        (
            2,
            datetime(2023, 11, 14, 16, 0, tzinfo=WIB),
            ActionStatus.DONE,
            "Peta kerawanan awal diserahkan pada rapat teknis Bawaslu-Polres.",
        ),
    ]
    for index, at, status, evidence in progress:
        if index < len(items) and at <= now:
            action_item_set_status(actor=actor, item=items[index], status=status, evidence=evidence, now=at)
    follow_up = meeting_create(
        actor=actor,
        data=MeetingInput(
            title="Rakor Lintas Sektoral Kesiapan Pemungutan Suara Kabupaten Jepara",
            starts_at=FOLLOW_UP_AT,
            ends_at=FOLLOW_UP_AT + timedelta(hours=3),
            place=RAKOR_PLACE,
            region=region,
            organiser=orgs["polres"],
            chair_name=meeting.chair_name,
            chair_person=meeting.chair_person,
            invited_ids=[o.pk for o in orgs.values()],
            agenda=[
                "Kesiapan distribusi logistik dan pengamanan TPS",
                "Kesiapan Linmas",
                "Rencana pengamanan rekapitulasi",
            ],
        ),
        now=min(now, FOLLOW_UP_AT - timedelta(days=7)) if now > FOLLOW_UP_AT else now,
    )
    summary.meetings.append(follow_up.pk)
    if now > FOLLOW_UP_AT + timedelta(hours=3):
        meeting_mark_held(actor=actor, meeting=follow_up, now=FOLLOW_UP_AT + timedelta(hours=3))


def _events(
    summary: CoordDemoSummary, *, region: Region, orgs: dict[str, Organisation], now: datetime, actor: Any
) -> None:
    polres = orgs["polres"]
    mayong = Region.objects.filter(code="33.20.04").first()
    kodim = orgs.get("kodim")
    events = [
        EventInput(
            title="Nonton bareng debat pertama calon presiden",
            event_type="nobar_debat",
            starts_at=datetime(2023, 12, 12, 19, 0, tzinfo=WIB),
            ends_at=datetime(2023, 12, 12, 22, 0, tzinfo=WIB),
            region=region,
            place="Alun-alun Jepara",
            expected_crowd=1500,
            permit_number="STTP/DEMO/XII/2023",
            permit_issuer="Sat Intelkam Polres Jepara",
            unit_ids=[polres.pk],
            organiser=polres,
        ),
        EventInput(
            title="Kampanye rapat umum (contoh)",
            event_type="rapat_umum",
            starts_at=datetime(2024, 1, 21, 8, 0, tzinfo=WIB),
            ends_at=datetime(2024, 1, 21, 12, 0, tzinfo=WIB),
            region=region,
            place="Stadion Gelora Bumi Kartini",
            expected_crowd=5000,
            permit_number="STTP/DEMO/I/2024",
            permit_issuer="Sat Intelkam Polres Jepara",
            unit_ids=[polres.pk, *([kodim.pk] if kodim else [])],
            organiser=polres,
        ),
        EventInput(
            title="Apel gelar pasukan pengamanan TPS",
            event_type="apel_pasukan",
            starts_at=datetime(2024, 2, 12, 7, 30, tzinfo=WIB),
            ends_at=datetime(2024, 2, 12, 9, 30, tzinfo=WIB),
            region=region,
            place="Alun-alun Jepara",
            unit_ids=[polres.pk, *([kodim.pk] if kodim else [])],
            organiser=polres,
        ),
    ]
    if mayong is not None:
        ppk = Organisation.objects.filter(type_id="ppk", jurisdiction=mayong).first()
        polsek = Organisation.objects.filter(type_id="polsek", jurisdiction=mayong).first()
        events.append(
            EventInput(
                title="Rapat pleno rekapitulasi PPK Mayong",
                event_type="rekap_ppk",
                starts_at=datetime(2024, 2, 16, 9, 0, tzinfo=WIB),
                ends_at=datetime(2024, 2, 18, 17, 0, tzinfo=WIB),
                region=mayong,
                place="Kantor Kecamatan Mayong",
                unit_ids=[o.pk for o in (polsek,) if o is not None],
                organiser=ppk or polres,
            )
        )
    for data in events:
        event_create(actor=actor, data=data, now=min(now, data.starts_at - timedelta(days=3)))
        summary.events += 1


def _distribution(*, region: Region, orgs: dict[str, Organisation]) -> None:
    from linsek.reports.models import DistributionList

    dist, _ = DistributionList.objects.get_or_create(
        name="Laporan situasi harian Kabupaten Jepara", region=region, defaults={"language": "id"}
    )
    dist.organisations.set([o for t, o in orgs.items() if t in ("polres", "kodim", "kpu_kab", "bawaslu_kab", "pemkab")])
