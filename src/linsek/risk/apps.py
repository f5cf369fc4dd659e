from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "linsek.risk"
    label = "risk"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Kerawanan TPS"

    def ready(self) -> None:
        from linsek.risk import checks  # noqa: F401  (registers the catalogue check)
