"""Checking one submitted report: pure, shared by the web form, the JSON API, SMS and the async intake lane.

Input is the wire form (a mapping of JSON values); output is a :class:`Submission` with every field
normalised, or :class:`~linsek.core.errors.ValidationFailed` naming each bad field. Reference data (TPS,
regions, the regency's extent) comes through a :class:`Gazetteer` so this module reads no database.
The content digest is what a replay of the same UUID is compared against.
"""

from __future__ import annotations

import hashlib
import math
import re
import uuid as uuidlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import orjson

from linsek.core.codes import normalise
from linsek.core.errors import FieldProblem, ValidationFailed
from linsek.incidents.routing import Place
from linsek.incidents.rules import CLASSIFICATIONS, IntakeLimits, Taxonomy

CHANNELS = ("web", "api", "sms", "whatsapp")
# Control characters other than tab and newline: PostgreSQL refuses NUL, terminals misbehave on the rest.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PHONE = re.compile(r"^\+?[0-9]{6,15}$")
_NIK = re.compile(r"^[0-9]{16}$")
WIRE_FIELDS = (
    "uuid",
    "kind",
    "severity",
    "crowd_level",
    "classification",
    "tps",
    "region",
    "lat",
    "lon",
    "observed_at",
    "title",
    "description",
    "people_count",
    "ballot_count",
    "reporter_name",
    "reporter_phone",
    "reporter_nik",
)
# UU 7/2017 Pasal 350(3): ballots per TPS = voters on the DPT and DPTb plus 2 % reserve.
BALLOT_RESERVE = 0.02


@dataclass(frozen=True, slots=True)
class TpsRef:
    id: int
    code: str
    village_id: int
    district_id: int
    regency_id: int
    province_id: int
    lat: float | None
    lon: float | None
    voters_total: int


@dataclass(frozen=True, slots=True)
class RegionRef:
    id: int
    code: str
    level: str
    village_id: int | None
    district_id: int | None
    regency_id: int | None
    province_id: int | None
    voters_total: int


class Gazetteer(Protocol):
    def tps(self, code: str) -> TpsRef | None: ...
    def region(self, code: str) -> RegionRef | None: ...
    def locate(self, lat: float, lon: float) -> RegionRef | None: ...
    def inside_regency(self, regency_id: int, lat: float, lon: float) -> bool: ...
    def suggest(self, code: str) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class Actor:
    """Who submits: a user (with organisation), or an outside sender (SMS/WhatsApp) with no user."""

    user_id: int | None
    username: str
    organisation_id: int | None
    channel: str
    trusted: bool  # a member of a registered organisation: reports need no source verification


@dataclass(frozen=True)
class Submission:
    uuid: uuidlib.UUID
    digest: str
    kind: str
    crowd_level: str
    severity: int
    classification: str
    title: str
    description: str
    observed_at: datetime
    tps_id: int | None
    place: Place
    lat: float | None
    lon: float | None
    people_count: int | None
    ballot_count: int | None
    channel: str
    reporter_name: str
    reporter_phone: str
    reporter_nik: str
    needs_verification: bool


def clean_text(value: str) -> str:
    """Strip control characters (but keep newlines) and surrounding space. HTML is kept and escaped on output."""
    return _CONTROL.sub("", value).strip()


def content_digest(fields: Mapping[str, Any]) -> str:
    """SHA-256 of the normalised content (all wire fields but the UUID), the replay comparison."""
    return hashlib.sha256(orjson.dumps(dict(fields), option=orjson.OPT_SORT_KEYS)).hexdigest()


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)


def _int_or_problem(raw: Mapping[str, Any], name: str, problems: list[FieldProblem]) -> int | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        problems.append(FieldProblem(name, "harus bilangan bulat", str(value)[:40]))
        return None
    try:
        number = int(value)
    except ValueError:
        problems.append(FieldProblem(name, "harus bilangan bulat", str(value)[:40]))
        return None
    if number < 0 or number > 10_000_000:
        problems.append(FieldProblem(name, "di luar batas wajar (0–10.000.000)", str(value)[:40]))
        return None
    return number


def _text(raw: Mapping[str, Any], name: str, limit: int, problems: list[FieldProblem], *, required: bool) -> str:
    value = raw.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(FieldProblem(name, "harus teks"))
        return ""
    text = clean_text(value)
    if required and not text:
        problems.append(FieldProblem(name, "wajib diisi"))
    if len(text) > limit:
        problems.append(FieldProblem(name, f"terlalu panjang: {len(text)} karakter, paling banyak {limit}"))
    return text


def submission_validate(
    raw: Mapping[str, Any],
    *,
    actor: Actor,
    taxonomy: Taxonomy,
    limits: IntakeLimits,
    gazetteer: Gazetteer,
    now: datetime,
) -> Submission:
    """Check and normalise one report; every problem found is reported at once."""
    problems: list[FieldProblem] = []
    if not isinstance(raw, Mapping):
        raise ValidationFailed("laporan harus berupa objek JSON")
    unknown = sorted(set(raw) - set(WIRE_FIELDS))
    if unknown:
        problems.append(FieldProblem(unknown[0], f"kolom tidak dikenal: {', '.join(unknown)}"))

    try:
        report_uuid = uuidlib.UUID(str(raw.get("uuid", "")))
    except ValueError:
        problems.append(FieldProblem("uuid", "wajib UUID buatan perangkat (mis. crypto.randomUUID())"))
        report_uuid = uuidlib.UUID(int=0)

    kind_code = raw.get("kind")
    kind = taxonomy.kinds.get(kind_code) if isinstance(kind_code, str) else None
    if kind is None:
        problems.append(
            FieldProblem("kind", f"jenis tidak dikenal; pilih salah satu: {', '.join(taxonomy.kinds)}", str(kind_code))
        )

    crowd_level = raw.get("crowd_level") or ""
    if crowd_level and (crowd_level not in taxonomy.crowd_levels or (kind is not None and not kind.crowd_levels)):
        problems.append(FieldProblem("crowd_level", "tingkat massa hanya hijau/kuning/merah untuk jenis bentrok"))
        crowd_level = ""

    severity_raw = raw.get("severity")
    if severity_raw in (None, ""):
        severity = kind.default_severity if kind else 1
    elif isinstance(severity_raw, int) and not isinstance(severity_raw, bool) and 1 <= severity_raw <= 4:
        severity = severity_raw
    elif isinstance(severity_raw, str) and severity_raw in {"1", "2", "3", "4"}:
        severity = int(severity_raw)
    else:
        problems.append(FieldProblem("severity", "tingkat keparahan 1 (info) sampai 4 (kritis)", str(severity_raw)))
        severity = 1
    if crowd_level:
        # A crowd level implies a floor on severity (merah is always critical).
        severity = max(severity, taxonomy.crowd_levels[crowd_level].min_severity)

    classification = raw.get("classification") or (kind.classification if kind else "internal")
    if classification not in CLASSIFICATIONS:
        problems.append(FieldProblem("classification", f"klasifikasi: {', '.join(CLASSIFICATIONS)}"))
        classification = "internal"
    if actor.user_id is None:
        classification = "public"  # an outside sender cannot classify; the lead agency can reclassify later

    title = _text(raw, "title", limits.title_max_chars, problems, required=False)
    description = _text(raw, "description", limits.description_max_chars, problems, required=True)
    reporter_name = _text(raw, "reporter_name", limits.name_max_chars, problems, required=False)
    reporter_phone = _text(raw, "reporter_phone", 32, problems, required=False).replace(" ", "").replace("-", "")
    if reporter_phone and not _PHONE.match(reporter_phone):
        problems.append(FieldProblem("reporter_phone", "nomor telepon: 6–15 angka, boleh diawali +"))
    reporter_nik = _text(raw, "reporter_nik", 16, problems, required=False)
    if reporter_nik and not _NIK.match(reporter_nik):
        problems.append(FieldProblem("reporter_nik", "NIK terdiri dari 16 angka"))

    observed_given = raw.get("observed_at") not in (None, "")
    observed_at = _parse_time(raw.get("observed_at")) if observed_given else now
    if observed_at is None:
        problems.append(FieldProblem("observed_at", "waktu ISO 8601 dengan zona, mis. 2024-02-14T09:30:00+07:00"))
        observed_at = now
    elif observed_at > now + timedelta(seconds=limits.future_tolerance_seconds):
        problems.append(FieldProblem("observed_at", "waktu kejadian di masa depan", raw.get("observed_at")))
    elif observed_at < now - timedelta(days=limits.max_age_days):
        problems.append(FieldProblem("observed_at", f"lebih dari {limits.max_age_days} hari yang lalu"))

    people_count = _int_or_problem(raw, "people_count", problems)
    ballot_count = _int_or_problem(raw, "ballot_count", problems)

    lat, lon = raw.get("lat"), raw.get("lon")
    point: tuple[float, float] | None = None
    if lat not in (None, "") or lon not in (None, ""):
        try:
            flat, flon = float(lat), float(lon)  # type: ignore[arg-type]
            if not (math.isfinite(flat) and math.isfinite(flon) and -90 <= flat <= 90 and -180 <= flon <= 180):
                raise ValueError
            point = (round(flat, 6), round(flon, 6))
        except (TypeError, ValueError):
            problems.append(FieldProblem("lat", "koordinat harus pasangan lintang/bujur yang sah"))

    tps_ref: TpsRef | None = None
    region_ref: RegionRef | None = None
    tps_code = raw.get("tps")
    region_code = raw.get("region")
    if tps_code:
        code = normalise(str(tps_code))[:40]
        tps_ref = gazetteer.tps(code)
        if tps_ref is None:
            near = gazetteer.suggest(code)
            hint = f"; mungkin maksud Anda: {', '.join(near)}" if near else ""
            problems.append(FieldProblem("tps", f"kode TPS '{code}' tidak dikenal{hint}", code))
    elif region_code:
        code = normalise(str(region_code))[:20]
        region_ref = gazetteer.region(code)
        if region_ref is None:
            near = gazetteer.suggest(code)
            hint = f"; mungkin maksud Anda: {', '.join(near)}" if near else ""
            problems.append(FieldProblem("region", f"kode wilayah '{code}' tidak dikenal{hint}", code))
    elif point is not None:
        region_ref = gazetteer.locate(*point)
        if region_ref is None:
            problems.append(FieldProblem("lat", "koordinat di luar wilayah kabupaten yang dilayani", f"{point}"))
    elif not problems or all(p.field not in ("tps", "region", "lat") for p in problems):
        problems.append(FieldProblem("tps", "sebutkan tempat: kode TPS, kode wilayah, atau koordinat"))

    place = Place(None, None, None, None)
    voters = 0
    if tps_ref is not None:
        place = Place(tps_ref.village_id, tps_ref.district_id, tps_ref.regency_id, tps_ref.province_id)
        voters = tps_ref.voters_total
        if point is None and tps_ref.lat is not None and tps_ref.lon is not None:
            point = (tps_ref.lat, tps_ref.lon)
        elif point is not None and not gazetteer.inside_regency(tps_ref.regency_id, *point):
            problems.append(FieldProblem("lat", "koordinat di luar kabupaten TPS ini", f"{point}"))
    elif region_ref is not None:
        place = Place(region_ref.village_id, region_ref.district_id, region_ref.regency_id, region_ref.province_id)
        voters = region_ref.voters_total if region_ref.level == "village" else 0
        if (
            point is not None
            and region_ref.regency_id
            and region_code
            and not gazetteer.inside_regency(region_ref.regency_id, *point)
        ):
            problems.append(FieldProblem("lat", "koordinat di luar kabupaten wilayah ini", f"{point}"))

    if voters > 0 and tps_ref is not None:
        if people_count is not None and people_count > voters:
            problems.append(
                FieldProblem("people_count", f"{people_count} orang melebihi jumlah pemilih TPS ini ({voters})")
            )
        ballot_limit = math.ceil(voters * (1 + BALLOT_RESERVE))
        if ballot_count is not None and ballot_count > ballot_limit:
            problems.append(
                FieldProblem(
                    "ballot_count",
                    f"{ballot_count} surat suara melebihi jatah TPS ini ({ballot_limit} = DPT + 2%, "
                    "UU 7/2017 Pasal 350 ayat 3)",
                )
            )

    if actor.channel not in CHANNELS:
        problems.append(FieldProblem("channel", "saluran tidak dikenal"))
    if problems:
        raise ValidationFailed("laporan tidak dapat diterima", problems)
    assert kind is not None
    fields = {
        "kind": kind.code,
        "severity": severity,
        "crowd_level": crowd_level,
        "classification": classification,
        "tps": tps_ref.code if tps_ref else "",
        "region": region_ref.code if region_ref and not tps_ref else "",
        "lat": point[0] if point else None,
        "lon": point[1] if point else None,
        # "now" when not given: left out of the digest, or a replay a minute later would look different.
        "observed_at": observed_at.isoformat(timespec="seconds") if observed_given else "",
        "title": title,
        "description": description,
        "people_count": people_count,
        "ballot_count": ballot_count,
        "reporter_name": reporter_name,
        "reporter_phone": reporter_phone,
        "reporter_nik": reporter_nik,
    }
    return Submission(
        uuid=report_uuid,
        digest=content_digest(fields),
        kind=kind.code,
        crowd_level=crowd_level,
        severity=severity,
        classification=classification,
        title=title,
        description=description,
        observed_at=observed_at,
        tps_id=tps_ref.id if tps_ref else None,
        place=place,
        lat=point[0] if point else None,
        lon=point[1] if point else None,
        people_count=people_count,
        ballot_count=ballot_count,
        channel=actor.channel,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        reporter_nik=reporter_nik,
        needs_verification=not actor.trusted,
    )
