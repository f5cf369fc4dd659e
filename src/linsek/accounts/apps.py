from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender: AppConfig, **kwargs: Any) -> None:
    # The role rows follow the policy file after every migrate.
    from linsek.accounts.services import roles_sync

    roles_sync()


class AccountsConfig(AppConfig):
    name = "linsek.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from linsek.accounts import checks  # noqa: F401  (registers the system check)
        from linsek.accounts.auth_events import auth_events_connect

        post_migrate.connect(_sync_roles, sender=self)
        auth_events_connect()
