"""Field reports, who they are routed to, their timeline, attachments, and the rule sets in force.

A report is written by two lanes — Django (``services.report_submit``) and the async intake lane of
``linsek.asgi`` (group commit) — through the same SQL writer (``incidents.writer``), so the columns
below are the contract of both. The place is stored at every level (village, district, regency,
province) so that need-to-know, filters and the district status use one indexed equality each.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Classification(models.TextChoices):
    PUBLIC = "public", _("Publik")
    INTERNAL = "internal", _("Internal")
    RESTRICTED = "restricted", _("Terbatas")


class Status(models.TextChoices):
    NEW = "new", _("Baru")
    ACKNOWLEDGED = "acknowledged", _("Diterima")
    VERIFIED = "verified", _("Terverifikasi")
    REJECTED = "rejected", _("Ditolak")
    IN_HANDLING = "in_handling", _("Ditangani")
    RESOLVED = "resolved", _("Selesai ditangani")
    CLOSED = "closed", _("Ditutup")


OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.VERIFIED, Status.IN_HANDLING)


class Channel(models.TextChoices):
    WEB = "web", _("Formulir web")
    API = "api", "API"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"


class RejectReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplikat")
    HOAX = "hoax", _("Hoaks / tidak benar")
    OUT_OF_SCOPE = "out_of_scope", _("Di luar lingkup")


class Report(models.Model):
    """One report of a problem, from whoever saw it. ``uuid`` is made by the client: a replay returns this row."""

    uuid = models.UUIDField(unique=True, editable=False)
    content_digest = models.CharField(max_length=64, help_text=_("SHA-256 of the submitted content (replay check)"))
    kind = models.CharField(_("jenis"), max_length=32)
    crowd_level = models.CharField(_("tingkat massa"), max_length=8, blank=True, default="")
    severity = models.PositiveSmallIntegerField(_("tingkat keparahan"))
    classification = models.CharField(_("klasifikasi"), max_length=12, choices=Classification.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    title = models.CharField(_("judul"), max_length=140, blank=True, default="")
    description = models.TextField(_("uraian"))
    observed_at = models.DateTimeField(_("waktu kejadian"))
    received_at = models.DateTimeField(_("waktu diterima"))
    updated_at = models.DateTimeField()
    # References to the registries (regions, TPS, organisations, users) are kept by Django, not by database
    # constraints (``db_constraint=False``): the one writer takes them from those registries, and
    # Django's PROTECT / SET_NULL still guard every delete. At election-day rates the database's own checks locked
    # the same few rows (the province, the regency, the Polres) from every transaction at commit, and cost about
    # a fifth of the intake (README, design notes). The keys between a report and its own rows stay constraints.
    tps = models.ForeignKey(
        "regions.PollingStation", null=True, blank=True, related_name="+", on_delete=models.PROTECT, db_constraint=False
    )
    village = models.ForeignKey(
        "regions.Region", null=True, blank=True, related_name="+", on_delete=models.PROTECT, db_constraint=False
    )
    # district, regency, reporter and lead_org need no index of their own: the composite indexes of Meta lead with
    # them. Each index is one more write per report on the intake path.
    district = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        on_delete=models.PROTECT,
        db_constraint=False,
    )
    regency = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        on_delete=models.PROTECT,
        db_constraint=False,
    )
    province = models.ForeignKey(
        "regions.Region", null=True, blank=True, related_name="+", on_delete=models.PROTECT, db_constraint=False
    )
    lat = models.FloatField(_("lintang"), null=True, blank=True)
    lon = models.FloatField(_("bujur"), null=True, blank=True)
    people_count = models.PositiveIntegerField(_("jumlah orang"), null=True, blank=True)
    ballot_count = models.PositiveIntegerField(_("jumlah surat suara"), null=True, blank=True)
    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        on_delete=models.SET_NULL,
        db_constraint=False,
    )
    reporter_org = models.ForeignKey(
        "agencies.Organisation", null=True, blank=True, related_name="+", on_delete=models.SET_NULL, db_constraint=False
    )
    # Identity of the reporter: shown only to the receiving agency (lead / escalated) and the reporter.
    reporter_name = models.CharField(max_length=120, blank=True, default="")
    reporter_phone = models.CharField(max_length=32, blank=True, default="")
    reporter_nik = models.CharField(max_length=16, blank=True, default="")
    needs_verification = models.BooleanField(default=False)
    lead_org = models.ForeignKey(
        "agencies.Organisation",
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        on_delete=models.PROTECT,
        db_constraint=False,
    )
    routing = models.JSONField(default=dict, help_text=_("the routing decision, its rule and reason"))
    ack_due_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    # The three foreign keys below are empty when a report arrives: their indexes are partial (see Meta), so
    # intake does not add a NULL entry to each of them for every report.
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    handled_since = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(max_length=16, blank=True, default="", choices=RejectReason.choices)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged", db_index=False
    )
    closure_requested_by = models.ForeignKey(
        "agencies.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    closure_requested_at = models.DateTimeField(null=True, blank=True)
    closure_note = models.TextField(blank=True, default="")
    case_ref = models.CharField(_("perkara"), max_length=64, blank=True, default="")
    # Set by the worker's scan (flows.reports_duplicates_scan): an open report this one looks like; a person decides.
    suggested_duplicate = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "district"], name="report_status_district"),
            models.Index(fields=["district", "received_at"], name="report_district_received"),
            models.Index(fields=["regency", "received_at"], name="report_regency_received"),
            models.Index(fields=["lead_org", "status"], name="report_lead_status"),
            models.Index(fields=["kind", "observed_at"], name="report_kind_observed"),
            models.Index(fields=["reporter", "received_at"], name="report_reporter_received"),
            models.Index(fields=["ack_due_at"], name="report_ack_due", condition=Q(status="new")),
            models.Index(fields=["-severity", "id"], name="report_unnotified", condition=Q(notified_at__isnull=True)),
            models.Index(fields=["handled_by"], name="report_handled_by", condition=Q(handled_by__isnull=False)),
            models.Index(fields=["merged_into"], name="report_merged_into", condition=Q(merged_into__isnull=False)),
            models.Index(
                fields=["closure_requested_by"],
                name="report_closure_requested_by",
                condition=Q(closure_requested_by__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(severity__gte=1, severity__lte=4), name="report_severity_1_4"),
        ]
        verbose_name = _("laporan")
        verbose_name_plural = _("laporan")

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"

    @property
    def reference(self) -> str:
        """The number people quote (SMS replies, phone calls)."""
        return f"L{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RecipientRole(models.TextChoices):
    LEAD = "lead", _("Penanggung jawab")
    SUPPORT = "support", _("Pendukung")
    INFORM = "inform", _("Tembusan")
    ESCALATED = "escalated", _("Eskalasi")


class ReportRecipient(models.Model):
    """An organisation a report was routed to, and in which role; the agency queue reads this table."""

    # Both keys are covered by the unique constraint and the index of Meta (report, org / org, report).
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="recipients", db_index=False)
    organisation = models.ForeignKey(
        "agencies.Organisation", related_name="+", db_index=False, on_delete=models.PROTECT, db_constraint=False
    )
    role = models.CharField(max_length=10, choices=RecipientRole.choices)
    added_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "organisation"], name="recipient_once")]
        indexes = [models.Index(fields=["organisation", "report"], name="recipient_org_report")]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.organisation_id} ({self.role})"


class ReportEvent(models.Model):
    """One line of a report's timeline: who did what, when, from which status to which, with a note."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events", db_index=False)  # (report, at)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_constraint=False
    )
    actor_label = models.CharField(max_length=150, blank=True, default="")
    organisation = models.ForeignKey(
        "agencies.Organisation", null=True, blank=True, related_name="+", on_delete=models.SET_NULL, db_constraint=False
    )
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16, blank=True, default="")
    note = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["report", "at"], name="report_event_report_at")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never the client's name on disk: the content hash plus the extension of the detected type.
    return f"reports/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Attachment(models.Model):
    """A photo or PDF; its type is detected from its bytes, never from its name."""

    EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=200, blank=True, default="")
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return f"{self.report_id} {self.content_type} {self.sha256[:12]}"

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, ".bin")


class DuplicateDismissal(models.Model):
    """A person decided that two reports suggested as duplicates are not; the pair is not suggested again."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "other"], name="dismissal_once")]

    def __str__(self) -> str:
        return f"{self.report_id} ≠ {self.other_id}"


class RuleSet(models.Model):
    """An administrator's version of one rule file (taxonomy, routing, escalation, status, intake).

    The files in ``incidents/rules/`` are the defaults; the newest active row of a kind replaces its
    file. A row is validated by the same loader before it is saved, so a broken rule set is refused.
    """

    class Kind(models.TextChoices):
        TAXONOMY = "taxonomy", _("Taksonomi")
        ROUTING = "routing", _("Aturan rute")
        ESCALATION = "escalation", _("Eskalasi")
        STATUS = "status", _("Status Kamtibmas")
        INTAKE = "intake", _("Batas masukan")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    version = models.CharField(max_length=40)
    document = models.JSONField()
    source = models.CharField(max_length=255)
    note = models.TextField(blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["kind", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="ruleset_kind_version")]
        verbose_name = _("set aturan")
        verbose_name_plural = _("set aturan")

    def __str__(self) -> str:
        return f"{self.kind} {self.version}"
