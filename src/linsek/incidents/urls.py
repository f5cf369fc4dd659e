"""Pages of the incidents app (namespace ``incidents``), mounted at ``/laporan/``; the SMS/WhatsApp webhook too."""

from django.urls import path

from linsek.incidents import views
from linsek.intake import views as intake_views

app_name = "incidents"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("baru/", views.report_form, name="form"),
    path("kirim/", views.report_submit_json, name="submit"),
    path("antrian/", views.queue, name="queue"),
    path("massal/", views.bulk, name="bulk"),
    path("peta.json", views.map_layer, name="map"),
    path("ekspor.csv", views.export_csv, name="export"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/aksi/", views.report_act, name="act"),
    path("<int:report_id>/lampiran/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("masuk/sms/", intake_views.webhook, {"channel": "sms"}, name="webhook-sms"),
    path("masuk/whatsapp/", intake_views.webhook, {"channel": "whatsapp"}, name="webhook-whatsapp"),
]
