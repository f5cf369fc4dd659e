"""Need-to-know for reports: one scope per viewer, rendered as a query filter *and* as a predicate.

- a field reporter sees what he sent, and public reports of his area;
- an agency (liaison, area officer: ``reports.act``) sees reports routed to its organisation (or one
  below it), and public reports of its area; never restricted ones; a read-only viewer sees the
  public reports of its area;
- the command post sees every non-restricted report of its area; restricted (intelligence) reports
  only when it is a Polri/TNI command (``restricted_sectors`` in ``rules/access.json``);
- the reporter's identity (name, phone, NIK) only to the receiving agency (lead or escalated
  recipient) and to the reporter himself — never on public views or exports.

:meth:`ReportScope.q` filters querysets (lists, map, exports, API); :meth:`ReportScope.allows` decides
on a live event's facts (SSE) without a query. Both are built from the same fields, and a test checks
that they agree on every combination.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db.models import Exists, OuterRef, Q

from linsek.accounts.policy import user_can

ACCESS_FILE = Path(__file__).parent / "rules" / "access.json"
RECEIVING_ROLES = ("lead", "escalated")


@lru_cache(maxsize=1)
def _access_rules() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(ACCESS_FILE.read_text(encoding="utf-8"))
    return doc


def report_can(user: Any, capability: str) -> bool:
    """The capability from ``accounts/rules/policy.json`` (the one policy in force)."""
    return user_can(user, capability)


def restricted_sectors() -> frozenset[str]:
    return frozenset(_access_rules()["restricted_sectors"])


@dataclass(frozen=True)
class ReportScope:
    everything: bool
    user_id: int | None
    org_ids: frozenset[int]  # the viewer's organisation and those below it
    area_ids: frozenset[int]  # region ids (any level) of the viewer's jurisdiction
    own: bool
    routed: bool
    area_public: bool
    area_all: bool
    restricted: bool

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.own or self.routed or self.area_public or self.area_all)

    def _area_q(self) -> Q:
        ids = list(self.area_ids)
        return (
            Q(village_id__in=ids) | Q(district_id__in=ids) | Q(regency_id__in=ids) | Q(province_id__in=ids)
            if ids
            else Q(pk__in=[])
        )

    def q(self) -> Q:
        """The filter for ``Report`` querysets."""
        from linsek.incidents.models import ReportRecipient

        if self.everything:
            return Q()
        q = Q(pk__in=[])
        if self.own and self.user_id is not None:
            q |= Q(reporter_id=self.user_id)
        area = self._area_q()
        # The broadest clause first; narrower ones it already covers are left out (simpler plans, same rows).
        if self.area_all and self.restricted:
            q |= area
        elif self.area_all:
            q |= ~Q(classification="restricted") & area
        else:
            if self.area_public:
                q |= Q(classification="public") & area
            if self.restricted:
                q |= Q(classification="restricted") & area
        if self.routed and self.org_ids:
            routed = Exists(
                ReportRecipient.objects.filter(report_id=OuterRef("pk"), organisation_id__in=list(self.org_ids))
            )
            q |= routed & ~Q(classification="restricted")
        return q

    def _in_area(self, facts: Mapping[str, Any]) -> bool:
        return any(facts.get(k) in self.area_ids for k in ("village_id", "district_id", "regency_id", "province_id"))

    def allows(self, classification: str, facts: Mapping[str, Any]) -> bool:
        """The same rule on a live event's facts (reporter_id, recipients, village/district/regency/province)."""
        if self.everything:
            return True
        if self.own and self.user_id is not None and facts.get("reporter_id") == self.user_id:
            return True
        in_area = self._in_area(facts)
        if self.area_public and classification == "public" and in_area:
            return True
        if (
            self.routed
            and classification != "restricted"
            and any(org in self.org_ids for org in facts.get("recipients", ()))
        ):
            return True
        if self.area_all and classification != "restricted" and in_area:
            return True
        return self.restricted and classification == "restricted" and in_area


NO_SCOPE = ReportScope(False, None, frozenset(), frozenset(), False, False, False, False, False)


def report_scope(user: Any) -> ReportScope:
    """The viewer's scope: a few small queries, once per request (or once per live connection)."""
    if user is None or not getattr(user, "is_authenticated", False) or not report_can(user, "reports.view"):
        return NO_SCOPE
    if getattr(user, "is_superuser", False):
        return ReportScope(True, user.pk, frozenset(), frozenset(), True, True, True, True, True)
    from linsek.agencies.models import Organisation

    org_ids: set[int] = set()
    area: set[int] = set()
    sector = ""
    if user.organisation_id:
        org = Organisation.objects.select_related("type").filter(pk=user.organisation_id).first()
        if org is not None:
            sector = org.type.sector
            org_ids.add(org.pk)
            frontier = [org.pk]
            while frontier:  # the organisations below (Polres → its Polsek); a small tree
                children = list(Organisation.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
                frontier = [c for c in children if c not in org_ids]
                org_ids.update(frontier)
            area.update(org.jurisdiction.values_list("id", flat=True))
    person = getattr(user, "person", None)
    if person is not None and person.home_region_id:
        area.add(person.home_region_id)
    view_area = report_can(user, "reports.view_area")
    return ReportScope(
        everything=False,
        user_id=user.pk,
        org_ids=frozenset(org_ids),
        area_ids=frozenset(area),
        own=True,
        routed=report_can(user, "reports.act") or view_area,
        area_public=True,
        area_all=view_area,
        restricted=report_can(user, "reports.view_restricted") and sector in restricted_sectors(),
    )


def identity_visible(
    scope: ReportScope, *, reporter_id: int | None, receiving_org_ids: set[int] | frozenset[int]
) -> bool:
    """Whether the reporter's name, phone and NIK may be shown: the receiving agency, or the reporter himself."""
    if scope.everything:
        return True
    if scope.user_id is not None and reporter_id == scope.user_id:
        return True
    return bool(scope.org_ids & set(receiving_org_ids))
