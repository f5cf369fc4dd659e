"""SMS/WhatsApp intake: the senders we know, and every inbound message with what became of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegisteredSender(models.Model):
    """A phone number we know: its user (if any) and default place, used when a message names none."""

    phone = models.CharField(_("nomor"), max_length=20, unique=True, help_text=_("E.164 without +, e.g. 6281234567890"))
    name = models.CharField(_("nama"), max_length=120, blank=True, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    default_tps = models.ForeignKey("regions.PollingStation", null=True, blank=True, on_delete=models.SET_NULL)
    default_region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.SET_NULL)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("pengirim terdaftar")
        verbose_name_plural = _("pengirim terdaftar")

    def __str__(self) -> str:
        return f"{self.phone} {self.name}".strip()


class InboundMessage(models.Model):
    """One text received through the webhook; ``report`` is the report it created or joined (the thread)."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Laporan baru")
        APPENDED = "appended", _("Tambahan laporan")
        HELP = "help", _("Bantuan format")
        INVALID = "invalid", _("Ditolak")
        REPEAT = "repeat", _("Pesan ulang")

    channel = models.CharField(max_length=10)
    provider_id = models.CharField(max_length=100)
    sender = models.CharField(max_length=20)
    text = models.TextField()
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    report = models.ForeignKey("incidents.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reply = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["channel", "provider_id"], name="inbound_once")]
        indexes = [models.Index(fields=["sender", "received_at"], name="inbound_sender_at")]
        verbose_name = _("pesan masuk")
        verbose_name_plural = _("pesan masuk")

    def __str__(self) -> str:
        return f"{self.channel} {self.sender}: {self.text[:40]}"
