from django.contrib import admin

from linsek.regions.models import PollingStation, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "kind", "tps_count", "voters_total")
    list_filter = ("level", "kind", "is_island")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = ("tps_count", "voters_male", "voters_female", "voters_total")
    list_per_page = 100


@admin.register(PollingStation)
class PollingStationAdmin(admin.ModelAdmin):
    list_display = ("code", "village", "address", "voters_total", "island", "special")
    list_filter = ("special", "boat_only", "remote")
    search_fields = ("code", "address", "village__name")
    raw_id_fields = ("village", "district", "regency", "province")
    list_select_related = ("village",)
    list_per_page = 100
