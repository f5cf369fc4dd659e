"""The deadline watcher: notify when an open stage passes 50 % and 80 % of its time, and when it is overdue.

Each open stage carries its threshold moments (``at_risk_at``, ``critical_at``, ``due_at``), the last
threshold notified (``alert_level``) and when the next one falls (``next_alert_at``), so one pass reads only
the stages with something to say, through one index, and moves them on with three set-based UPDATEs per
batch. A pass that finds several thresholds crossed at once (the worker was down) sends the highest only.
Each notification carries the dedupe key ``case-stage:<id>:<percent>`` and the level is raised in the same
transaction as the outbox rows are written: running the watcher twice, or two at once, never notifies twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.urls import reverse

from linsek.cases.deadlines import moment_label
from linsek.cases.models import Case, CaseStage
from linsek.cases.rules import RuleSet, rule_set
from linsek.cases.selectors import case_readers
from linsek.notify.services import NotificationDraft, notifications_emit_many

OVERDUE = 100
_NEXT = {50: F("critical_at"), 80: F("due_at"), OVERDUE: None}


@dataclass
class WatchResult:
    scanned: int = 0
    notified: int = 0


def _message(stage: CaseStage, case: Case, rs: RuleSet, level: int) -> tuple[str, str, str]:
    name = rs.stages[stage.code].name if stage.code in rs.stages else stage.code
    assert stage.due_at is not None
    due_local = moment_label(stage.due_at.astimezone(ZoneInfo(case.time_zone)))
    article = f" (UU 7/2017 Pasal {stage.article})" if stage.article else ""
    if level >= OVERDUE:
        subject = f"LEWAT TENGGAT: {case.number} — {name}"
        body = f"Tahap '{name}' perkara {case.number} melewati tenggat {due_local}{article}."
        severity = "critical"
    else:
        subject = f"{level}% waktu terpakai: {case.number} — {name}"
        body = f"Tahap '{name}' perkara {case.number} telah memakai {level}% waktunya; tenggat {due_local}{article}."
        severity = "warning" if level >= rs.at_risk[1] else "info"
    return subject, body, severity


def _crossed(stage: CaseStage, now: datetime) -> int:
    if stage.due_at is not None and stage.due_at <= now:
        return OVERDUE
    if stage.critical_at is not None and stage.critical_at <= now:
        return 80
    if stage.at_risk_at is not None and stage.at_risk_at <= now:
        return 50
    return 0


def cases_watch(*, now: datetime, batch: int = 5000) -> WatchResult:
    """One pass over the open stages whose next threshold has come; emits the notifications it owes."""
    result = WatchResult()
    last_id = 0
    readers_cache: dict[tuple[int | None, ...], list[int]] = {}
    detail_url = reverse("cases:detail", args=[0]).rsplit("0/", 1)[0]
    while True:
        with transaction.atomic():
            stages = list(
                CaseStage.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(ended_at__isnull=True, next_alert_at__lte=now, id__gt=last_id)
                .select_related("case")
                .only(
                    "id",
                    "code",
                    "article",
                    "due_at",
                    "at_risk_at",
                    "critical_at",
                    "alert_level",
                    "case__id",
                    "case__number",
                    "case__rule_set",
                    "case__time_zone",
                    "case__region_id",
                    "case__district_id",
                    "case__regency_id",
                    "case__province_id",
                    "case__filed_at",
                )
                .order_by("id")[:batch]
            )
            if not stages:
                break
            last_id = stages[-1].id
            drafts: list[NotificationDraft] = []
            moved: dict[int, list[int]] = defaultdict(list)
            for stage in stages:
                result.scanned += 1
                case = stage.case
                crossed = _crossed(stage, now)
                level = max(crossed, stage.alert_level)
                if crossed > stage.alert_level:
                    rs = rule_set(case.rule_set)
                    key = (
                        case.region_id,
                        case.district_id,
                        case.regency_id,
                        case.province_id,
                        int(bool(case.filed_at)),
                    )
                    if key not in readers_cache:
                        readers_cache[key] = case_readers(case)
                    subject, body, severity = _message(stage, case, rs, crossed)
                    drafts.append(
                        NotificationDraft(
                            kind="case.deadline",
                            subject=subject,
                            body=body,
                            url=f"{detail_url}{case.pk}/",
                            severity=severity,
                            recipients=readers_cache[key],
                            object_type="case",
                            object_id=str(case.pk),
                            data={"stage": stage.code, "percent": crossed, "due": stage.due_at.isoformat()}
                            if stage.due_at
                            else {},
                            dedupe_key=f"case-stage:{stage.pk}:{crossed}",
                        )
                    )
                moved[level].append(stage.pk)
            result.notified += notifications_emit_many(drafts, now=now)
            for level, ids in moved.items():
                nxt = _NEXT.get(level, F("at_risk_at"))
                for i in range(0, len(ids), 900):
                    CaseStage.objects.filter(id__in=ids[i : i + 900]).update(alert_level=level, next_alert_at=nxt)
    return result
