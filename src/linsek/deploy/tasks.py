"""Background tasks of the deploy app (django-tasks API; run by ``linsek worker``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks import task

from linsek.deploy.services import plan_generate
from linsek.regions.models import Region


@task()
def plan_generate_task(
    regency_code: str, mode: str = "auto", label: str = "", user_id: int | None = None
) -> dict[str, Any]:
    """Generate one regency's plan in the worker (a national run enqueues one per regency)."""
    actor = get_user_model().objects.filter(id=user_id).first() if user_id else None
    regency = Region.objects.get(code=regency_code)
    plan = plan_generate(actor=actor, regency=regency, now=timezone.now(), mode=mode, label=label)
    return {"plan": plan.id, "version": plan.version, "posts": plan.summary["posts"], "seconds": plan.seconds}
