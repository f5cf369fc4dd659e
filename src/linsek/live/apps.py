from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "linsek.live"
    label = "live"
    verbose_name = "Live events"
