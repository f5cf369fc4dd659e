from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "linsek.notify"
    label = "notify"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Notifikasi"

    def ready(self) -> None:
        from linsek.notify import checks  # noqa: F401  (registers the periodic-task check)
