from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "linsek.intake"
    label = "intake"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "SMS / WhatsApp"

    def ready(self) -> None:
        from linsek.intake.gateways import channels_register

        channels_register()
