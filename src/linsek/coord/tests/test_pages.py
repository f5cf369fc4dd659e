"""The coordination pages through the test client: every page renders, forms keep input on errors, uploads
are served only through the permission check, the iCalendar export parses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from linsek.coord.demo import simple_pdf
from linsek.coord.models import ActionItem, Meeting
from linsek.coord.services import ActionInput, action_item_add, calendar_load, presentation_upload
from linsek.coord.tests.conftest import WIB
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def outsider(jepara_small: Any) -> Any:
    """A liaison of an organisation in another regency (Kudus): sees none of Jepara's meetings."""
    from linsek.regions.models import Region

    kudus = Region.objects.create(
        code="33.19", name="Kudus", level="regency", kind="kabupaten", parent=jepara_small.province
    )
    org = OrganisationFactory.create(code="kpu-kudus", name="KPU Kudus", type_id="kpu_kab")
    org.jurisdiction.set([kudus])
    person = PersonFactory.create(organisation=org, full_name="Petugas Kudus")
    return UserFactory.create(username="kudus", person=person, organisation=org, role_codes=["liaison"])


def test_every_page_renders_for_command(jepara_small: Any, rakor: Meeting) -> None:
    calendar_load(now=datetime(2024, 1, 1, tzinfo=WIB))
    c = _client(jepara_small.users["command"])
    item = action_item_add(
        actor=jepara_small.users["command"],
        meeting=rakor,
        data=ActionInput("Jadwal logistik", jepara_small.polres, rakor.starts_at.date()),
        now=rakor.starts_at,
    )
    urls = [
        reverse("coord:home"),
        reverse("coord:calendar") + "?view=month&d=2024-02-14",
        reverse("coord:calendar") + "?view=week&d=2024-02-14",
        reverse("coord:calendar") + "?view=agenda&d=2024-02-10",
        reverse("coord:matrix"),
        reverse("coord:meetings"),
        reverse("coord:meeting-new"),
        reverse("coord:meeting", args=[rakor.pk]),
        reverse("coord:actions"),
        reverse("coord:actions") + "?overdue=1&mine=1",
        reverse("coord:action", args=[item.pk]),
        reverse("coord:event-new"),
    ]
    for url in urls:
        response = c.get(url)
        assert response.status_code == 200, url
    month = c.get(reverse("coord:calendar") + "?view=month&d=2024-02-14").content.decode()
    assert "Pemungutan suara" in month and "Masa tenang" in month


def test_meeting_of_another_regency_is_not_found(jepara_small: Any, rakor: Meeting, outsider: Any) -> None:
    c = _client(outsider)
    assert c.get(reverse("coord:meeting", args=[rakor.pk])).status_code == 404
    assert rakor.title not in c.get(reverse("coord:meetings")).content.decode()


def test_action_form_error_keeps_the_input(jepara_small: Any, rakor: Meeting) -> None:
    c = _client(jepara_small.users["command"])
    response = c.post(
        reverse("coord:meeting-action", args=[rakor.pk]),
        {"title": "Susun rencana pengawalan logistik", "owner_org": "", "due_date": "2023-10-01"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Susun rencana pengawalan logistik" in html  # what was typed is still there
    assert "instansi penanggung jawab" in html and "tidak boleh sebelum tanggal rapat" in html
    assert not ActionItem.objects.exists()


def test_meeting_flow_through_the_forms(jepara_small: Any) -> None:
    c = _client(jepara_small.users["command"])
    response = c.post(
        reverse("coord:meeting-new"),
        {
            "title": "Rakor Linsek",
            "kind": "rakor_linsek",
            "starts_at": "2023-10-13T09:00",
            "place": "Pendopo R.A. Kartini",
            "region": jepara_small.regency.pk,
            "organiser": jepara_small.polres.pk,
            "invited": [jepara_small.polres.pk, jepara_small.polsek_mayong.pk],
            "agenda": "Pembukaan\nPaparan",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("coord:meeting", args=[meeting.pk])
    assert meeting.starts_at == datetime(2023, 10, 13, 9, 0, tzinfo=WIB)
    r = c.post(
        reverse("coord:meeting-decision", args=[meeting.pk]),
        {"text": "Kalender bersama", "binds": [jepara_small.polres.pk]},
    )
    assert r.status_code == 302
    r = c.post(
        reverse("coord:meeting-action", args=[meeting.pk]),
        {
            "title": "Jadwal logistik",
            "owner_org": jepara_small.polsek_mayong.pk,
            "due_date": "2023-10-27",
            "decision": str(meeting.decisions.get().pk),
        },
    )
    assert r.status_code == 302
    item = ActionItem.objects.get()
    assert item.decision is not None and item.owner_org == jepara_small.polsek_mayong
    # the Polsek's own officer may update it; the Panwascam's viewer may not
    officer = _client(jepara_small.users["area_officer"])
    r = officer.post(reverse("coord:action", args=[item.pk]), {"status": "done", "evidence": ""})
    assert r.status_code == 200 and "bukti" in r.content.decode()
    r = officer.post(reverse("coord:action", args=[item.pk]), {"status": "done", "evidence": "Surat B/1/X/2023"})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.status == "done"
    assert (
        _client(jepara_small.users["viewer"])
        .post(reverse("coord:action", args=[item.pk]), {"status": "open"})
        .status_code
        == 403
    )


def test_presentation_is_served_only_after_the_check(
    jepara_small: Any, rakor: Meeting, outsider: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = presentation_upload(
        actor=jepara_small.users["command"],
        meeting=rakor,
        organisation=jepara_small.polres,
        title="Kesiapan Ops",
        upload=SimpleUploadedFile("a.pdf", simple_pdf("Kesiapan", ["x"])),
        now=rakor.starts_at,
    )
    url = reverse("coord:presentation", args=[rakor.pk, item.pk])
    response = _client(jepara_small.users["area_officer"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"] and response["X-Content-Type-Options"] == "nosniff"
    assert _client(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    # the file is not under the static root and has no public URL of its own
    assert str(tmp_path) in item.file.path


def test_upload_form_refuses_a_forbidden_type(jepara_small: Any, rakor: Meeting, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = _client(jepara_small.users["command"])
    response = c.post(
        reverse("coord:meeting-upload", args=[rakor.pk]),
        {
            "organisation": jepara_small.polres.pk,
            "title": "Skrip",
            "file": SimpleUploadedFile("paparan.pdf", b"#!/bin/sh\necho hi\n"),
        },
    )
    assert response.status_code == 200
    assert "bukan PDF atau PPTX" in response.content.decode()


def test_ics_export_parses_and_carries_the_stages(jepara_small: Any) -> None:
    from icalendar import Calendar

    calendar_load(now=datetime(2024, 1, 1, tzinfo=WIB))
    response = _client(jepara_small.users["viewer"]).get(reverse("coord:ics") + "?all=1")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    titles = {str(e["summary"]) for e in cal.walk("VEVENT")}
    assert {"Pemungutan suara", "Masa tenang", "Operasi Mantap Brata Candi 2023-2024"} <= titles


def test_event_form_rejects_end_before_start_and_keeps_input(jepara_small: Any) -> None:
    c = _client(jepara_small.users["area_officer"])
    response = c.post(
        reverse("coord:event-new"),
        {
            "title": "Nobar debat",
            "event_type": "nobar_debat",
            "starts_at": "2024-01-07T19:00",
            "ends_at": "2024-01-07T18:00",
            "place": "Balai Desa Pelemkerep",
            "expected_crowd": "300",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Balai Desa Pelemkerep" in html and "sebelum waktu mulai" in html
