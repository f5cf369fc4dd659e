"""Election-crime cases: the case file, its parties, articles, linked reports, documents and stages.

A case follows a rule set (``cases/rules/<code>.json``); its stages are rows, one per transition, each with
who started it, when, the document and note that justified it, its statutory due moment and when it ended.
The current stage's timing is copied onto the case (``current_*``) so that the deadline board and its
counts read one table with one index, at province scale.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Case(models.Model):
    class Origin(models.TextChoices):
        FINDING = "finding", _("Temuan pengawas")
        REPORT = "report", _("Laporan")

    class Status(models.TextChoices):
        OPEN = "open", _("Berjalan")
        CLOSED = "closed", _("Selesai")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("nomor perkara"), max_length=40, unique=True)
    rule_set = models.CharField(_("aturan"), max_length=40)
    rule_version = models.CharField(max_length=20)
    origin = models.CharField(_("asal"), max_length=10, choices=Origin.choices)
    origin_reference = models.CharField(
        _("rujukan asal"), max_length=120, blank=True, help_text=_("nomor temuan/laporan Bawaslu atau kode laporan")
    )
    report_uuid = models.UUIDField(
        _("UUID laporan asal"), null=True, blank=True, db_index=True, help_text=_("laporan di modul insiden, bila ada")
    )
    title = models.CharField(_("judul"), max_length=200)
    summary = models.TextField(_("uraian"), blank=True)
    occurred_at = models.DateTimeField(_("waktu kejadian"), null=True, blank=True)
    known_at = models.DateTimeField(_("waktu diketahui/ditemukan"))
    registered_at = models.DateTimeField(_("waktu registrasi"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah"))
    tps = models.ForeignKey(
        "regions.PollingStation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="TPS"
    )
    district = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    regency = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    time_zone = models.CharField(max_length=32, default="Asia/Jakarta")
    can_change_result = models.BooleanField(
        _("dapat memengaruhi perolehan suara"), default=False, help_text=_("UU 7/2017 Pasal 484")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    stage = models.CharField(_("tahap"), max_length=40)
    outcome = models.CharField(_("hasil"), max_length=20, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    filed_at = models.DateTimeField(_("dilimpahkan ke pengadilan"), null=True, blank=True)
    current_started_at = models.DateTimeField(null=True, blank=True)
    current_due_at = models.DateTimeField(null=True, blank=True)
    current_at_risk_at = models.DateTimeField(null=True, blank=True)
    current_critical_at = models.DateTimeField(null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_org = models.ForeignKey(
        "agencies.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["regency", "status", "current_due_at"]),
            models.Index(fields=["province", "status", "current_due_at"]),
            models.Index(fields=["district", "status"]),
            models.Index(fields=["status", "current_due_at"]),
        ]
        verbose_name = _("perkara")
        verbose_name_plural = _("perkara")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseCounter(models.Model):
    """The last number given per regency and year (locked while numbering, so numbers never repeat)."""

    scope = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "year"], name="case_counter_scope_year")]

    def __str__(self) -> str:
        return f"{self.scope}/{self.year}: {self.last}"


class CaseParty(models.Model):
    class Role(models.TextChoices):
        REPORTER = "reporter", _("Pelapor")
        FINDER = "finder", _("Penemu (pengawas)")
        REPORTED = "reported", _("Terlapor")
        WITNESS = "witness", _("Saksi")
        SUSPECT = "suspect", _("Tersangka")
        DEFENDANT = "defendant", _("Terdakwa")
        CONVICT = "convict", _("Terpidana")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("peran"), max_length=12, choices=Role.choices)
    name = models.CharField(_("nama"), max_length=160)
    identity_number = models.CharField(_("NIK/nomor identitas"), max_length=32, blank=True)
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    note = models.CharField(_("catatan"), max_length=255, blank=True)

    class Meta:
        ordering = ["case", "role", "id"]
        verbose_name = _("pihak")
        verbose_name_plural = _("pihak")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class CaseArticle(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="articles")
    article = models.PositiveSmallIntegerField(_("pasal"))
    paragraph = models.CharField(_("ayat"), max_length=20, blank=True)

    class Meta:
        ordering = ["case", "article", "paragraph"]
        constraints = [
            models.UniqueConstraint(fields=["case", "article", "paragraph"], name="case_article_unique"),
        ]
        verbose_name = _("pasal disangkakan")
        verbose_name_plural = _("pasal disangkakan")

    def __str__(self) -> str:
        return f"Pasal {self.article}{f' ayat ({self.paragraph})' if self.paragraph else ''}"


class CaseReport(models.Model):
    """A report linked to the case: by the incidents module's UUID when it exists, else by a reference."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    report_uuid = models.UUIDField(null=True, blank=True, db_index=True)
    reference = models.CharField(_("rujukan"), max_length=120, blank=True)
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    linked_at = models.DateTimeField()
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["case", "linked_at"]
        verbose_name = _("laporan terkait")
        verbose_name_plural = _("laporan terkait")

    def __str__(self) -> str:
        return str(self.report_uuid or self.reference)


def case_document_path(instance: CaseDocument, filename: str) -> str:
    """Stored under an unguessable name; the original name is kept in the row, never in the path."""
    return f"cases/{instance.case.uuid}/{uuid.uuid4().hex}"


class CaseDocument(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    stage = models.ForeignKey("CaseStage", null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")
    kind = models.CharField(_("jenis dokumen"), max_length=40)
    title = models.CharField(_("judul"), max_length=200, blank=True)
    file = models.FileField(upload_to=case_document_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "uploaded_at", "id"]
        verbose_name = _("dokumen perkara")
        verbose_name_plural = _("dokumen perkara")

    def __str__(self) -> str:
        return self.title or self.original_name


class CaseStage(models.Model):
    """One stage of a case: opened by a transition (who/when/document/note), closed by the next one."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stages")
    seq = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=40)
    sector = models.CharField(max_length=16)
    responsible_org = models.ForeignKey(
        "agencies.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    document = models.ForeignKey(CaseDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    limit_kind = models.CharField(max_length=16, blank=True)
    limit_value = models.PositiveIntegerField(null=True, blank=True)
    article = models.CharField(max_length=20, blank=True)
    counted_from = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    met = models.BooleanField(null=True, blank=True, help_text=_("ended by its due moment"))
    exit_timely = models.BooleanField(null=True, blank=True, help_text=_("the leaving transition's own limit"))
    at_risk_at = models.DateTimeField(null=True, blank=True, help_text=_("first at-risk threshold (50 %)"))
    critical_at = models.DateTimeField(null=True, blank=True, help_text=_("second at-risk threshold (80 %)"))
    alert_level = models.PositiveSmallIntegerField(default=0, help_text=_("last threshold notified: 0, 50, 80, 100"))
    next_alert_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="case_stage_seq_unique"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="case_stage_one_open_per_case"
            ),
        ]
        indexes = [models.Index(fields=["next_alert_at"]), models.Index(fields=["ended_at", "due_at"])]
        verbose_name = _("tahap perkara")
        verbose_name_plural = _("tahap perkara")

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.code}"
