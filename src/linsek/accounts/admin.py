from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from linsek.accounts.models import ApiToken, Role, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("linsek", {"fields": ("person", "organisation", "roles")}),
    )
    raw_id_fields = ("person", "organisation")
    filter_horizontal = ("roles", "groups", "user_permissions")
    list_display = ("username", "first_name", "last_name", "organisation", "is_active", "is_staff")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("code", "name_id", "name_en", "rank")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # roles come from accounts/rules/policy.json

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "user", "role", "organisation", "created_at", "last_used_at", "revoked_at")
    # The scope is chosen when the token is issued (``linsek token create --role``), never widened later.
    readonly_fields = ("prefix", "digest", "role", "organisation", "created_at", "last_used_at")
    raw_id_fields = ("user",)
