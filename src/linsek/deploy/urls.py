"""Plan pages, rosters and layers, mounted at ``pengamanan/`` with the namespace ``deploy``."""

from django.urls import path

from linsek.deploy import views

app_name = "deploy"
urlpatterns = [
    path("", views.index, name="index"),
    path("wilayah/<str:code>/", views.scope, name="scope"),
    path("wilayah/<str:code>/pekerjaan/", views.jobs, name="jobs"),
    path("rencana/<int:pk>/", views.plan_detail, name="plan"),
    path("rencana/<int:pk>/setujui/", views.approve, name="approve"),
    path("rencana/<int:pk>/satuan/<slug:unit_code>/roster.<str:fmt>", views.roster, name="roster"),
    path("rencana/<int:pk>/peta/tps.json", views.layer_tps, name="layer-tps"),
    path("rencana/<int:pk>/peta/pos.json", views.layer_posts, name="layer-posts"),
]
