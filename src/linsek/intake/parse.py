"""The SMS/WhatsApp short format. Pure: text in, a parsed message out; never raises.

    LAPOR <kode TPS> <kode jenis> [HIJAU|KUNING|MERAH] <uraian>
    LAPOR <kode jenis> <uraian>          (a registered sender: the TPS is the sender's default place)
    INFO | BANTUAN | FORMAT               (the reply explains the format)

The TPS code may be dotted (``33.20.04.2001.001``) or plain digits (``3320042001001``); the keyword and
codes are case-insensitive; any run of spaces, tabs or newlines separates them. Anything else is "other":
a follow-up of the sender's open report, or answered with the format help.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from linsek.core.codes import normalise

KEYWORD = "LAPOR"
HELP_WORDS = frozenset({"INFO", "BANTUAN", "FORMAT", "HELP", "?"})
CROWD_WORDS = {"HIJAU": "hijau", "KUNING": "kuning", "MERAH": "merah"}
_TPS = re.compile(r"^(\d{2}\.\d{2}\.\d{2}\.\d{4}\.\d{3}|\d{13})$")
_KIND = re.compile(r"^[A-Za-z0-9]{2,4}$")


@dataclass(frozen=True, slots=True)
class Parsed:
    kind: Literal["report", "help", "other", "error"]
    tps: str | None = None
    kind_code: str | None = None
    crowd_level: str = ""
    text: str = ""
    error: str = ""


def message_parse(text: str) -> Parsed:
    """Parse one inbound text (see the module docstring)."""
    words = text.split()
    if not words:
        return Parsed("other", text="")
    head = words[0].upper().rstrip(":#.,")
    if head in HELP_WORDS and len(words) == 1:
        return Parsed("help")
    if head != KEYWORD:
        return Parsed("other", text=text.strip())
    rest = words[1:]
    tps: str | None = None
    if rest and _TPS.match(rest[0]):
        tps = normalise(rest[0])
        rest = rest[1:]
    elif rest and rest[0][:1].isdigit():
        return Parsed("error", error=f"kode TPS '{rest[0][:25]}' tidak sah (contoh 33.20.04.2001.001)")
    if not rest or not _KIND.match(rest[0]):
        return Parsed("error", tps=tps, error="kode jenis tidak ada (mis. PU untuk politik uang)")
    kind_code = rest[0].upper()
    rest = rest[1:]
    crowd = ""
    if rest and rest[0].upper() in CROWD_WORDS:
        crowd = CROWD_WORDS[rest[0].upper()]
        rest = rest[1:]
    description = " ".join(rest)
    if not description:
        return Parsed("error", tps=tps, kind_code=kind_code, error="uraian kejadian kosong")
    return Parsed("report", tps=tps, kind_code=kind_code, crowd_level=crowd, text=description)


def message_format(*, tps: str | None, kind_code: str, text: str, crowd_level: str = "") -> str:
    """The canonical text of a report in the short format (the inverse of :func:`message_parse`)."""
    parts = [KEYWORD]
    if tps:
        parts.append(tps)
    parts.append(kind_code)
    if crowd_level:
        parts.append(crowd_level.upper())
    parts.append(text)
    return " ".join(parts)


def help_text(kind_codes: dict[str, str], *, limit: int = 160) -> str:
    """The format explanation sent back, shortened to one SMS (``limit`` characters)."""
    base = "Format: LAPOR <kode TPS> <jenis> <uraian>. Contoh: LAPOR 33.20.04.2001.001 PU bagi uang. Jenis: "
    codes = ", ".join(f"{code}={name}" for code, name in kind_codes.items())
    full = base + codes
    return full if len(full) <= limit else full[: limit - 1].rsplit(",", 1)[0] + "…"
