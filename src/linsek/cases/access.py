"""Fetching one case file (or one of its documents) for a viewer: the only way pages and the API do it.

"Not found" is the same whether the case is missing or hidden. Every successful read appends an audit
event (``case.read`` / ``case.document.read``): who read which case file, and when, is accountable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from linsek.audit.services import audit_append
from linsek.cases.models import Case, CaseDocument
from linsek.cases.selectors import cases_visible_to
from linsek.core.errors import NotFound


def access_case(*, viewer: Any, case_id: int, now: datetime, purpose: str = "view") -> Case:
    """The case file if the viewer may read it (audited), else NotFound."""
    case = cases_visible_to(viewer).select_related("region", "tps").filter(pk=case_id).first()
    if case is None:
        raise NotFound("Perkara tidak ditemukan.")
    audit_append(
        action="case.read",
        actor=viewer,
        object_type="case",
        object_id=case.pk,
        data={"number": case.number, "purpose": purpose},
        now=now,
    )
    return case


def access_case_document(*, viewer: Any, case_id: int, document_id: int, now: datetime) -> CaseDocument:
    """One document of a case file the viewer may read (audited with its SHA-256), else NotFound."""
    case = cases_visible_to(viewer).filter(pk=case_id).first()
    doc = CaseDocument.objects.filter(case=case, pk=document_id).first() if case is not None else None
    if doc is None:
        raise NotFound("Dokumen tidak ditemukan.")
    audit_append(
        action="case.document.read",
        actor=viewer,
        object_type="case",
        object_id=case_id,
        data={"document": doc.pk, "sha256": doc.sha256},
        now=now,
    )
    return doc
