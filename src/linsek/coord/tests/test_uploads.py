"""Meeting presentations: an executable under a document's name is refused; the uploader's file name, path
tricks, NUL bytes and all, is only a label and never a path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from linsek.coord.demo import simple_pdf
from linsek.coord.models import Meeting, Presentation
from linsek.coord.services import presentation_upload
from linsek.core.errors import ValidationFailed


class _NamedUpload:
    """An upload whose name is exactly what a client sent (``SimpleUploadedFile`` would trim the path)."""

    def __init__(self, data: bytes, name: str) -> None:
        self.inner = SimpleUploadedFile("x", data, content_type="application/pdf")
        self.name = name
        self.size = len(data)
        self.file = self.inner.file


def _upload(small: Any, meeting: Meeting, upload: Any) -> Presentation:
    from django.utils import timezone

    return presentation_upload(
        actor=small.users["command"],
        meeting=meeting,
        organisation=small.polres,
        title="",
        upload=upload,
        now=timezone.now(),
    )


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "paparan.pdf"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "paparan.pptx"),
        (b"#!/bin/sh\nrm -rf /\n", "paparan.pdf"),
    ],
)
def test_an_executable_named_as_a_document_is_refused(
    jepara_small: Any, rakor: Meeting, settings: Any, tmp_path: Path, data: bytes, name: str
) -> None:
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationFailed, match="bukan PDF atau PPTX"):
        _upload(jepara_small, rakor, SimpleUploadedFile(name, data, content_type="application/pdf"))
    assert not Presentation.objects.exists() and not [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\win.ini.pdf", "win.ini.pdf"),
        ("paparan\x00.exe\x00.pdf", "paparan.exe.pdf"),
        ("p" * 4000 + ".pdf", "p" * 196 + ".pdf"),
    ],
)
def test_the_file_name_is_a_cleaned_label_and_never_a_path(
    jepara_small: Any, rakor: Meeting, settings: Any, tmp_path: Path, name: str, label: str
) -> None:
    settings.MEDIA_ROOT = tmp_path
    item = _upload(jepara_small, rakor, _NamedUpload(simple_pdf("Kesiapan", ["baris 1"]), name))
    item.refresh_from_db()
    assert item.original_name == label and item.title == label
    assert item.file.name == f"coord/presentations/{rakor.uuid}/{item.uuid}.pdf"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [tmp_path / item.file.name]
