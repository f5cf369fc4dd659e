"""The foundation fixture and roll-ups hold together."""

from __future__ import annotations

from conftest import SmallJepara


def test_rollups_sum_tps_and_voters_at_every_level(jepara_small: SmallJepara) -> None:
    jepara_small.regency.refresh_from_db()
    jepara_small.mayong.refresh_from_db()
    assert jepara_small.regency.tps_count == 9
    assert jepara_small.mayong.tps_count == 7
    assert jepara_small.regency.voters_total == 9 * 245
    assert jepara_small.villages["Pule"].__class__.objects.get(code="33.20.04.2002").tps_count == 3
