from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "linsek.incidents"
    label = "incidents"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Laporan kejadian"

    def ready(self) -> None:
        from linsek.incidents import checks  # noqa: F401  (registers the system check)
