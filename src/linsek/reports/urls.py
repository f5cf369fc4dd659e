"""Pages of the situation report, mounted at /laporan-situasi/."""

from django.urls import path

from linsek.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.daily, name="daily"),
    path("unduh/", views.download, name="download"),
    path("terbitkan/", views.issue, name="issue"),
    path("<int:pk>/", views.report_detail, name="report"),
    path("<int:pk>/<str:fmt>/", views.report_file, name="file"),
    path("rapat/<int:meeting_id>/bahan.pdf", views.briefing, name="briefing"),
]
