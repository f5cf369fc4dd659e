"""Links from an action item to things other domains own: a field report, a case, a deployment plan.

They are stored as the other domain's public reference (``L123`` for a report, the case number, the plan's
reference) and checked through that domain's access function or selector when the app is installed, so an
agency cannot link what it may not see. When the app is not installed (yet), the reference is kept as typed.
"""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _

from linsek.core.errors import FieldProblem, NotFound

_REPORT = re.compile(r"^L?(\d{1,12})$", re.IGNORECASE)


def report_ref_check(*, viewer: Any, ref: str) -> str:
    """``L123`` (or ``123``) for a report the viewer may see; the normalised reference."""
    match = _REPORT.match(ref.strip())
    if not match:
        raise _problem("report_ref", _("Nomor laporan ditulis seperti L123."), ref)
    normal = f"L{int(match.group(1))}"
    if apps.is_installed("linsek.incidents"):
        from linsek.incidents.access import access_report

        try:
            access_report(viewer=viewer, report_id=int(match.group(1)))
        except NotFound as exc:
            raise _problem("report_ref", _("Laporan tidak ditemukan."), ref) from exc
    return normal


def case_ref_check(*, viewer: Any, ref: str) -> str:
    """A case number the viewer may read (Gakkumdu members and, once filed, the court)."""
    ref = ref.strip()
    if apps.is_installed("linsek.cases"):
        from linsek.cases.selectors import cases_visible_to

        if not cases_visible_to(viewer).filter(number=ref).exists():
            raise _problem("case_ref", _("Perkara tidak ditemukan."), ref)
    return ref


def plan_ref_check(*, viewer: Any, ref: str) -> str:
    """A deployment plan's reference; kept as typed until the deploy app offers a lookup for it."""
    return ref.strip()[:64]


def _problem(field: str, message: str, value: str) -> Exception:
    from linsek.core.errors import ValidationFailed

    return ValidationFailed(message, [FieldProblem(field, message, value)])
