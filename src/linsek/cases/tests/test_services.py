"""Registering cases and moving them through the stage machine: every transition allowed, refusals clear."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from linsek.audit.models import AuditEvent
from linsek.cases.errors import InvalidTransition, MissingDocument
from linsek.cases.models import Case, CaseDocument, CaseStage
from linsek.cases.rules import rule_set
from linsek.cases.services import DocumentInput, case_register, case_transition
from linsek.cases.tests.conftest import Gakkumdu, actor_for, path_to, register, step, upload, walk, wib
from linsek.core.errors import Forbidden, ValidationFailed

RS = rule_set()
NOW = wib(2024, 2, 16, 9, 0)
ALL_TRANSITIONS = [(code, t.to) for code, s in RS.stages.items() for t in s.transitions if code != RS.start_stage]


def test_register_from_a_finding_closes_registration_and_opens_the_review(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=NOW, known_at=wib(2024, 2, 14, 13, 0))
    stages = list(case.stages.order_by("seq"))
    assert [s.code for s in stages] == ["registration", "review"]
    reg, review = stages
    # Pasal 454(5): a finding is registered within 7 days of being found: 14 Feb + 7 = 21 Feb, end of day
    assert reg.due_at == wib(2024, 2, 21, 23, 59, 59) and reg.met is True and reg.ended_at == NOW
    # Pasal 454(7): Bawaslu decides within 7 days of registration
    assert review.due_at == wib(2024, 2, 23, 23, 59, 59) and review.ended_at is None
    assert case.stage == "review" and case.current_due_at == review.due_at
    assert case.number.startswith("PKR/33.20/2024/") and case.regency_id == gakkumdu.j.regency.pk
    assert case.tps_id == gakkumdu.j.tps[0].pk and case.time_zone == "Asia/Jakarta"
    event = AuditEvent.objects.get(action="case.register", object_id=str(case.pk))
    assert event.actor_id == gakkumdu.bawaslu_user.pk and event.data["registration_met"] is True


def test_a_report_registered_late_is_recorded_as_missed(gakkumdu: Gakkumdu) -> None:
    # Pasal 454(6): 7 working days from 9 Feb 2024 (skipping Imlek, weekends, voting day) = 21 Feb
    case = register(gakkumdu, now=wib(2024, 2, 22, 8, 0), known_at=wib(2024, 2, 9, 10, 0), origin="report")
    reg = case.stages.get(code="registration")
    assert reg.due_at == wib(2024, 2, 21, 23, 59, 59) and reg.met is False
    assert case.reports.count() == 0  # no reference given


def test_register_replay_returns_the_original(gakkumdu: Gakkumdu) -> None:
    key = uuid.uuid4()
    kwargs: dict[str, Any] = {
        "actor": gakkumdu.bawaslu_user,
        "origin": "finding",
        "title": "A",
        "known_at": NOW,
        "now": NOW,
        "region": gakkumdu.j.villages["Pule"],
        "client_uuid": key,
    }
    first = case_register(**kwargs)
    again = case_register(**kwargs)
    assert first.pk == again.pk and Case.objects.count() == 1


@pytest.mark.parametrize("minutes", [11, 60 * 24])
def test_register_refuses_a_moment_in_the_future(gakkumdu: Gakkumdu, minutes: int) -> None:
    with pytest.raises(ValidationFailed, match="masa depan"):
        register(gakkumdu, now=NOW, known_at=NOW + timedelta(minutes=minutes))
    assert Case.objects.count() == 0


def test_register_tolerates_small_clock_skew(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=NOW, known_at=NOW + timedelta(minutes=5))
    assert case.pk


def test_register_refuses_unknown_articles_and_non_bawaslu_actors(gakkumdu: Gakkumdu) -> None:
    from linsek.cases.services import ArticleInput

    with pytest.raises(ValidationFailed) as exc:
        case_register(
            actor=gakkumdu.bawaslu_user,
            origin="finding",
            title="x",
            known_at=NOW,
            now=NOW,
            region=gakkumdu.j.mayong,
            articles=[ArticleInput(300)],
        )
    assert exc.value.problems[0].field == "articles"
    with pytest.raises(Forbidden):
        case_register(
            actor=gakkumdu.police_user, origin="finding", title="x", known_at=NOW, now=NOW, region=gakkumdu.j.mayong
        )
    with pytest.raises(Forbidden):
        case_register(
            actor=gakkumdu.outsider["viewer"],
            origin="finding",
            title="x",
            known_at=NOW,
            now=NOW,
            region=gakkumdu.j.mayong,
        )
    assert Case.objects.count() == 0


@pytest.mark.parametrize(("source", "target"), ALL_TRANSITIONS, ids=[f"{a}->{b}" for a, b in ALL_TRANSITIONS])
def test_every_transition_of_the_rule_set_is_allowed(gakkumdu: Gakkumdu, source: str, target: str) -> None:
    case = register(gakkumdu, now=NOW)
    walk(gakkumdu, case, source, now=NOW)
    assert case.stage == source
    stage = step(gakkumdu, case, target, now=NOW)
    case.refresh_from_db()
    assert case.stage == target == stage.code
    assert CaseStage.objects.filter(case=case, ended_at__isnull=True).count() == (
        0 if RS.stages[target].terminal else 1
    )
    if RS.stages[target].terminal:
        assert case.status == Case.Status.CLOSED and case.outcome == RS.stages[target].outcome


@pytest.mark.parametrize("source", [c for c, s in RS.stages.items() if not s.terminal and c != RS.start_stage])
def test_a_transition_outside_the_rules_is_refused_naming_the_allowed_ones(gakkumdu: Gakkumdu, source: str) -> None:
    case = register(gakkumdu, now=NOW)
    walk(gakkumdu, case, source, now=NOW)
    target = next(c for c in RS.stages if c not in RS.stages[source].allowed and c != source)
    before = CaseStage.objects.filter(case=case).count()
    actor = actor_for(gakkumdu, RS.stages[source].sector)
    with pytest.raises(InvalidTransition) as exc:
        case_transition(actor=actor, case=case, to_stage=target, now=NOW, note="x", document=upload())
    assert exc.value.allowed == RS.stages[source].allowed
    for allowed in RS.stages[source].allowed:
        assert allowed in exc.value.message
    assert CaseStage.objects.filter(case=case).count() == before


def test_a_terminal_stage_allows_nothing(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=NOW)
    walk(gakkumdu, case, "closed_stopped", now=NOW)
    with pytest.raises(InvalidTransition, match="tahap akhir"):
        case_transition(actor=gakkumdu.bawaslu_user, case=case, to_stage="review", now=NOW)


def test_missing_required_document_is_refused_and_nothing_changes(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=NOW)
    walk(gakkumdu, case, "forwarding", now=NOW)
    with pytest.raises(MissingDocument, match="Surat penerusan"):
        case_transition(actor=gakkumdu.bawaslu_user, case=case, to_stage="investigation", now=NOW)
    case.refresh_from_db()
    assert case.stage == "forwarding"
    # an existing document of the wrong kind does not count either
    wrong = CaseDocument.objects.filter(case=case).first()
    assert wrong is not None and wrong.kind != "surat_penerusan"
    with pytest.raises(MissingDocument):
        case_transition(
            actor=gakkumdu.bawaslu_user,
            case=case,
            to_stage="investigation",
            now=NOW,
            document=DocumentInput(existing_id=wrong.pk),
        )


def test_note_required_for_closing_decisions(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=NOW)
    with pytest.raises(ValidationFailed, match="catatan"):
        case_transition(actor=gakkumdu.bawaslu_user, case=case, to_stage="closed_ethics", now=NOW, document=upload())


def test_only_the_sectors_named_by_the_rules_may_move_a_stage(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=NOW)
    with pytest.raises(Forbidden, match="bawaslu"):
        case_transition(actor=gakkumdu.prosecutor_user, case=case, to_stage="gakkumdu_1", now=NOW)
    with pytest.raises(Forbidden):
        case_transition(actor=gakkumdu.outsider["area_officer"], case=case, to_stage="gakkumdu_1", now=NOW)


def test_transition_moment_in_the_future_or_before_the_stage_is_refused(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=NOW)
    with pytest.raises(ValidationFailed, match="masa depan"):
        case_transition(
            actor=gakkumdu.bawaslu_user, case=case, to_stage="gakkumdu_1", now=NOW, at=NOW + timedelta(hours=1)
        )
    with pytest.raises(ValidationFailed, match="sebelum"):
        case_transition(
            actor=gakkumdu.bawaslu_user, case=case, to_stage="gakkumdu_1", now=NOW, at=NOW - timedelta(days=1)
        )


def test_forwarding_is_due_24_hours_later_and_investigation_14_days(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=wib(2024, 2, 12, 9))
    walk(gakkumdu, case, "gakkumdu_2", now=wib(2024, 2, 13, 9))
    fwd = step(gakkumdu, case, "forwarding", now=wib(2024, 2, 13, 15, 30))
    assert fwd.due_at == wib(2024, 2, 14, 15, 30) and fwd.limit_kind == "hours" and fwd.article == "476"
    inv = step(gakkumdu, case, "investigation", now=wib(2024, 2, 14, 16, 0))
    previous = CaseStage.objects.get(pk=fwd.pk)
    assert previous.met is False  # 30 minutes late
    assert inv.due_at == wib(2024, 2, 28, 23, 59, 59)
    assert inv.responsible_org_id == gakkumdu.j.polres.pk


def test_gakkumdu_discussions_run_within_bawaslus_period(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=wib(2024, 2, 12, 9))
    review = case.stages.get(code="review")
    g1 = step(gakkumdu, case, "gakkumdu_1", now=wib(2024, 2, 13, 9))
    assert g1.due_at == review.due_at and g1.limit_kind == "within"
    ext = step(gakkumdu, case, "review_extended", now=wib(2024, 2, 14, 9))
    # Pasal 454(8): 14 working days counted from the registration (12 Feb), skipping the voting day
    assert ext.counted_from == review.started_at
    assert ext.due_at == wib(2024, 3, 4, 23, 59, 59)
    g2 = step(gakkumdu, case, "gakkumdu_2", now=wib(2024, 2, 15, 9))
    assert g2.due_at == ext.due_at


def test_returning_the_file_is_repeatable_and_judged_against_3_days(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=wib(2024, 2, 12, 9))
    walk(gakkumdu, case, "prosecution", now=wib(2024, 2, 13, 9))
    step(gakkumdu, case, "file_returned", now=wib(2024, 2, 15, 9))
    step(gakkumdu, case, "prosecution", now=wib(2024, 2, 16, 9))
    step(gakkumdu, case, "file_returned", now=wib(2024, 2, 20, 9))  # 4 days after receipt: late
    exits = list(case.stages.filter(code="prosecution").order_by("seq").values_list("exit_timely", flat=True))
    assert exits == [True, False]


def test_filing_with_the_court_sets_filed_at(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=NOW)
    walk(gakkumdu, case, "prosecution", now=NOW)
    assert case.filed_at is None
    step(gakkumdu, case, "court_trial", now=NOW)
    case.refresh_from_db()
    assert case.filed_at == NOW


def test_uploaded_document_hash_goes_into_the_audit_trail(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=NOW)
    content = b"%PDF-1.4 berita acara pembahasan pertama\n"
    walk(gakkumdu, case, "gakkumdu_1", now=NOW)
    stage = case_transition(
        actor=gakkumdu.bawaslu_user, case=case, to_stage="gakkumdu_2", now=NOW, document=upload("ba.pdf", content)
    )
    doc = stage.document
    assert (
        doc is not None and doc.sha256 == hashlib.sha256(content).hexdigest() and doc.kind == "berita_acara_pembahasan"
    )
    assert doc.file.read() == content
    add = AuditEvent.objects.get(action="case.document.add", object_id=str(case.pk))
    assert add.data["sha256"] == doc.sha256 and add.after_digest == doc.sha256
    tr = AuditEvent.objects.filter(action="case.transition", object_id=str(case.pk)).last()
    assert tr is not None and tr.data["document_sha256"] == doc.sha256


def test_path_helper_reaches_every_stage() -> None:
    for code in RS.stages:
        if code != RS.start_stage:
            assert path_to(code)[-1] == code if code != RS.first_stage else path_to(code) == []


def test_register_timestamps_are_utc_aware(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=NOW)
    case.refresh_from_db()
    assert isinstance(case.registered_at, datetime) and case.registered_at.utcoffset() is not None
