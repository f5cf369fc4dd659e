"""Daily situation reports (Laporan Situasi Harian): frozen snapshots with their hash, their rendered files,
and the distribution lists the morning job sends them to.

A report's content is the canonical JSON of everything it states (figures, names, the charts' SVG), stored as
text exactly as hashed: ``content_sha256 = SHA-256(content_json)``. The web page, PDF and XLSX are rendered from
that text only, so later edits to reports, cases or action items never change what a report said. Issuing
appends an audit event carrying the hash, which the audit chain then protects.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SituationReport(models.Model):
    class Status(models.TextChoices):
        GENERATED = "generated", _("Dibuat (belum resmi)")
        ISSUED = "issued", _("Diterbitkan")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah"))
    date_from = models.DateField(_("dari tanggal"))
    date_to = models.DateField(_("sampai tanggal"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.GENERATED)
    schema = models.PositiveSmallIntegerField(default=1)
    content_json = models.TextField()
    content_sha256 = models.CharField(max_length=64)
    has_data = models.BooleanField(default=True)
    final = models.BooleanField(default=True, help_text=_("periode sudah berakhir saat dibuat"))
    audit_seq = models.BigIntegerField(null=True, blank=True)
    audit_hash = models.CharField(max_length=64, blank=True, default="")
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date_to", "-generated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(date_to__gte=F("date_from")), name="sitrep_range_in_order"),
            models.UniqueConstraint(
                fields=["region", "date_from", "date_to"],
                condition=Q(status="issued"),
                name="sitrep_issued_once_per_period",
            ),
        ]
        indexes = [models.Index(fields=["region", "date_to", "status"], name="sitrep_region_date")]
        verbose_name = _("laporan situasi")
        verbose_name_plural = _("laporan situasi")

    def __str__(self) -> str:
        return f"Lapsit {self.region_id} {self.date_from}..{self.date_to} ({self.status})"

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def period_label(self) -> str:
        if self.date_from == self.date_to:
            return self.date_from.isoformat()
        return f"{self.date_from.isoformat()} – {self.date_to.isoformat()}"


def rendition_path(instance: Rendition, filename: str) -> str:
    return f"sitrep/{instance.report.uuid}/{instance.language}{instance.extension}"


class Rendition(models.Model):
    """A rendered file of a frozen report (PDF or XLSX, one per language), kept so that a download is the
    same bytes every time; its own SHA-256 is recorded."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"

    report = models.ForeignKey(SituationReport, on_delete=models.CASCADE, related_name="renditions")
    format = models.CharField(max_length=4, choices=Format.choices)
    language = models.CharField(max_length=5)
    file = models.FileField(upload_to=rendition_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "format", "language"], name="sitrep_rendition_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.format} {self.language}"

    @property
    def extension(self) -> str:
        return f".{self.format}"


class DistributionList(models.Model):
    """Who receives a region's daily report each morning: named users, and the users of named organisations
    who may read situation reports."""

    name = models.CharField(_("nama"), max_length=120)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah"))
    language = models.CharField(_("bahasa"), max_length=5, default="id", choices=settings.LANGUAGES)
    active = models.BooleanField(_("aktif"), default=True)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("pengguna"))
    organisations = models.ManyToManyField(
        "agencies.Organisation", blank=True, related_name="+", verbose_name=_("instansi")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("daftar distribusi")
        verbose_name_plural = _("daftar distribusi")

    def __str__(self) -> str:
        return self.name
