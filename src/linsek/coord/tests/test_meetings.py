"""Meetings: decisions, action items and their bad input, carry-over along a series, uploads."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from linsek.audit.models import AuditEvent
from linsek.coord.demo import simple_pdf
from linsek.coord.models import ActionItem, AgendaItem, Meeting, Presentation
from linsek.coord.services import (
    ActionInput,
    action_item_add,
    action_item_set_status,
    attendance_record,
    decision_add,
    presentation_upload,
)
from linsek.coord.tests.conftest import WIB, make_meeting
from linsek.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db
LATER = datetime(2023, 10, 13, 12, 0, tzinfo=WIB)


def _item(small: Any, meeting: Meeting, title: str, due: date, **over: Any) -> ActionItem:
    data = ActionInput(title=title, owner_org=small.polres, due_date=due)
    for k, v in over.items():
        setattr(data, k, v)
    return action_item_add(actor=small.users["command"], meeting=meeting, data=data, now=LATER)


def test_decisions_are_numbered_and_bind_organisations(jepara_small: Any, rakor: Meeting) -> None:
    user = jepara_small.users["command"]
    first = decision_add(
        actor=user, meeting=rakor, text="Kalender bersama", binds_ids=[jepara_small.polres.pk], now=LATER
    )
    second = decision_add(
        actor=user,
        meeting=rakor,
        text="Peta rawan",
        binds_ids=[jepara_small.polres.pk, jepara_small.polsek_mayong.pk],
        now=LATER,
    )
    assert (first.number, second.number) == (1, 2)
    assert set(second.binds.values_list("code", flat=True)) == {"polres-jepara", "polsek-mayong"}
    with pytest.raises(ValidationFailed) as info:
        decision_add(actor=user, meeting=rakor, text="Tanpa instansi", binds_ids=[], now=LATER)
    assert info.value.problems[0].field == "binds"
    assert AuditEvent.objects.filter(action="coord.decision.add").count() == 2


def test_action_item_without_owner_is_refused_with_a_clear_message(jepara_small: Any, rakor: Meeting) -> None:
    with pytest.raises(ValidationFailed) as info:
        _item(jepara_small, rakor, "Tanpa pemilik", date(2023, 10, 20), owner_org=None)
    assert [p.field for p in info.value.problems] == ["owner_org"]
    assert "penanggung jawab" in info.value.problems[0].message
    assert not ActionItem.objects.exists()


def test_due_date_before_the_meeting_is_refused(jepara_small: Any, rakor: Meeting) -> None:
    with pytest.raises(ValidationFailed) as info:
        _item(jepara_small, rakor, "Mundur", date(2023, 10, 12))
    problem = info.value.problems[0]
    assert problem.field == "due_date" and "2023-10-13" in problem.message
    # the meeting's own day is fine
    assert _item(jepara_small, rakor, "Hari ini", date(2023, 10, 13)).number == 1


def test_owner_person_must_belong_to_owner_organisation(jepara_small: Any, rakor: Meeting) -> None:
    stranger = jepara_small.users["viewer"].person  # Panwascam Mayong
    with pytest.raises(ValidationFailed) as info:
        _item(jepara_small, rakor, "PIC salah", date(2023, 10, 20), owner_person=stranger)
    assert info.value.problems[0].field == "owner_person"


def test_done_needs_evidence_and_dropped_needs_reason(jepara_small: Any, rakor: Meeting) -> None:
    user = jepara_small.users["command"]
    item = _item(jepara_small, rakor, "Susun rencana", date(2023, 10, 20))
    with pytest.raises(ValidationFailed, match="bukti"):
        action_item_set_status(actor=user, item=item, status="done", now=LATER)
    with pytest.raises(ValidationFailed, match="alasan"):
        action_item_set_status(actor=user, item=item, status="dropped", now=LATER)
    item = action_item_set_status(actor=user, item=item, status="in_progress", now=LATER)
    item = action_item_set_status(actor=user, item=item, status="done", evidence="Surat B/123/X/2023", now=LATER)
    assert item.status == "done" and item.closed_at == LATER and item.evidence == "Surat B/123/X/2023"
    assert [e.to_status for e in item.events.all()] == ["open", "in_progress", "done"]


def test_open_and_overdue_items_carry_into_the_next_meeting_and_leave_when_done(
    jepara_small: Any, rakor: Meeting
) -> None:
    user = jepara_small.users["command"]
    overdue = _item(jepara_small, rakor, "Jadwal logistik", date(2023, 10, 27))
    later = _item(jepara_small, rakor, "Rencana Karimunjawa", date(2023, 12, 30))
    done = _item(jepara_small, rakor, "Sudah beres", date(2023, 10, 20))
    action_item_set_status(actor=user, item=done, status="done", evidence="ok", now=LATER)
    dropped = _item(jepara_small, rakor, "Tidak jadi", date(2023, 10, 20))
    action_item_set_status(actor=user, item=dropped, status="dropped", reason="digabung", now=LATER)

    nxt = make_meeting(jepara_small, at=datetime(2023, 11, 22, 9, 0, tzinfo=WIB), title="Rakor 2")
    carried = {a.action_item_id: a.overdue for a in nxt.agenda_items.filter(kind=AgendaItem.Kind.CARRIED)}
    assert carried == {overdue.pk: True, later.pk: False}

    # an item created later in the first meeting also reaches the planned next agenda
    extra = _item(jepara_small, rakor, "Tambahan", date(2023, 11, 1))
    assert nxt.agenda_items.filter(action_item=extra).exists()

    # done: it leaves the planned agenda
    action_item_set_status(
        actor=user, item=overdue, status="done", evidence="Surat KPU", now=LATER + timedelta(days=20)
    )
    assert not nxt.agenda_items.filter(action_item=overdue).exists()

    # the next meeting is held: its agenda is history; the third meeting carries what is still open
    nxt.status = Meeting.Status.HELD
    nxt.save()
    third = make_meeting(jepara_small, at=datetime(2024, 1, 10, 9, 0, tzinfo=WIB), title="Rakor 3")
    assert set(third.agenda_items.filter(kind="carried").values_list("action_item_id", flat=True)) == {
        later.pk,
        extra.pk,
    }
    action_item_set_status(actor=user, item=later, status="done", evidence="x", now=datetime(2024, 1, 5, tzinfo=WIB))
    assert nxt.agenda_items.filter(action_item=later).exists()  # held meeting unchanged
    assert not third.agenda_items.filter(action_item=later).exists()


def test_another_series_does_not_receive_the_items(jepara_small: Any, rakor: Meeting) -> None:
    _item(jepara_small, rakor, "Jadwal logistik", date(2023, 10, 27))
    other = make_meeting(jepara_small, at=datetime(2023, 11, 22, 9, 0, tzinfo=WIB), title="Gakkumdu", kind="gakkumdu")
    assert not other.agenda_items.filter(kind="carried").exists()


def test_attendance_records_who_came(jepara_small: Any, rakor: Meeting) -> None:
    person = jepara_small.users["command"].person
    inv = attendance_record(
        actor=jepara_small.users["command"],
        meeting=rakor,
        organisation=jepara_small.polres,
        attendance="present",
        person_ids=[person.pk],
        names="Tamu dari Polda",
        now=LATER,
    )
    assert list(inv.attendees.all()) == [person] and inv.attendee_names == "Tamu dari Polda"
    rakor.refresh_from_db()
    assert rakor.status == "held"
    with pytest.raises(ValidationFailed):
        attendance_record(
            actor=jepara_small.users["command"],
            meeting=rakor,
            organisation=jepara_small.polsek_mayong,
            attendance="present",
            now=LATER,
        )


def _upload(data: bytes, name: str = "paparan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _pptx(*, macro: bool = False) -> bytes:
    import io
    import zipfile

    main = (
        "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"
        if macro
        else "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "[Content_Types].xml", f'<Types><Override PartName="/ppt/presentation.xml" ContentType="{main}"/></Types>'
        )
        z.writestr("ppt/presentation.xml", "<p:presentation/>")
        z.writestr("ppt/slides/slide1.xml", "<p:sld/>")
        z.writestr("ppt/slides/slide2.xml", "<p:sld/>")
    return buf.getvalue()


def test_presentation_type_is_read_from_content_and_stored_under_a_generated_name(
    jepara_small: Any, rakor: Meeting, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    user = jepara_small.users["command"]
    pdf = presentation_upload(
        actor=user,
        meeting=rakor,
        organisation=jepara_small.polres,
        title="Kesiapan",
        upload=_upload(simple_pdf("Kesiapan", ["baris 1"]), "../../etc/passwd.exe"),
        now=LATER,
    )
    assert pdf.content_type == "application/pdf" and pdf.pages == 1
    assert pdf.file.name == f"coord/presentations/{rakor.uuid}/{pdf.uuid}.pdf"
    assert (tmp_path / pdf.file.name).exists()
    pptx = presentation_upload(
        actor=user,
        meeting=rakor,
        organisation=jepara_small.polres,
        title="",
        upload=_upload(_pptx(), "deck.pdf"),
        now=LATER,
    )
    assert pptx.extension == ".pptx" and pptx.pages == 2


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"MZ\x90\x00 not a document", "bukan PDF atau PPTX"),
        (b"%PDF-1.4 broken", "PDF rusak"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old ppt", "PPT lama"),
        (None, "bermakro"),
    ],
)
def test_forbidden_types_are_refused_and_nothing_is_stored(
    jepara_small: Any, rakor: Meeting, settings: Any, tmp_path: Any, data: bytes | None, fragment: str
) -> None:
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationFailed, match=fragment):
        presentation_upload(
            actor=jepara_small.users["command"],
            meeting=rakor,
            organisation=jepara_small.polres,
            title="x",
            upload=_upload(data if data is not None else _pptx(macro=True)),
            now=LATER,
        )
    assert not Presentation.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_oversize_upload_is_refused_before_it_is_read(
    jepara_small: Any, rakor: Meeting, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    data = simple_pdf("x", ["y" * 80] * 30)
    settings.LINSEK_PRESENTATION_MAX_BYTES = len(data) - 1
    with pytest.raises(ValidationFailed, match="terlalu besar") as info:
        presentation_upload(
            actor=jepara_small.users["command"],
            meeting=rakor,
            organisation=jepara_small.polres,
            title="x",
            upload=_upload(data),
            now=LATER,
        )
    assert info.value.problems[0].field == "file"
    assert not Presentation.objects.exists()
