"""Pages and map layers (namespace ``web``); login, logout and language switching are in ``linsek.urls``."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from linsek.web import import_views, layers, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("wilayah/", views.regions_index, name="regions"),
    path("wilayah/<str:code>/", views.region_detail, name="region"),
    path("tps/<str:code>/", views.tps_detail, name="tps"),
    path("cari/", views.search, name="search"),
    path("instansi/", views.directory, name="directory"),
    path("instansi/<slug:code>/", views.organisation_detail, name="organisation"),
    path("impor/", import_views.registry_import_page, name="import"),
    path("peta/tps.json", layers.tps_layer, name="layer-tps"),
    path("peta/wilayah.json", layers.areas_layer, name="layer-areas"),
    path("peta/batas.json", layers.boundaries_layer, name="layer-boundaries"),
    # The password pages with this app's templates (django.contrib.admin ships templates of the same
    # registration/ names and comes first in INSTALLED_APPS).
    path(
        "akun/kata-sandi/",
        auth_views.PasswordChangeView.as_view(
            template_name="web/password_change.html", success_url=reverse_lazy("web:password-change-done")
        ),
        name="password-change",
    ),
    path(
        "akun/kata-sandi/selesai/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html"),
        name="password-change-done",
    ),
]
