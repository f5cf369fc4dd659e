"""Rule sets as versioned data: the files parse, a broken version is refused, an administrator's version applies."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from linsek.incidents.admin import RuleSetForm
from linsek.incidents.models import Report, RuleSet
from linsek.incidents.rules import FILES, RuleError, document_validate, file_document, rules_cache_clear
from linsek.incidents.services import actor_for, report_submit
from linsek.incidents.tests.conftest import NOW


@pytest.mark.parametrize("kind", list(FILES))
def test_every_rule_file_is_valid_and_cites_its_source(db: Any, kind: str) -> None:
    document = file_document(kind)
    assert document["source"] and document["version"]
    document_validate(kind, document)


def test_broken_rule_sets_are_refused_naming_the_entry(db: Any) -> None:
    routing = file_document("routing")
    bad = copy.deepcopy(routing)
    bad["rules"][0]["lead"] = "polisi_hutan"
    with pytest.raises(RuleError, match="riot-red"):
        document_validate("routing", bad)
    no_catch_all = copy.deepcopy(routing)
    no_catch_all["rules"] = no_catch_all["rules"][:-1]
    with pytest.raises(RuleError, match="catch-all"):
        document_validate("routing", no_catch_all)
    escalation = file_document("escalation")
    escalation["ack_minutes"]["4"] = 0
    with pytest.raises(RuleError, match="positive"):
        document_validate("escalation", escalation)
    form = RuleSetForm(data={"kind": "routing", "version": "x", "source": "uji", "active": True, "document": bad})
    assert not form.is_valid() and "polisi_hutan" in str(form.errors)


def test_an_administrators_version_changes_routing_and_is_recorded(jepara: Any) -> None:
    routing = file_document("routing")
    for rule in routing["rules"]:
        if rule["id"] == "money-politics":
            rule["inform"] = ["polsek", "polres"]
    routing["version"] = "2024-02-10.uji"
    form = RuleSetForm(
        data={
            "kind": "routing",
            "version": routing["version"],
            "source": "rapat Gakkumdu 10 Feb",
            "active": True,
            "document": routing,
        }
    )
    assert form.is_valid(), form.errors
    form.save()
    rules_cache_clear()
    outcome = report_submit(
        actor=actor_for(jepara.users["field_reporter"], channel="web"),
        data={"uuid": str(uuid.uuid4()), "kind": "politik_uang", "tps": jepara.tps[0].code, "description": "x"},
        now=NOW,
    )
    report = Report.objects.get(pk=outcome.report_pk)
    assert report.routing["version"] == "2024-02-10.uji"
    assert dict(report.recipients.values_list("organisation__code", "role"))["polres-jepara"] == "inform"
    assert RuleSet.objects.count() == 1
