"""Scope API tokens to an organisation and a role.

Existing tokens keep working with the least-privileged role their user holds (highest ``rank``) and
the user's organisation: never more than before, often less. A token whose user holds no role stays
unscoped and is refused at authentication (reissue it with ``linsek token create --role``).
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def tokens_scope_backfill(apps: Any, schema_editor: Any) -> None:
    ApiToken = apps.get_model("accounts", "ApiToken")
    User = apps.get_model("accounts", "User")
    for token in ApiToken.objects.filter(role__isnull=True).iterator():
        user = User.objects.get(pk=token.user_id)
        role = user.roles.order_by("-rank", "code").first()
        token.role_id = role.pk if role is not None else None
        token.organisation_id = user.organisation_id
        token.save(update_fields=["role", "organisation"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("agencies", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="api_tokens",
                to="agencies.organisation",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="role",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="api_tokens",
                to="accounts.role",
            ),
        ),
        migrations.RunPython(tokens_scope_backfill, migrations.RunPython.noop),
    ]
