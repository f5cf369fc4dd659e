"""Loading the agency taxonomies (organisation types, duty roles) from their versioned data files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).parent / "rules"


def organisation_types_raw() -> list[dict[str, Any]]:
    doc = json.loads((RULES_DIR / "organisation_types.json").read_text(encoding="utf-8"))
    for t in doc["types"]:
        t.setdefault("source", doc["source"])
    return list(doc["types"])


def duty_roles_raw() -> list[dict[str, Any]]:
    doc = json.loads((RULES_DIR / "duty_roles.json").read_text(encoding="utf-8"))
    for r in doc["roles"]:
        r.setdefault("source", doc["source"])
    return list(doc["roles"])
