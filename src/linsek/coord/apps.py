from django.apps import AppConfig


class CoordConfig(AppConfig):
    name = "linsek.coord"
    label = "coord"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Koordinasi lintas sektoral"

    def ready(self) -> None:
        from linsek.coord import checks  # noqa: F401  (registers the rule-file check)
