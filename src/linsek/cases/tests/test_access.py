"""Need-to-know: the case file for Gakkumdu members covering the place, the court from filing on, nobody else."""

from __future__ import annotations

from typing import Any

import pytest

from linsek.audit.models import AuditEvent
from linsek.cases.access import access_case, access_case_document
from linsek.cases.selectors import case_board, case_counts_anonymous, cases_visible_to
from linsek.cases.tests.conftest import Gakkumdu, register, step, walk, wib
from linsek.core.errors import NotFound
from tests.factories import OrganisationFactory, PersonFactory, RegionFactory, UserFactory

NOW = wib(2024, 2, 16, 9, 0)


def viewers(g: Gakkumdu) -> dict[str, Any]:
    return {
        "bawaslu_liaison": g.bawaslu_user,
        "police_liaison": g.police_user,
        "police_command": g.j.users["command"],
        "prosecutor": g.prosecutor_user,
        "court": g.court_user,
        "police_administrator": g.j.users["administrator"],
        "polsek_area_officer": g.j.users["area_officer"],
        "polsek_field_reporter": g.j.users["field_reporter"],
        "panwascam_viewer": g.j.users["viewer"],
    }


BEFORE_FILING = {"bawaslu_liaison", "police_liaison", "police_command", "prosecutor"}
AFTER_FILING = BEFORE_FILING | {"court"}


@pytest.mark.parametrize("filed", [False, True], ids=["before-filing", "after-filing"])
def test_case_file_visibility_matrix(gakkumdu: Gakkumdu, filed: bool) -> None:
    case = register(gakkumdu, now=NOW)
    if filed:
        walk(gakkumdu, case, "court_trial", now=NOW)
    expected = AFTER_FILING if filed else BEFORE_FILING
    for name, user in viewers(gakkumdu).items():
        visible = cases_visible_to(user).filter(pk=case.pk).exists()
        assert visible == (name in expected), name
        if name in expected:
            assert access_case(viewer=user, case_id=case.pk, now=NOW).pk == case.pk
        else:
            with pytest.raises(NotFound):
                access_case(viewer=user, case_id=case.pk, now=NOW)


def test_the_court_keeps_seeing_after_the_verdict(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=NOW)
    walk(gakkumdu, case, "closed_executed", now=NOW)
    assert cases_visible_to(gakkumdu.court_user).filter(pk=case.pk).exists()


def test_members_of_another_regency_do_not_see_the_case(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=NOW)
    kudus = RegionFactory.create(
        code="33.19", name="Kudus", level="regency", kind="kabupaten", parent=gakkumdu.j.province
    )
    bawaslu_kudus = OrganisationFactory.create(code="bawaslu-kudus", name="Bawaslu Kudus", type_id="bawaslu_kab")
    bawaslu_kudus.jurisdiction.set([kudus])
    person = PersonFactory.create(organisation=bawaslu_kudus, full_name="Petugas Kudus")
    other = UserFactory.create(username="kudus", person=person, organisation=bawaslu_kudus, role_codes=["liaison"])
    assert not cases_visible_to(other).filter(pk=case.pk).exists()
    # a provincial body covering Jawa Tengah does
    polda = OrganisationFactory.create(code="polda-jateng", name="Polda Jateng", type_id="polda")
    polda.jurisdiction.set([gakkumdu.j.province])
    person = PersonFactory.create(organisation=polda, full_name="Petugas Polda")
    provincial = UserFactory.create(username="polda", person=person, organisation=polda, role_codes=["command"])
    assert cases_visible_to(provincial).filter(pk=case.pk).exists()


def test_every_read_of_a_case_file_is_audited(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=NOW)
    before = AuditEvent.objects.filter(action="case.read").count()
    access_case(viewer=gakkumdu.prosecutor_user, case_id=case.pk, now=NOW)
    access_case(viewer=gakkumdu.police_user, case_id=case.pk, now=NOW, purpose="api")
    reads = list(AuditEvent.objects.filter(action="case.read").order_by("seq")[before:])
    assert [(e.actor_id, e.object_id, e.data["purpose"]) for e in reads] == [
        (gakkumdu.prosecutor_user.pk, str(case.pk), "view"),
        (gakkumdu.police_user.pk, str(case.pk), "api"),
    ]
    # a refused read leaves no read event
    with pytest.raises(NotFound):
        access_case(viewer=gakkumdu.j.users["viewer"], case_id=case.pk, now=NOW)
    assert AuditEvent.objects.filter(action="case.read").count() == before + 2


def test_documents_follow_the_case_file(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=NOW)
    walk(gakkumdu, case, "gakkumdu_2", now=NOW)
    doc = case.documents.first()
    assert doc is not None
    assert access_case_document(viewer=gakkumdu.police_user, case_id=case.pk, document_id=doc.pk, now=NOW) == doc
    assert AuditEvent.objects.filter(action="case.document.read", data__sha256=doc.sha256).exists()
    for user in (gakkumdu.court_user, gakkumdu.j.users["viewer"]):
        with pytest.raises(NotFound):
            access_case_document(viewer=user, case_id=case.pk, document_id=doc.pk, now=NOW)


def test_everyone_else_sees_anonymous_counts_only(gakkumdu: Gakkumdu) -> None:
    a = register(gakkumdu, now=wib(2024, 2, 10, 9))
    register(gakkumdu, now=wib(2024, 2, 15, 9))
    c = register(gakkumdu, now=wib(2024, 2, 15, 9))
    step(gakkumdu, c, "closed_stopped", now=wib(2024, 2, 15, 10))
    counts = case_counts_anonymous(region_ids=[gakkumdu.j.regency.pk], now=NOW)
    # a: review 10 Feb 09:00 → 17 Feb 23:59:59; at NOW (16 Feb 09:00) 144 of 183 hours used (79 %)
    assert counts == {"overdue": 0, "at_risk_80": 0, "at_risk_50": 1, "on_time": 1, "closed": 1}
    board = case_board(gakkumdu.j.users["viewer"], now=NOW)
    assert board.rows == [] and board.total_open == 0
    board = case_board(gakkumdu.bawaslu_user, now=NOW)
    assert board.rows[0].case.pk == a.pk and board.total_open == 2


def test_board_query_count_does_not_grow_with_cases(gakkumdu: Gakkumdu, django_assert_max_num_queries: Any) -> None:
    for day in range(10, 16):
        register(gakkumdu, now=wib(2024, 2, day, 9))
    user = gakkumdu.bawaslu_user
    case_board(user, now=NOW)  # warm the per-user scope cache
    with django_assert_max_num_queries(3):
        board = case_board(user, now=NOW)
    assert len(board.rows) == 6
