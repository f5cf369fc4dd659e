"""Regions (province → regency → district → village) and polling stations (TPS)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from linsek.core.codes import Level


class Region(models.Model):
    """An administrative area with its Kemendagri code.

    One table for all four levels keeps the hierarchy generic; the roll-up columns
    (``tps_count``, ``voters_*``) are maintained by :func:`regions.services.rollups_refresh`
    after every import so that the dashboard and the national view never aggregate TPS rows.
    """

    class Kind(models.TextChoices):
        PROVINCE = "provinsi", _("Provinsi")
        KABUPATEN = "kabupaten", _("Kabupaten")
        KOTA = "kota", _("Kota")
        KECAMATAN = "kecamatan", _("Kecamatan")
        DESA = "desa", _("Desa")
        KELURAHAN = "kelurahan", _("Kelurahan")

    code = models.CharField(_("kode"), max_length=13, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.CharField(_("tingkat"), max_length=10, choices=[(lv.value, lv.value) for lv in Level])
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    lat = models.FloatField(_("lintang"), null=True, blank=True)
    lon = models.FloatField(_("bujur"), null=True, blank=True)
    time_zone = models.CharField(
        _("zona waktu"), max_length=32, blank=True, help_text=_("IANA zone; empty = inherit from parent")
    )
    is_island = models.BooleanField(_("kepulauan"), default=False)
    boundary = models.TextField(_("batas (GeoJSON)"), blank=True, default="")
    tps_count = models.PositiveIntegerField(_("jumlah TPS"), default=0)
    voters_male = models.PositiveIntegerField(_("pemilih laki-laki"), default=0)
    voters_female = models.PositiveIntegerField(_("pemilih perempuan"), default=0)
    voters_total = models.PositiveIntegerField(_("jumlah pemilih"), default=0)
    source = models.CharField(_("sumber"), max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"]), models.Index(fields=["parent", "code"])]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PollingStation(models.Model):
    """A TPS: village code + three-digit number, with its place and voters.

    The district, regency and province are stored beside the village so that the map,
    filters and roll-ups use one indexed equality instead of joins up the hierarchy.
    """

    class Special(models.TextChoices):
        NONE = "", _("Biasa")
        PRISON = "lapas", _("Lapas/Rutan")
        HOSPITAL = "rumah_sakit", _("Rumah sakit")
        PESANTREN = "pesantren", _("Pondok pesantren")
        RELOCATION = "relokasi", _("Relokasi")
        OTHER = "lainnya", _("Lokasi khusus lain")

    code = models.CharField(_("kode TPS"), max_length=17, unique=True)
    number = models.PositiveSmallIntegerField(_("nomor"))
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="polling_stations")
    district = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    regency = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    lat = models.FloatField(_("lintang"), null=True, blank=True)
    lon = models.FloatField(_("bujur"), null=True, blank=True)
    voters_male = models.PositiveIntegerField(_("pemilih laki-laki"), default=0)
    voters_female = models.PositiveIntegerField(_("pemilih perempuan"), default=0)
    voters_total = models.PositiveIntegerField(_("jumlah pemilih"), default=0)
    island = models.CharField(_("pulau"), max_length=80, blank=True, help_text=_("empty = mainland"))
    boat_only = models.BooleanField(_("hanya lewat laut"), default=False)
    remote = models.BooleanField(_("terpencil"), default=False)
    special = models.CharField(_("TPS khusus"), max_length=16, choices=Special.choices, blank=True, default="")
    access_notes = models.CharField(_("catatan akses"), max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["village", "number"], name="tps_unique_number_in_village"),
            models.CheckConstraint(
                condition=Q(voters_total__gte=F("voters_male") + F("voters_female")),
                name="tps_total_covers_male_female",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "code"]),
            models.Index(fields=["regency", "code"]),
            models.Index(fields=["lat", "lon"]),
        ]
        verbose_name = _("TPS")
        verbose_name_plural = _("TPS")

    def __str__(self) -> str:
        return f"TPS {self.number:03d} {self.village.name}" if self.village_id else self.code

    @property
    def is_island(self) -> bool:
        return bool(self.island)
