"""Admin: the responsibilities matrix is edited here; calendar stages are read-only (they come from data files),
agency events, meetings and action items are shown for support, and changed through the pages (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from linsek.coord.models import ActionItem, CalendarEvent, CalendarSet, Meeting, Responsibility


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Responsibility)
class ResponsibilityAdmin(admin.ModelAdmin):
    list_display = ("subject_kind", "subject_code", "role", "organisation_type", "note")
    list_filter = ("subject_kind", "role", "organisation_type")
    search_fields = ("subject_code", "note")


@admin.register(CalendarSet)
class CalendarSetAdmin(ReadOnly):
    list_display = ("code", "name_id", "version", "loaded_at")


@admin.register(CalendarEvent)
class CalendarEventAdmin(ReadOnly):
    list_display = ("title", "kind", "starts_at", "ends_at", "region", "organiser", "cancelled_at")
    list_filter = ("kind", "calendar")
    search_fields = ("title", "code", "place")


@admin.register(Meeting)
class MeetingAdmin(ReadOnly):
    list_display = ("title", "starts_at", "place", "status", "series")
    list_filter = ("status", "kind")
    search_fields = ("title", "place")


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnly):
    list_display = ("title", "meeting", "owner_org", "due_date", "status")
    list_filter = ("status",)
    search_fields = ("title",)
