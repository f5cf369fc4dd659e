from django.apps import AppConfig


class DeployConfig(AppConfig):
    name = "linsek.deploy"
    label = "deploy"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Pengamanan TPS"

    def ready(self) -> None:
        from linsek.deploy import checks  # noqa: F401  (registers the pattern and pool checks)
