"""The calendar data matches shared/DOMAIN.md §3, loads idempotently, and agency events refuse bad input."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from linsek.coord.calendar_grid import local_date
from linsek.coord.ical import IcsEntry, ics_render
from linsek.coord.models import CalendarEvent
from linsek.coord.rules import RuleError, calendar_file, calendar_parse, task_catalogue
from linsek.coord.selectors import calendar_entries, stages_next, stages_on, upcoming_entries
from linsek.coord.services import EventInput, calendar_load, event_create
from linsek.core.errors import ValidationFailed

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2024, 2, 10, 9, 0, tzinfo=WIB)

# shared/DOMAIN.md §3, written out by hand: (code, first day, last day)
DOMAIN_3 = [
    ("operasi_mantap_brata", "2023-10-19", "2024-10-20"),
    ("pencalonan_presiden", "2023-10-19", "2023-11-25"),
    ("kampanye", "2023-11-28", "2024-02-10"),
    ("masa_tenang", "2024-02-11", "2024-02-13"),
    ("pemungutan_suara", "2024-02-14", "2024-02-14"),
    ("penghitungan_suara", "2024-02-14", "2024-02-15"),
    ("rekap_kecamatan", "2024-02-15", "2024-03-02"),
    ("rekap_kabupaten", "2024-02-17", "2024-03-05"),
    ("rekap_provinsi", "2024-02-19", "2024-03-10"),
    ("rekap_nasional", "2024-02-22", "2024-03-20"),
    ("penetapan_hasil_nasional", "2024-03-20", "2024-03-20"),
    ("putusan_mk", "2024-04-22", "2024-04-22"),
    ("penetapan_presiden_terpilih", "2024-04-24", "2024-04-24"),
    ("sumpah_dpr_dpd", "2024-10-01", "2024-10-01"),
    ("pelantikan_presiden", "2024-10-20", "2024-10-20"),
    ("logistik_ppk_karimunjawa", "2024-02-03", "2024-02-03"),
    ("logistik_kpu_ppk", "2024-02-08", "2024-02-10"),
    ("logistik_ppk_pps", "2024-02-11", "2024-02-12"),
    ("logistik_pps_tps", "2024-02-13", "2024-02-13"),
]


@pytest.mark.parametrize(("code", "first", "last"), DOMAIN_3)
def test_calendar_file_matches_domain(code: str, first: str, last: str) -> None:
    stage = calendar_file("pemilu2024").stage(code)
    assert (stage.start, stage.end) == (date.fromisoformat(first), date.fromisoformat(last))
    assert stage.source


def test_every_stage_brings_known_security_tasks() -> None:
    tasks = task_catalogue().tasks
    for stage in calendar_file("pemilu2024").stages:
        assert stage.tasks, stage.code
        assert all(t in tasks for t in stage.tasks)


def test_calendar_parse_refuses_a_stage_ending_before_it_starts() -> None:
    doc = {
        "code": "x",
        "version": "1",
        "name_id": "x",
        "name_en": "x",
        "time_zone": "Asia/Jakarta",
        "source": "s",
        "stages": [
            {
                "code": "a_b",
                "kind": "tahapan",
                "name_id": "a",
                "name_en": "a",
                "start": "2024-02-14",
                "end": "2024-02-13",
                "source": "s",
            }
        ],
    }
    with pytest.raises(RuleError, match="ends"):
        calendar_parse(doc, task_catalogue(), name="x.json")


@pytest.mark.django_db
def test_load_creates_all_day_stages_in_local_time_and_is_idempotent(jepara_small: Any) -> None:
    first = calendar_load(now=NOW)
    # Jepara regency and Karimunjawa exist in the small fixture: every stage loads
    assert first.created == len(calendar_file("pemilu2024").stages) and not first.skipped
    again = calendar_load(now=NOW + timedelta(hours=1))
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    voting = CalendarEvent.objects.get(code="pemungutan_suara")
    assert voting.all_day
    assert voting.starts_at == datetime(2024, 2, 14, tzinfo=WIB)
    assert voting.ends_at == datetime(2024, 2, 15, tzinfo=WIB)
    kj = CalendarEvent.objects.get(code="logistik_ppk_karimunjawa")
    assert kj.region == jepara_small.karimunjawa


@pytest.mark.django_db
def test_stage_now_and_next(jepara_small: Any) -> None:
    calendar_load(now=NOW)
    on_voting_day = {s.code for s in stages_on(date(2024, 2, 14), region=jepara_small.regency)}
    assert on_voting_day == {"operasi_mantap_brata", "pemungutan_suara", "penghitungan_suara"}
    nxt = stages_next(date(2024, 2, 14), region=jepara_small.regency)
    assert nxt[0].starts_at == datetime(2024, 2, 15, tzinfo=WIB)
    assert "rekap_kecamatan" in {s.code for s in nxt if s.starts_at == nxt[0].starts_at}
    # Karimunjawa's logistics run shows for the regency and the district, not for another district
    assert "logistik_ppk_karimunjawa" in {s.code for s in stages_on(date(2024, 2, 3), region=jepara_small.regency)}
    assert "logistik_ppk_karimunjawa" not in {s.code for s in stages_on(date(2024, 2, 3), region=jepara_small.mayong)}


def _rally(**over: Any) -> EventInput:
    base: dict[str, Any] = {
        "title": "Kampanye rapat umum Partai A",
        "event_type": "rapat_umum",
        "starts_at": datetime(2024, 1, 20, 8, 0, tzinfo=WIB),
        "ends_at": datetime(2024, 1, 20, 12, 0, tzinfo=WIB),
        "place": "Stadion Gelora Bumi Kartini",
        "expected_crowd": 5000,
        "permit_number": "STTP/12/I/2024",
    }
    base.update(over)
    return EventInput(**base)


@pytest.mark.django_db
def test_event_ending_before_it_starts_is_refused_and_nothing_saved(jepara_small: Any) -> None:
    user = jepara_small.users["command"]
    with pytest.raises(ValidationFailed) as info:
        event_create(actor=user, data=_rally(ends_at=datetime(2024, 1, 20, 7, 0, tzinfo=WIB)), now=NOW)
    assert [p.field for p in info.value.problems] == ["ends_at"]
    assert "sebelum waktu mulai" in info.value.problems[0].message
    assert not CalendarEvent.objects.filter(kind="instansi").exists()


@pytest.mark.django_db
def test_agency_event_with_units_shows_in_week_and_next_seven_days(jepara_small: Any) -> None:
    user = jepara_small.users["command"]
    calendar_load(now=NOW)
    event = event_create(
        actor=user,
        data=_rally(
            region=jepara_small.mayong,
            starts_at=datetime(2024, 2, 9, 8, 0, tzinfo=WIB),
            ends_at=datetime(2024, 2, 9, 12, 0, tzinfo=WIB),
            unit_ids=[jepara_small.polsek_mayong.pk],
        ),
        now=NOW - timedelta(days=3),
    )
    assert list(event.units.all()) == [jepara_small.polsek_mayong]
    assert "pengamanan_kampanye" in event.security_tasks
    assert event.organiser == jepara_small.polres
    upcoming = upcoming_entries(user, now=datetime(2024, 2, 8, 7, 0, tzinfo=WIB))
    titles = [e.title for e in upcoming]
    assert "Kampanye rapat umum Partai A" in titles
    assert "Masa tenang" in titles  # starts 11 Feb, inside the week
    assert "Operasi Mantap Brata Candi 2023-2024" not in titles  # running all year: not news this week
    # the viewer of another area (Karimunjawa's Polsek would be) does not see Mayong's rally
    entries = calendar_entries(
        jepara_small.users["viewer"], start=datetime(2024, 2, 9, tzinfo=WIB), end=datetime(2024, 2, 10, tzinfo=WIB)
    )
    assert any(e.title.startswith("Kampanye rapat") for e in entries)  # Panwascam Mayong covers Mayong


def test_ics_all_day_end_is_exclusive_and_timed_is_utc() -> None:
    from icalendar import Calendar

    start = datetime(2024, 2, 14, tzinfo=WIB)
    data = ics_render(
        [
            IcsEntry(
                "a", "Pemungutan suara", start, start + timedelta(days=1), True, date(2024, 2, 14), date(2024, 2, 14)
            ),
            IcsEntry(
                "b",
                "Rakor",
                datetime(2023, 10, 13, 9, tzinfo=WIB),
                datetime(2023, 10, 13, 12, tzinfo=WIB),
                False,
                date(2023, 10, 13),
                date(2023, 10, 13),
                place="Pendopo R.A. Kartini",
            ),
        ],
        name="linsek",
        now=NOW,
    )
    cal = Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert events[0].decoded("dtstart") == date(2024, 2, 14) and events[0].decoded("dtend") == date(2024, 2, 15)
    assert local_date(events[1].decoded("dtstart"), "Asia/Jakarta") == date(2023, 10, 13)
    assert str(events[1]["location"]) == "Pendopo R.A. Kartini"


@pytest.mark.django_db
def test_calendar_command_loads_and_reports_skipped_regions(db: Any) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("calendar", "load", stdout=out)
    assert "new" in out.getvalue() and "skipped" in out.getvalue()  # no Jepara in an empty registry
    assert CalendarEvent.objects.filter(code="pemungutan_suara", region__isnull=True).exists()
    assert not CalendarEvent.objects.filter(code="logistik_kpu_ppk").exists()
