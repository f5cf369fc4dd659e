"""Uploaded files, the parts every app shares: what a file is (from its bytes), what to call it, how to
hand it back.

- :func:`content_type_sniff` reads the type from the first bytes, never from the name or the browser's
  ``Content-Type``: an executable renamed ``foto.jpg`` is an executable.
- :func:`upload_name_clean` turns the client's file name into a harmless label (shown to people, stored
  in ``original_name``). It is never used as a path: apps store files under generated names
  (content hash or UUID plus the extension of the detected type), in ``MEDIA_ROOT``, outside
  ``STATIC_ROOT``, where nothing serves them except a view that checks access first.
- :func:`private_file_response` is that view's answer: a download, not rendered by the browser, not cached.

Each app keeps its own list of accepted types and size limit (photos and PDF for reports, PDF and PPTX
for meeting presentations) and any deeper check of the content.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.http import FileResponse

# (magic bytes, offset, type). Containers (ZIP, OLE2) are named as such: what is inside is the app's check.
SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "application/x-ole-storage"),
    (b"MZ", 0, "application/x-msdownload"),
    (b"\x7fELF", 0, "application/x-executable"),
)
SNIFF_BYTES = 16
NAME_MAX = 200


def content_type_sniff(head: bytes) -> str | None:
    """The type from the file's first :data:`SNIFF_BYTES` bytes, or None when it is not one we know."""
    for magic, offset, ctype in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return ctype
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def upload_name_clean(name: Any, *, max_length: int = NAME_MAX) -> str:
    """The client's file name as a label: its last path component, without control characters (NUL
    included: PostgreSQL refuses it in text), at most ``max_length`` characters keeping the extension.

    ``../../etc/passwd.pdf`` becomes ``passwd.pdf``; a name with nothing printable left becomes ``""``.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if c.isprintable()).strip().lstrip(".").strip()
    if len(text) <= max_length:
        return text
    stem, dot, ext = text.rpartition(".")
    if dot and 0 < len(ext) <= 10:
        return stem[: max_length - len(ext) - 1] + "." + ext
    return text[:max_length]


def private_file_response(fh: Any, *, filename: str, content_type: str) -> FileResponse:
    """A stored upload handed to a viewer who passed the access check: always a download (never shown
    inline, so a PDF or image cannot run script in our origin), its type not re-guessed, never cached."""
    response = FileResponse(fh, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
