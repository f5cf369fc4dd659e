"""Risk pages and layers, mounted at ``risiko/`` with the namespace ``risk``."""

from django.urls import path

from linsek.risk import views

app_name = "risk"
urlpatterns = [
    path("", views.index, name="index"),
    path("wilayah/<str:code>/", views.region_detail, name="region"),
    path("tps/<str:code>/", views.tps_detail, name="tps"),
    path("tps/<str:code>/nilai/", views.assess, name="assess"),
    path("desa/<str:code>/tabel/", views.village_grid, name="grid"),
    path("impor/", views.import_page, name="import"),
    path("peta/tps.json", views.tps_layer, name="layer-tps"),
    path("peta/wilayah.json", views.areas_layer, name="layer-areas"),
]
