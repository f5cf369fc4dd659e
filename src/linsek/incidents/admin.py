"""Admin: rule sets (taxonomy, routing, escalation, status, intake) are edited here, validated before saving;
reports are shown read-only (every change to a report goes through the services, with its audit event)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from linsek.audit.services import audit_append
from linsek.incidents.models import Report, RuleSet
from linsek.incidents.rules import RuleError, document_validate, file_document, rules_cache_clear


class RuleSetForm(forms.ModelForm):
    class Meta:
        model = RuleSet
        fields = ["kind", "version", "source", "note", "active", "document"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk and not self.initial.get("document"):
            kind = self.initial.get("kind") or "routing"
            self.initial["document"] = file_document(kind)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        document = data.get("document")
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError as exc:
                raise forms.ValidationError(f"not JSON: {exc}") from exc
        if document is not None and data.get("kind"):
            try:
                document_validate(data["kind"], document)
            except (RuleError, KeyError, TypeError, ValueError) as exc:
                raise forms.ValidationError(f"rule set refused: {exc}") from exc
            if str(document.get("version", "")) != data.get("version"):
                raise forms.ValidationError("the version field must equal the document's 'version'")
        return data


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    form = RuleSetForm
    list_display = ["kind", "version", "active", "source", "created_at", "created_by"]
    list_filter = ["kind", "active"]

    def save_model(self, request: HttpRequest, obj: RuleSet, form: Any, change: bool) -> None:
        obj.created_by = obj.created_by or request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        audit_append(
            action="incidents.ruleset_save",
            actor=request.user,
            object_type="incidents.ruleset",
            object_id=obj.pk,
            data={"kind": obj.kind, "version": obj.version, "active": obj.active},
        )
        rules_cache_clear()  # this process at once; other processes within the cache's 5 seconds


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "severity", "status", "classification", "district", "lead_org", "received_at"]
    list_filter = ["status", "kind", "severity", "classification", "channel"]
    search_fields = ["uuid", "title", "description"]
    exclude = ["reporter_name", "reporter_phone", "reporter_nik"]  # identity only for the receiving agency

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
