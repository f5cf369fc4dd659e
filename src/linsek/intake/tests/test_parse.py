"""The SMS/WhatsApp short format, with hypothesis: round trips and never a crash on any text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from linsek.incidents.rules import file_document, taxonomy_parse
from linsek.intake.parse import help_text, message_format, message_parse

SMS_CODES = sorted(taxonomy_parse(file_document("taxonomy")).by_sms)
tps_codes = st.builds(
    lambda d, v, n: f"33.20.{d:02d}.{v}.{n:03d}",
    st.integers(1, 16),
    st.sampled_from(["1001", "2001", "2014"]),
    st.integers(1, 999),
)
words = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=12)
descriptions = st.lists(words, min_size=1, max_size=12).map(" ".join)


@given(tps=tps_codes, kind=st.sampled_from(SMS_CODES), text=descriptions, crowd=st.sampled_from(["", "hijau", "merah"]))
def test_format_then_parse_round_trips(tps: str, kind: str, text: str, crowd: str) -> None:
    if text.split()[0].upper() in {"HIJAU", "KUNING", "MERAH"}:
        text = "di " + text
    parsed = message_parse(message_format(tps=tps, kind_code=kind, text=text, crowd_level=crowd))
    assert (parsed.kind, parsed.tps, parsed.kind_code, parsed.crowd_level, parsed.text) == (
        "report",
        tps,
        kind,
        crowd,
        text,
    )


@given(tps=tps_codes, kind=st.sampled_from(SMS_CODES), text=descriptions)
def test_undotted_codes_lower_case_and_extra_spaces_are_accepted(tps: str, kind: str, text: str) -> None:
    raw = f"  lapor\t{tps.replace('.', '')}   {kind.lower()}\n{text}  "
    parsed = message_parse(raw)
    assert (parsed.kind, parsed.tps, parsed.kind_code) == ("report", tps, kind)
    assert parsed.text == " ".join(text.split())


@given(st.text(max_size=400))
def test_any_text_parses_without_error(text: str) -> None:
    parsed = message_parse(text)
    assert parsed.kind in {"report", "help", "other", "error"}
    if parsed.kind == "report":
        assert parsed.text and parsed.kind_code


def test_the_documented_examples() -> None:
    assert message_parse("LAPOR 33.20.04.2001.001 PU bagi amplop di depan TPS").kind_code == "PU"
    assert message_parse("LAPOR PU bagi amplop").tps is None  # registered sender: default TPS
    assert message_parse("INFO").kind == "help"
    assert message_parse("LAPOR 3320 PU x").kind == "error"
    assert message_parse("LAPOR 33.20.04.2001.001").kind == "error"
    assert message_parse("massa sudah bubar").kind == "other"


def test_help_fits_one_sms() -> None:
    kinds = dict.fromkeys(SMS_CODES, "Jenis panjang sekali " * 3)
    assert len(help_text(kinds, limit=160)) <= 160
