from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from linsek.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, even for administrators."""

    list_display = ("seq", "at", "action", "actor_label", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("object_id", "actor_label", "request_id")
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
