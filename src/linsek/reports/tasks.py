"""Background tasks of the situation report (django-tasks API; run by ``linsek worker``)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django_tasks import task

from linsek.regions.models import Region
from linsek.reports.services import rendition_get, sitrep_generate, sitrep_morning, sitrep_ready_notify


@task()
def sitrep_morning_task(now: str | None = None) -> dict[str, int]:
    """Periodic: issue and send yesterday's reports once the morning hour has passed (idempotent)."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    result = sitrep_morning(now=moment)
    return {"issued": len(result.issued), "sent": result.sent, "waiting": result.waiting}


@task()
def sitrep_generate_task(
    region_code: str, date_from: str, date_to: str, fmt: str, language: str, user_id: int, now: str | None = None
) -> dict[str, object]:
    """A large report requested from the page: build, render, and notify the requester that it is ready."""
    from linsek.accounts.models import User

    moment = datetime.fromisoformat(now) if now else timezone.now()
    region = Region.objects.get(code=region_code)
    user = User.objects.filter(pk=user_id).first()
    report = sitrep_generate(
        actor=user,
        region=region,
        date_from=date.fromisoformat(date_from),
        date_to=date.fromisoformat(date_to),
        now=moment,
    )
    rendition_get(report=report, fmt=fmt, language=language, now=moment)
    sitrep_ready_notify(report=report, user_id=user_id, fmt=fmt, language=language, now=moment)
    return {"report": report.pk, "sha256": report.content_sha256}
