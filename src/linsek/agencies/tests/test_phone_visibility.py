"""A person's phone is shown only to roles that may see it (accounts/rules/policy.json)."""

from __future__ import annotations

import pytest

from conftest import SmallJepara
from linsek.agencies.selectors import phone_rule_for
from tests.factories import PersonFactory


@pytest.fixture
def people(jepara_small: SmallJepara) -> dict[str, object]:
    return {
        "polsek_mayong": PersonFactory.create(organisation=jepara_small.polsek_mayong, phone="081200000001"),
        "polsek_karimunjawa": PersonFactory.create(
            organisation=jepara_small.polsek_karimunjawa, phone="081200000002", home_region=jepara_small.karimunjawa
        ),
        "stationed_in_pule": PersonFactory.create(
            organisation=jepara_small.polres, phone="081200000003", home_region=jepara_small.villages["Pule"]
        ),
    }


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("administrator", {"polsek_mayong", "polsek_karimunjawa", "stationed_in_pule"}),
        ("command", {"polsek_mayong", "polsek_karimunjawa", "stationed_in_pule"}),
        # Bawaslu Jepara's liaison covers the whole regency: everyone stationed or serving there.
        ("liaison", {"polsek_mayong", "polsek_karimunjawa", "stationed_in_pule"}),
        # Polsek Mayong's officer: own organisation and people in Mayong, not Karimunjawa.
        ("area_officer", {"polsek_mayong", "stationed_in_pule"}),
        ("field_reporter", {"polsek_mayong"}),
        ("viewer", set()),
    ],
)
def test_phone_shown_only_to_roles_that_may_see_it(
    jepara_small: SmallJepara, people: dict[str, object], role: str, visible: set[str]
) -> None:
    rule = phone_rule_for(jepara_small.users[role])
    shown = {name for name, person in people.items() if rule.phone_of(person)}  # type: ignore[arg-type]
    assert shown == visible
