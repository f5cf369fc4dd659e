from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "linsek.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Perkara pidana pemilu"

    def ready(self) -> None:
        from linsek.cases import checks  # noqa: F401  (registers the rule-file check)
