"""What a file is comes from its bytes; what it is called is a harmless label."""

from __future__ import annotations

import pytest

from linsek.core.uploads import NAME_MAX, content_type_sniff, upload_name_clean


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"PK\x03\x04\x14\x00", "application/zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
        (b"MZ\x90\x00\x03\x00", "application/x-msdownload"),
        (b"\x7fELF\x02\x01\x01", "application/x-executable"),
        (b"<svg onload=alert(1)>", None),
        (b"<html><script>", None),
        (b"", None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
    ],
)
def test_type_comes_from_the_first_bytes(head: bytes, expected: str | None) -> None:
    assert content_type_sniff(head) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("foto.jpg", "foto.jpg"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
        ("/etc/shadow", "shadow"),
        ("a\x00b.pdf", "ab.pdf"),
        ("foto.jpg\x00.exe", "foto.jpg.exe"),
        ("..", ""),
        (".htaccess", "htaccess"),
        ("baris\nbaru\r.png", "barisbaru.png"),
        ("", ""),
        (None, ""),
    ],
)
def test_names_lose_their_path_and_control_characters(name: str | None, expected: str) -> None:
    assert upload_name_clean(name) == expected


def test_very_long_names_are_cut_keeping_the_extension() -> None:
    cleaned = upload_name_clean("a" * 5000 + ".jpeg")
    assert len(cleaned) == NAME_MAX and cleaned.endswith(".jpeg")
    assert len(upload_name_clean("b" * 5000)) == NAME_MAX
