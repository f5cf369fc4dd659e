"""What an uploaded presentation really is, read from its bytes (never from its name or the browser's word).

Accepted: PDF (``%PDF-`` header and a document that parses) and PowerPoint PPTX (an Office Open XML
package whose main part is a presentation). Refused: everything else, including macro-enabled PPTM, old
binary PPT, and ZIP packages that would expand beyond a sane size (a "zip bomb").
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from linsek.core.uploads import SNIFF_BYTES, content_type_sniff

PDF = "application/pdf"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
_PPTM_MAIN = "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"
_SLIDE = re.compile(r"^ppt/slides/slide\d+\.xml$")
MAX_EXPANDED_BYTES = 512 * 1024 * 1024
MAX_ENTRIES = 10_000


class FileRejected(ValueError):
    """The upload is not an accepted presentation; the message says why, for the person uploading."""


@dataclass(frozen=True, slots=True)
class Detected:
    content_type: str
    pages: int | None


def presentation_detect(stream: BinaryIO) -> Detected:
    """The presentation's type and its page/slide count, or :class:`FileRejected`."""
    stream.seek(0)
    sniffed = content_type_sniff(stream.read(SNIFF_BYTES))
    stream.seek(0)
    if sniffed == PDF:
        return Detected(PDF, _pdf_pages(stream))
    if sniffed == "application/zip":
        return Detected(PPTX, _pptx_slides(stream))
    if sniffed == "application/x-ole-storage":
        raise FileRejected("format PPT lama tidak diterima: simpan sebagai PPTX atau PDF")
    raise FileRejected("berkas bukan PDF atau PPTX")


def _pdf_pages(stream: BinaryIO) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise FileRejected("PDF terkunci kata sandi tidak diterima")
        return len(reader.pages)
    except (PyPdfError, ValueError, KeyError, OSError) as exc:
        raise FileRejected(f"PDF rusak atau tidak dapat dibaca ({exc.__class__.__name__})") from exc
    finally:
        stream.seek(0)


def _pptx_slides(stream: BinaryIO) -> int:
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_EXPANDED_BYTES:
                raise FileRejected("arsip terlalu besar saat dibuka")
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "ppt/presentation.xml" not in names:
                raise FileRejected("berkas ZIP ini bukan presentasi PowerPoint (PPTX)")
            with archive.open("[Content_Types].xml") as fh:
                types = fh.read(2 * 1024 * 1024).decode("utf-8", errors="replace")
    except zipfile.BadZipFile as exc:
        raise FileRejected("berkas PPTX rusak") from exc
    finally:
        stream.seek(0)
    if _PPTM_MAIN in types or "vbaProject" in types:
        raise FileRejected("presentasi bermakro (PPTM) tidak diterima")
    if _PPTX_MAIN not in types:
        raise FileRejected("berkas ZIP ini bukan presentasi PowerPoint (PPTX)")
    return sum(1 for n in names if _SLIDE.match(n))
