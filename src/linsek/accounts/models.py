"""Users, the roles they hold, and API tokens for machine clients."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Role(models.Model):
    """A role a user holds; what each role may do is declared in ``accounts/rules/policy.json``."""

    code = models.SlugField(max_length=32, primary_key=True)
    name_id = models.CharField(max_length=80)
    name_en = models.CharField(max_length=80)
    rank = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("peran")
        verbose_name_plural = _("peran")

    def __str__(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


class User(AbstractUser):
    """A login. Linked to a person of the registry (and so to an organisation) where there is one."""

    person = models.OneToOneField(
        "agencies.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )
    organisation = models.ForeignKey(
        "agencies.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    roles = models.ManyToManyField(Role, blank=True, related_name="users")

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    def role_codes(self) -> frozenset[str]:
        """The user's role codes, cached on the instance for the request."""
        cached: frozenset[str] | None = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.roles.values_list("code", flat=True)) if self.pk else frozenset()
            self._role_codes = cached
        return cached


class ApiToken(models.Model):
    """A bearer token for a machine client. Only its SHA-256 is stored; the secret is shown once.

    A token is scoped to one organisation and one role, chosen when it is issued: a request made with it
    acts with that role's capabilities only, and it stops working (401) once its user no longer holds the
    role or has moved to another organisation. ``role`` is null only for tokens issued before scopes
    existed whose user held no role; those are refused as unscoped.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(
        "agencies.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
