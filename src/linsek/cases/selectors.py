"""Reads of case files, always through need-to-know.

A case file is seen only by the Sentra Gakkumdu members covering its place — Bawaslu, Polri and the
Kejaksaan (organisation types listed in the rule set's ``access.gakkumdu_types``) — and, once the case
has been filed with the court, by that court (``access.court_types``). The viewer must also hold the
``cases.view`` capability through a role. Everyone else sees anonymous counts only
(:func:`case_counts_anonymous`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from linsek.accounts.policy import policy, user_can
from linsek.cases.deadlines import WatchState, result_cutoff, watch_state
from linsek.cases.models import Case
from linsek.cases.rules import RuleSet, rule_set, rule_sets


@dataclass(frozen=True, slots=True)
class ViewerScope:
    """What kind of case-file reader the viewer is, and where."""

    kind: str  # "gakkumdu", "court" or "" (no case files)
    sector: str
    region_ids: tuple[int, ...]
    organisation_id: int | None


def viewer_scope(viewer: Any, *, rs: RuleSet | None = None) -> ViewerScope:
    """The viewer's case-file role from their organisation's type, sector and jurisdiction (cached per user)."""
    cache: dict[str, ViewerScope] = viewer.__dict__.setdefault("_case_scope", {}) if viewer is not None else {}
    rs = rs or rule_set()
    if rs.code in cache:
        return cache[rs.code]
    scope = ViewerScope("", "", (), None)
    org = getattr(viewer, "organisation", None) if getattr(viewer, "is_authenticated", False) else None
    if org is not None and user_can(viewer, "cases.view"):
        type_code = org.type_id
        kind = "gakkumdu" if type_code in rs.gakkumdu_types else "court" if type_code in rs.court_types else ""
        if kind:
            region_ids = tuple(org.jurisdiction.values_list("id", flat=True))
            scope = ViewerScope(kind, org.type.sector, region_ids, org.pk)
    cache[rs.code] = scope
    return scope


def _place_q(region_ids: Iterable[int]) -> Q:
    ids = list(region_ids)
    return Q(province_id__in=ids) | Q(regency_id__in=ids) | Q(district_id__in=ids) | Q(region_id__in=ids)


def cases_visible_to(viewer: Any) -> QuerySet[Case]:
    """The case files the viewer may read (empty for everyone outside Gakkumdu and the court)."""
    condition = Q(pk__in=[])
    for rs in rule_sets().values():
        scope = viewer_scope(viewer, rs=rs)
        if not scope.kind or not scope.region_ids:
            continue
        q = Q(rule_set=rs.code) & _place_q(scope.region_ids)
        if scope.kind == "court":
            q &= Q(filed_at__isnull=False)
        condition |= q
    return Case.objects.filter(condition)


def case_readers(case: Case) -> list[int]:
    """The users who may read this case file: the notification recipients of its deadlines."""
    from linsek.accounts.models import User
    from linsek.agencies.models import Organisation

    rs = rule_set(case.rule_set)
    types = set(rs.gakkumdu_types) | (set(rs.court_types) if case.filed_at else set())
    place = [i for i in (case.region_id, case.district_id, case.regency_id, case.province_id) if i]
    orgs = Organisation.objects.filter(type_id__in=types, jurisdiction__in=place, active=True)
    roles = [code for code, caps in policy().grants.items() if "cases.view" in caps]
    return list(
        User.objects.filter(organisation__in=orgs, roles__code__in=roles, is_active=True)
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()
    )


def case_result_cutoff(rs: RuleSet, *, zone: str) -> datetime | None:
    """The Pasal 484 cut-off for cases that can change results, from the rule set's election calendar."""
    if rs.national_result is None:
        return None
    return result_cutoff(
        national_result=rs.national_result, margin_days=rs.result_margin_days, zone=zone, counting=rs.counting
    )


@dataclass(frozen=True, slots=True)
class BoardRow:
    case: Case
    state: WatchState
    used: float
    remaining_s: float
    result_late: bool


@dataclass(frozen=True, slots=True)
class Board:
    rows: list[BoardRow]
    counts: dict[str, int]
    total_open: int


def _state_counts(qs: QuerySet[Case], *, now: datetime) -> dict[str, int]:
    """Open cases per watch state, from the copied thresholds: one aggregate query."""
    agg = qs.filter(status=Case.Status.OPEN, current_due_at__isnull=False).aggregate(
        overdue=Count("id", filter=Q(current_due_at__lte=now)),
        at_risk_80=Count("id", filter=Q(current_critical_at__lte=now, current_due_at__gt=now)),
        at_risk_50=Count("id", filter=Q(current_at_risk_at__lte=now, current_critical_at__gt=now)),
        on_time=Count("id", filter=Q(current_at_risk_at__gt=now)),
    )
    return {k: int(v or 0) for k, v in agg.items()}


def case_board(viewer: Any, *, now: datetime, region_ids: Iterable[int] | None = None, limit: int = 200) -> Board:
    """Open cases the viewer may read, most urgent first (least time left), with counts per state."""
    qs = cases_visible_to(viewer)
    if region_ids is not None:
        qs = qs.filter(_place_q(region_ids))
    counts = _state_counts(qs, now=now)
    open_qs = (
        qs.filter(status=Case.Status.OPEN, current_due_at__isnull=False)
        .select_related("region")
        .only(
            "id",
            "number",
            "title",
            "stage",
            "rule_set",
            "region__name",
            "region__code",
            "current_started_at",
            "current_due_at",
            "can_change_result",
            "origin",
            "time_zone",
        )
        .order_by("current_due_at", "id")[:limit]
    )
    rows: list[BoardRow] = []
    cutoffs: dict[tuple[str, str], datetime | None] = {}
    for case in open_qs:
        rs = rule_set(case.rule_set)
        key = (rs.code, case.time_zone)
        if key not in cutoffs:
            cutoffs[key] = case_result_cutoff(rs, zone=case.time_zone)
        assert case.current_due_at is not None and case.current_started_at is not None
        state, used = watch_state(start=case.current_started_at, due=case.current_due_at, now=now, at_risk=rs.at_risk)
        cutoff = cutoffs[key]
        late = bool(case.can_change_result and cutoff is not None and case.current_due_at > cutoff)
        rows.append(BoardRow(case, state, used, (case.current_due_at - now).total_seconds(), late))
    return Board(rows=rows, counts=counts, total_open=sum(counts.values()))


def case_counts_anonymous(*, region_ids: Iterable[int] | None, now: datetime) -> dict[str, int]:
    """Counts without any case detail, for viewers outside Gakkumdu: open per state, and closed."""
    qs = Case.objects.all()
    if region_ids is not None:
        qs = qs.filter(_place_q(region_ids))
    counts = _state_counts(qs, now=now)
    counts["closed"] = qs.filter(status=Case.Status.CLOSED).count()
    return counts


def cases_for_register(viewer: Any, *, region_ids: Iterable[int] | None = None) -> QuerySet[Case]:
    """Every case file the viewer may read, with what the register lists, in number order."""
    qs = cases_visible_to(viewer)
    if region_ids is not None:
        qs = qs.filter(_place_q(region_ids))
    return qs.select_related("region").prefetch_related("parties", "articles", "stages").order_by("registered_at", "id")
