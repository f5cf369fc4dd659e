"""Admin: distribution lists are managed here; issued reports are read-only (frozen)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from linsek.reports.models import DistributionList, SituationReport


@admin.register(DistributionList)
class DistributionListAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "language", "active")
    filter_horizontal = ("users", "organisations")
    autocomplete_fields = ()


@admin.register(SituationReport)
class SituationReportAdmin(admin.ModelAdmin):
    list_display = ("region", "date_from", "date_to", "status", "generated_at", "content_sha256")
    list_filter = ("status",)
    exclude = ("content_json",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
