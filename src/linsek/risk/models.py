"""TPS vulnerability: assessments (history kept), the current category per TPS, and command overrides."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linsek.agencies.models import Organisation, Person
from linsek.regions.models import PollingStation, Region


class Assessment(models.Model):
    """One assessment of one TPS against one catalogue version: who, when, the values, and the result.

    Never edited: a new assessment supersedes the older ones (the latest ``assessed_at`` counts), so the
    history of a TPS reads top to bottom. The score, category and explanation are stored as computed at
    the time, with the catalogue version that computed them.
    """

    class Source(models.TextChoices):
        FORM = "form", _("Formulir")
        GRID = "grid", _("Tabel desa")
        IMPORT = "import", _("Impor berkas")
        API = "api", _("API")
        DEMO = "demo", _("Data demo")

    class AssessorRole(models.TextChoices):
        PENGAWAS = "pengawas", _("Pengawas (Panwascam/PKD/Pengawas TPS)")
        BHABINKAMTIBMAS = "bhabinkamtibmas", _("Bhabinkamtibmas")
        BABINSA = "babinsa", _("Babinsa")
        OTHER = "lainnya", _("Lainnya")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, help_text=_("client-made; a replay returns the original"))
    tps = models.ForeignKey(PollingStation, on_delete=models.PROTECT, related_name="risk_assessments")
    catalogue = models.CharField(_("katalog indikator"), max_length=80)
    assessed_at = models.DateTimeField(_("waktu penilaian"))
    assessor_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assessor_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessor_role = models.CharField(_("peran penilai"), max_length=20, choices=AssessorRole.choices)
    values = models.JSONField(_("nilai indikator"), default=dict)
    score = models.FloatField(_("skor"))
    index = models.FloatField(_("indeks"))
    category = models.CharField(_("kategori"), max_length=20)
    explanation = models.JSONField(default=dict)
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    batch = models.CharField(max_length=64, blank=True, help_text=_("digest of the imported file"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [models.Index(fields=["tps", "-assessed_at", "-id"], name="risk_assess_tps_latest")]
        verbose_name = _("penilaian kerawanan")
        verbose_name_plural = _("penilaian kerawanan")

    def __str__(self) -> str:
        return f"{self.tps_id} {self.category} @ {self.assessed_at:%Y-%m-%d}"


class TpsRisk(models.Model):
    """The category in force for one TPS: from its latest assessment (or its type), or a command override.

    Kept by ``risk.services`` after every assessment and override so that roll-ups and the map are one
    GROUP BY over this table (district/village stored beside the TPS, as ``PollingStation`` does).
    """

    tps = models.OneToOneField(PollingStation, primary_key=True, on_delete=models.CASCADE, related_name="risk")
    village = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    regency = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    catalogue = models.CharField(max_length=80)
    computed_category = models.CharField(max_length=20)
    score = models.FloatField(default=0.0)
    index = models.FloatField(default=0.0)
    override_category = models.CharField(max_length=20, blank=True)
    override_reason = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    category = models.CharField(_("kategori"), max_length=20)
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["district", "category"], name="risk_state_district_cat"),
            models.Index(fields=["regency", "category"], name="risk_state_regency_cat"),
            models.Index(fields=["village", "category"], name="risk_state_village_cat"),
        ]
        verbose_name = _("kategori TPS")
        verbose_name_plural = _("kategori TPS")

    def __str__(self) -> str:
        return f"{self.tps_id}: {self.category}"


class CategoryOverride(models.Model):
    """A category set by hand by the command (or cleared: empty category), with its written reason."""

    tps = models.ForeignKey(PollingStation, on_delete=models.PROTECT, related_name="risk_overrides")
    category = models.CharField(_("kategori"), max_length=20, blank=True, help_text=_("empty = override cleared"))
    previous_category = models.CharField(max_length=20, blank=True)
    reason = models.TextField(_("alasan"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="risk_override_has_reason")]
        verbose_name = _("penetapan kategori manual")
        verbose_name_plural = _("penetapan kategori manual")

    def __str__(self) -> str:
        return f"{self.tps_id} → {self.category or '—'}"
