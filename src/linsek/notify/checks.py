"""System check: every periodic task named in settings can be imported and is a django-tasks Task."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register
from django.utils.module_loading import import_string


@register()
def periodic_tasks_importable(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from django_tasks.base import Task

    problems: list[CheckMessage] = []
    for entry in getattr(settings, "LINSEK_PERIODIC_TASKS", []):
        path, every = entry
        try:
            task = import_string(path)
        except ImportError as exc:
            problems.append(Warning(f"periodic task {path} cannot be imported: {exc}", id="linsek.W070"))
            continue
        if not isinstance(task, Task) or not isinstance(every, int) or every <= 0:
            problems.append(
                Warning(f"periodic task {path}: not a django-tasks Task or a bad interval {every!r}", id="linsek.W071")
            )
    return problems
