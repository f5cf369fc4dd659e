"""Organisations, their jurisdictions and contact points, and the people who serve in them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from linsek.regions.models import Region


class OrganisationType(models.Model):
    """A kind of body (Polres, Polsek, PPK, Panwascam, …); data from ``rules/organisation_types.json``."""

    class Sector(models.TextChoices):
        POLRI = "polri", "Polri"
        TNI = "tni", "TNI"
        KPU = "kpu", "KPU"
        BAWASLU = "bawaslu", "Bawaslu"
        PEMDA = "pemda", _("Pemerintah daerah")
        KEJAKSAAN = "kejaksaan", _("Kejaksaan")
        PENGADILAN = "pengadilan", _("Pengadilan")

    code = models.SlugField(max_length=32, primary_key=True)
    name_id = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    sector = models.CharField(max_length=16, choices=Sector.choices)
    level = models.CharField(max_length=10, help_text=_("region level it usually covers"))
    parent_types = models.JSONField(default=list, blank=True, help_text=_("codes of allowed parent types"))
    rank = models.PositiveSmallIntegerField(default=0, help_text=_("sort order in the directory"))
    source = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("jenis organisasi")
        verbose_name_plural = _("jenis organisasi")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


class Organisation(models.Model):
    """A concrete body: Polres Jepara, Polsek Mayong, PPK Kedung, Panwascam Keling, …"""

    code = models.SlugField(_("kode"), max_length=64, unique=True)
    name = models.CharField(_("nama"), max_length=160)
    short_name = models.CharField(_("nama singkat"), max_length=60, blank=True)
    type = models.ForeignKey(OrganisationType, on_delete=models.PROTECT, related_name="organisations")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    jurisdiction = models.ManyToManyField(Region, blank=True, related_name="organisations")
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    lat = models.FloatField(_("lintang"), null=True, blank=True)
    lon = models.FloatField(_("bujur"), null=True, blank=True)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["type__rank", "code"]
        verbose_name = _("organisasi")
        verbose_name_plural = _("organisasi")

    def __str__(self) -> str:
        return self.name


class ContactPoint(models.Model):
    """How to reach an organisation's office: its desk phone, WhatsApp, radio channel, e-mail."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Telepon")
        WHATSAPP = "whatsapp", "WhatsApp"
        EMAIL = "email", _("Surel")
        RADIO = "radio", _("Radio (HT)")
        OTHER = "other", _("Lainnya")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.CharField(max_length=160)
    label = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["organisation", "kind", "id"]
        verbose_name = _("kontak")
        verbose_name_plural = _("kontak")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class DutyRole(models.Model):
    """What a person does in the operation (Kapolsek, Bhabinkamtibmas, Babinsa, Linmas, …); data."""

    code = models.SlugField(max_length=32, primary_key=True)
    name_id = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    sector = models.CharField(max_length=16, choices=OrganisationType.Sector.choices)
    source = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["sector", "code"]
        verbose_name = _("peran tugas")
        verbose_name_plural = _("peran tugas")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


class Person(models.Model):
    """A member of an organisation. The phone is personal data: shown only through the policy."""

    key = models.CharField(
        max_length=120, unique=True, help_text=_("id:<NRP/NIP/NIK> or org:<organisation>:<name>; the import key")
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    full_name = models.CharField(_("nama lengkap"), max_length=120)
    rank = models.CharField(_("pangkat"), max_length=60, blank=True)
    position = models.CharField(_("jabatan"), max_length=120, blank=True)
    id_number = models.CharField(_("NRP/NIP/NIK"), max_length=32, blank=True)
    phone = models.CharField(_("telepon"), max_length=32, blank=True)
    duty_role = models.ForeignKey(DutyRole, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    home_region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stationed_people",
        help_text=_("village or district where the person is stationed"),
    )
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["organisation", "full_name"]
        indexes = [models.Index(fields=["organisation", "duty_role"])]
        verbose_name = _("personel")
        verbose_name_plural = _("personel")

    def __str__(self) -> str:
        return f"{self.rank} {self.full_name}".strip()
