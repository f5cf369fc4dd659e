from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_taxonomies(sender: AppConfig, **kwargs: Any) -> None:
    # Like contenttypes and permissions: the taxonomy rows follow their data file after every migrate.
    from linsek.agencies.services import taxonomies_sync

    taxonomies_sync()


class AgenciesConfig(AppConfig):
    name = "linsek.agencies"
    label = "agencies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from linsek.agencies import checks  # noqa: F401  (registers the system check)

        post_migrate.connect(_sync_taxonomies, sender=self)
