"""Admin views of the deploy app: plans are read-only (services write and audit them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from linsek.deploy.models import Availability, Plan, PlanJob
from linsek.deploy.services import availability_record


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("scope", "version", "status", "mode", "created_at", "approved_at")
    list_filter = ("status",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PlanJob)
class PlanJobAdmin(admin.ModelAdmin):
    """The planning queue as the worker left it (read-only: jobs are queued by ``plan_jobs_enqueue``)."""

    list_display = ("scope", "status", "batch", "enqueued_at", "started_at", "seconds", "plan", "worker")
    list_filter = ("status",)
    search_fields = ("batch", "scope__code")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Availability)
class AvailabilityAdmin(admin.ModelAdmin):
    list_display = ("person", "kind", "start", "end", "note")
    list_filter = ("kind",)
    raw_id_fields = ("person",)
    search_fields = ("person__full_name",)
    exclude = ("created_by", "created_at")

    def save_model(self, request: HttpRequest, obj: Availability, form: Any, change: bool) -> None:
        """New rows go through the service (validated and audited); edits keep who and when."""
        if change:
            super().save_model(request, obj, form, change)
            return
        row = availability_record(
            actor=request.user,
            person=obj.person,
            kind=obj.kind,
            start=obj.start,
            end=obj.end,
            note=obj.note,
            now=timezone.now(),
        )
        obj.pk = row.pk
