"""Admin views of risk data: read-only (writes go through the services, which audit them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from linsek.risk.models import Assessment, CategoryOverride, TpsRisk


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly):
    list_display = ("tps", "category", "score", "assessed_at", "assessor_role", "source")
    list_filter = ("category", "source", "assessor_role")
    search_fields = ("tps__code",)
    raw_id_fields = ("tps", "assessor_person", "assessor_organisation")


@admin.register(TpsRisk)
class TpsRiskAdmin(ReadOnly):
    list_display = ("tps", "category", "computed_category", "override_category", "score")
    list_filter = ("category",)
    search_fields = ("tps__code",)


@admin.register(CategoryOverride)
class CategoryOverrideAdmin(ReadOnly):
    list_display = ("tps", "previous_category", "category", "actor", "at")
