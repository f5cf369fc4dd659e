"""Demo cases for Jepara: a few election-crime cases in different stages around a given ``now``.

Tolerant of how the rest of the demo was loaded: organisations are found by type and jurisdiction (the
Bawaslu, Polres, Kejari and PN covering regency 33.20), not by code; a missing Kejari or PN, or a missing
login for a Gakkumdu member or the court, is created. Loading twice changes nothing (each case has a fixed
client UUID, and a case that exists is left as it is).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from linsek.cases.models import Case
from linsek.cases.rules import rule_set
from linsek.cases.services import ArticleInput, DocumentInput, PartyInput, case_register, case_transition

REGENCY = "33.20"
DEMO_NAMESPACE = uuid.UUID("6f1d3c0e-3c55-4d1e-9b7a-2a5a1c0c4a20")
DEMO_PASSWORD = "demo-gakkumdu-jepara-24"  # noqa: S105  (demo login, printed by `linsek demo load`)


@dataclass(frozen=True)
class DemoCase:
    key: str
    title: str
    origin: str
    articles: tuple[int, ...]
    district: str
    # (stage, hours before now) — the first item is the registration; the case then walks the path
    path: tuple[tuple[str, float], ...]
    can_change_result: bool = False
    reported: str = "Sdr. (inisial) terlapor"


DEMO_CASES = [
    DemoCase(
        "review",
        "Kepala desa membagikan bantuan berlogo peserta pemilu",
        "report",
        (490,),
        "33.20.04",
        (("registration", 30),),
    ),
    DemoCase(
        "forwarding",
        "Politik uang pada masa tenang di Desa Pelemkerep",
        "finding",
        (523,),
        "33.20.04",
        (("registration", 24 * 6), ("gakkumdu_1", 24 * 5), ("gakkumdu_2", 24 * 2), ("forwarding", 20)),
        can_change_result=True,
    ),
    DemoCase(
        "investigation",
        "Pemilih memberikan suara lebih dari satu kali",
        "finding",
        (516,),
        "33.20.10",
        (
            ("registration", 24 * 14),
            ("gakkumdu_1", 24 * 13),
            ("gakkumdu_2", 24 * 11),
            ("forwarding", 24 * 10.5),
            ("investigation", 24 * 8),
        ),
    ),
    DemoCase(
        "prosecution",
        "Perusakan berita acara penghitungan suara",
        "report",
        (535,),
        "33.20.04",
        (
            ("registration", 24 * 30),
            ("gakkumdu_1", 24 * 29),
            ("gakkumdu_2", 24 * 27),
            ("forwarding", 24 * 26.8),
            ("investigation", 24 * 26),
            ("gakkumdu_3", 24 * 14),
            ("prosecution", 24 * 6),
        ),
        can_change_result=True,
    ),
    DemoCase(
        "court",
        "Intimidasi terhadap KPPS saat pemungutan suara",
        "finding",
        (531,),
        "33.20.10",
        (
            ("registration", 24 * 28),
            ("gakkumdu_1", 24 * 27),
            ("gakkumdu_2", 24 * 25),
            ("forwarding", 24 * 24.6),
            ("investigation", 24 * 24),
            ("gakkumdu_3", 24 * 12),
            ("prosecution", 24 * 11),
            ("court_trial", 24 * 2),
        ),
    ),
    DemoCase(
        "closed",
        "Kampanye di luar jadwal oleh tim kampanye",
        "report",
        (492,),
        "33.20.04",
        (
            ("registration", 24 * 20),
            ("gakkumdu_1", 24 * 19),
            ("gakkumdu_2", 24 * 15),
            ("closed_administrative", 24 * 14),
        ),
    ),
]


def _org(type_code: str, regency: Any, *, name: str, code: str) -> Any:
    from linsek.agencies.models import Organisation

    org = (
        Organisation.objects.filter(type_id=type_code, jurisdiction=regency, active=True).order_by("id").first()
        or Organisation.objects.filter(type_id=type_code, code=code).first()
    )
    if org is None:
        org = Organisation.objects.create(code=code, name=name, type_id=type_code)
        org.jurisdiction.set([regency])
    return org


def _login(org: Any, *, username: str, full_name: str, position: str) -> Any:
    """A liaison login for the organisation, unless it already has one able to read case files."""
    from linsek.accounts.models import Role, User
    from linsek.accounts.policy import policy
    from linsek.agencies.models import Person

    readers = [code for code, caps in policy().grants.items() if "cases.view" in caps]
    existing = User.objects.filter(organisation=org, roles__code__in=readers, is_active=True).order_by("id").first()
    if existing is not None:
        return existing
    person, _ = Person.objects.get_or_create(
        key=f"org:{org.code}:{username}",
        defaults={"organisation": org, "full_name": full_name, "position": position},
    )
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            email=f"{username}@linsek-demo.example",
            organisation=org,
            person=person,
            first_name=full_name,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.roles.add(Role.objects.get(code="liaison"))
    return user


def gakkumdu_members(*, regency: Any) -> dict[str, Any]:
    """The acting user per sector for the demo: Bawaslu, Polri investigator, prosecutor, court."""
    bawaslu = _org("bawaslu_kab", regency, name="Bawaslu Kabupaten Jepara", code="bawaslu-jepara")
    polres = _org("polres", regency, name="Polres Jepara", code="polres-jepara")
    kejari = _org("kejari", regency, name="Kejaksaan Negeri Jepara", code="kejari-jepara")
    pn = _org("pn", regency, name="Pengadilan Negeri Jepara", code="pn-jepara")
    return {
        "bawaslu": _login(bawaslu, username="bawaslu", full_name="Anggota Bawaslu Jepara", position="Anggota"),
        "polri": _login(
            polres, username="penyidik", full_name="Penyidik Gakkumdu Polres Jepara", position="Penyidik Sat Reskrim"
        ),
        "kejaksaan": _login(kejari, username="jaksa", full_name="Jaksa Gakkumdu Kejari Jepara", position="Jaksa"),
        "pengadilan": _login(pn, username="panitera", full_name="Panitera PN Jepara", position="Panitera"),
    }


def _document(title: str) -> DocumentInput:
    """A one-page PDF naming the document: case documents must be PDF or images (``DOCUMENT_TYPES``)."""
    text = f"Dokumen demo linsek: {title}".encode("latin-1", "replace").replace(b"\\", b"").replace(b"(", b"[")
    text = text.replace(b")", b"]")
    stream = b"BT /F1 12 Tf 50 780 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%EOF\n".encode()
    name = f"{title.lower().replace(' ', '-')[:40]}.pdf"
    return DocumentInput(upload=SimpleUploadedFile(name, body, "application/pdf"))


def cases_demo_load(*, now: datetime) -> list[Case]:
    """Create (once) the demo cases for Jepara around ``now``; returns them."""
    from linsek.regions.models import Region

    regency = Region.objects.filter(code=REGENCY).first()
    if regency is None:
        return []
    rs = rule_set()
    actors = gakkumdu_members(regency=regency)
    out: list[Case] = []
    for demo in DEMO_CASES:
        key = uuid.uuid5(DEMO_NAMESPACE, demo.key)
        existing = Case.objects.filter(uuid=key).first()
        if existing is not None:
            out.append(existing)
            continue
        district = (
            Region.objects.filter(code=demo.district).first()
            or Region.objects.filter(code__startswith=f"{REGENCY}.", level="district").order_by("code").first()
        )
        if district is None:
            continue
        village = Region.objects.filter(parent=district).order_by("code").first() or district
        registered = now - timedelta(hours=demo.path[0][1])
        with transaction.atomic():
            case = case_register(
                actor=actors["bawaslu"],
                origin=demo.origin,
                title=demo.title,
                summary="Perkara contoh untuk demo linsek; nama dan kejadian rekaan.",
                known_at=registered - timedelta(days=2),
                registered_at=registered,
                region=village,
                origin_reference=f"DEMO/{demo.key.upper()}/2024",
                parties=[
                    PartyInput("finder" if demo.origin == "finding" else "reporter", "Pengawas/pelapor (demo)"),
                    PartyInput("reported", demo.reported),
                ],
                articles=[ArticleInput(a) for a in demo.articles],
                can_change_result=demo.can_change_result,
                client_uuid=key,
                now=now,
            )
            for stage, hours_ago in demo.path[1:]:
                case.refresh_from_db()
                t = rs.stages[case.stage].transition_to(stage)
                if t is None:
                    raise ValueError(f"demo case {demo.key}: {case.stage} → {stage} is not allowed")
                actor = next(actors[s] for s in ("bawaslu", "polri", "kejaksaan", "pengadilan") if s in t.by)
                case_transition(
                    actor=actor,
                    case=case,
                    to_stage=stage,
                    now=now,
                    at=now - timedelta(hours=hours_ago),
                    note="Catatan demo: alasan keputusan." if t.note_required else "",
                    document=_document(rs.documents[t.document]) if t.document else None,
                )
        case.refresh_from_db()
        out.append(case)
    return out
