"""The demo: the 2023-24 calendar, the 13 Oct 2023 Rakor Linsek at Pendopo R.A. Kartini with attendees,
presentations, decisions and action items, and today's situation report as PDF and XLSX."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest

from linsek.coord.demo import RAKOR_AT, coord_demo_load
from linsek.coord.models import CalendarEvent, Meeting
from linsek.coord.rules import calendar_file
from linsek.coord.tests.conftest import WIB

pytestmark = pytest.mark.django_db
NOW = datetime(2024, 2, 14, 9, 0, tzinfo=WIB)


def test_demo_records_the_rakor_and_the_calendar(settings: Any, tmp_path: Any) -> None:
    from pypdf import PdfReader

    from linsek.demo.jepara import demo_load

    settings.MEDIA_ROOT = tmp_path
    demo_load(districts=["33.20.04", "33.20.10"], now=NOW)
    summary = coord_demo_load(now=NOW)
    assert summary.calendar_stages == len(calendar_file("pemilu2024").stages) and not summary.skipped
    assert CalendarEvent.objects.filter(code="pemungutan_suara").exists()

    rakor = Meeting.objects.get(starts_at=RAKOR_AT)
    assert rakor.place == "Pendopo R.A. Kartini, Jepara" and rakor.status == "held"
    assert rakor.chair_person is not None and rakor.chair_person.organisation.type_id == "polres"
    invited = set(rakor.invitations.values_list("organisation__type_id", flat=True))
    assert {"polres", "kodim", "kpu_kab", "bawaslu_kab", "pemkab", "kejari"} <= invited
    present = rakor.invitations.filter(attendance="present")
    assert present.count() >= 6 and all(i.attendees.exists() or i.attendee_names for i in present)
    decks = list(rakor.presentations.all())
    assert len(decks) == 3
    for deck in decks:
        assert len(PdfReader(io.BytesIO(deck.file.read())).pages) == 1
    assert rakor.decisions.count() == 4 and rakor.action_items.count() == 5
    assert rakor.action_items.filter(status="done").count() == 2

    follow_up = Meeting.objects.exclude(pk=rakor.pk).get()
    carried = follow_up.agenda_items.filter(kind="carried")
    assert carried.count() == 3 and carried.filter(overdue=True).count() == 3

    again = coord_demo_load(now=NOW)
    assert again.meetings == [rakor.pk] and Meeting.objects.count() == 2

    # today's situation report downloads as PDF and XLSX
    from openpyxl import load_workbook

    from linsek.regions.models import Region
    from linsek.reports.services import rendition_get, sitrep_generate

    report = sitrep_generate(actor=None, region=Region.objects.get(code="33.20"), date_from=NOW.date(), now=NOW)
    pdf = rendition_get(report=report, fmt="pdf", language="id", now=NOW).file.read()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Pemungutan suara" in text and "Sementara" in text  # the day is not over yet
    wb = load_workbook(io.BytesIO(rendition_get(report=report, fmt="xlsx", language="id", now=NOW).file.read()))
    assert "Tindak lanjut rapat" in wb.sheetnames
