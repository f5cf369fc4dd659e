"""Top-level URL map: pages (web), the JSON API, the admin, auth and language switching."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from linsek.accounts import views as account_views
from linsek.api.api import api

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/", account_views.two_factor, name="two_factor"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("risiko/", include("linsek.risk.urls")),
    path("pengamanan/", include("linsek.deploy.urls")),
    path("perkara/", include("linsek.cases.urls")),
    path("laporan/", include("linsek.incidents.urls")),
    path("koordinasi/", include("linsek.coord.urls")),
    path("laporan-situasi/", include("linsek.reports.urls")),
    path("", include("linsek.web.urls")),
]
