from django.contrib import admin

from linsek.agencies.models import ContactPoint, DutyRole, Organisation, OrganisationType, Person


@admin.register(OrganisationType)
class OrganisationTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_id", "name_en", "sector", "level", "rank")
    list_filter = ("sector",)


@admin.register(DutyRole)
class DutyRoleAdmin(admin.ModelAdmin):
    list_display = ("code", "name_id", "name_en", "sector")
    list_filter = ("sector",)


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "type", "parent", "active")
    list_filter = ("type__sector", "type")
    search_fields = ("code", "name", "short_name")
    # Jurisdiction may hold thousands of regions nationally: pick them by id, not from a giant list.
    raw_id_fields = ("parent", "jurisdiction")
    inlines = [ContactPointInline]
    list_select_related = ("type", "parent")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("full_name", "rank", "position", "organisation", "duty_role", "active")
    list_filter = ("duty_role", "organisation__type")
    search_fields = ("full_name", "id_number", "key")
    raw_id_fields = ("organisation", "home_region")
    list_select_related = ("organisation", "duty_role")
    list_per_page = 100
