from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "linsek.reports"
    label = "reports"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Laporan situasi"
