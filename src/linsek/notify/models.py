"""Notifications: the message, its outbox of deliveries (one per recipient and channel), and the in-app inbox.

Delivery is at-least-once: a worker claims pending deliveries with a lease (``lease_until``), delivers,
then marks them sent. A worker that dies after claiming leaves rows whose lease expires; the next worker
claims them again. The in-app channel is idempotent (one inbox item per user and notification); e-mail
may, after such a crash, be sent twice — the price of never losing one.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message about one thing, for several recipients. ``dedupe_key`` makes an emitter idempotent."""

    class Severity(models.TextChoices):
        INFO = "info", _("Info")
        WARNING = "warning", _("Peringatan")
        CRITICAL = "critical", _("Kritis")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=64, db_index=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.INFO)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """The outbox: one row per recipient and channel, claimed with a lease, marked sent after delivery."""

    class Channel(models.TextChoices):
        INAPP = "inapp", _("Di aplikasi")
        EMAIL = "email", _("Surel")

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        CLAIMED = "claimed", _("Sedang dikirim")
        SENT = "sent", _("Terkirim")
        SKIPPED = "skipped", _("Dilewati")
        DEAD = "dead", _("Gagal")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    available_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "user", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [models.Index(fields=["status", "available_at"]), models.Index(fields=["status", "lease_until"])]
        verbose_name = _("pengiriman")
        verbose_name_plural = _("pengiriman")

    def __str__(self) -> str:
        return f"{self.channel} → {self.user_id}: {self.status}"


class InboxItem(models.Model):
    """A notification in one user's in-app inbox."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_items")
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "notification"], name="inbox_once_per_user")]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("kotak masuk")
        verbose_name_plural = _("kotak masuk")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.notification_id}"
