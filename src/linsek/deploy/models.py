"""Deployment plans (versions, posts, named teams) and the availability of people."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from linsek.agencies.models import Organisation, Person
from linsek.regions.models import PollingStation, Region


class Availability(models.Model):
    """A period a person cannot be deployed (leave, sickness, another duty); dates inclusive, local days."""

    class Kind(models.TextChoices):
        LEAVE = "leave", _("Cuti")
        SICK = "sick", _("Sakit")
        OTHER_DUTY = "other_duty", _("Tugas lain")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="absences")
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    start = models.DateField(_("mulai"))
    end = models.DateField(_("sampai"))
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["person", "start"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=F("start")), name="availability_end_after_start")]
        indexes = [models.Index(fields=["start", "end"])]
        verbose_name = _("ketidaktersediaan personel")
        verbose_name_plural = _("ketidaktersediaan personel")

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.start}–{self.end}"


class Plan(models.Model):
    """One version of the TPS security plan of a regency. Approved versions are read-only."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        APPROVED = "approved", _("Disetujui")
        SUPERSEDED = "superseded", _("Digantikan")

    scope = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="deploy_plans")
    version = models.PositiveIntegerField(_("versi"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    label = models.CharField(_("keterangan"), max_length=160, blank=True)
    mode = models.CharField(max_length=8, default="full", help_text=_("full or replan"))
    base = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text=_("plan re-planned from")
    )
    compared_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text=_("approved plan diffed")
    )
    duty_start = models.DateField(_("hari tugas mulai"))
    duty_end = models.DateField(_("hari tugas selesai"))
    catalogue = models.CharField(max_length=80)
    patterns = models.JSONField(_("pola pengamanan"))
    summary = models.JSONField(default=dict)
    diff = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["scope", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "version"], name="deploy_plan_version_unique"),
            models.UniqueConstraint(
                fields=["scope"], condition=Q(status="approved"), name="deploy_plan_one_approved_per_scope"
            ),
        ]
        verbose_name = _("rencana pengamanan")
        verbose_name_plural = _("rencana pengamanan")

    def __str__(self) -> str:
        return f"{self.scope_id} v{self.version} ({self.status})"

    @property
    def read_only(self) -> bool:
        return self.status != self.Status.DRAFT


class Post(models.Model):
    """A guard post: TPS of one area and island, its category, what it needs and from which unit."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="posts")
    key = models.CharField(max_length=24, help_text=_("smallest TPS code of the post"))
    number = models.PositiveIntegerField(_("nomor pos"))
    area = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    island = models.CharField(max_length=80, blank=True)
    category = models.CharField(max_length=20)
    priority = models.PositiveSmallIntegerField(default=1)
    lat = models.FloatField()
    lon = models.FloatField()
    diameter_m = models.FloatField(default=0.0)
    police_needed = models.PositiveSmallIntegerField()
    tni_needed = models.PositiveSmallIntegerField(default=0)
    linmas_needed = models.PositiveSmallIntegerField(default=0)
    unit = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10)  # covered | partial | uncovered

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="deploy_post_key_unique")]
        indexes = [models.Index(fields=["plan", "unit"]), models.Index(fields=["plan", "area"])]
        verbose_name = _("pos pengamanan")
        verbose_name_plural = _("pos pengamanan")

    def __str__(self) -> str:
        return f"Pos {self.number} ({self.key})"


class PostStation(models.Model):
    """A TPS in a post, with the category it had when planned (re-plans compare against it)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="stations")
    tps = models.ForeignKey(PollingStation, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=20)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "tps"], name="deploy_tps_once_per_plan")]

    def __str__(self) -> str:
        return f"{self.post_id}: {self.tps_id}"


class Assignment(models.Model):
    """A named person on a post; one post per person per plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(max_length=8)
    source = models.CharField(max_length=12)  # own | neighbour | reserve | urgent
    crossing = models.BooleanField(default=False)
    distance_m = models.FloatField(default=0.0)

    class Meta:
        ordering = ["post", "sector", "person"]
        constraints = [models.UniqueConstraint(fields=["plan", "person"], name="deploy_person_once_per_plan")]
        indexes = [models.Index(fields=["plan", "unit"])]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.post_id}"


class PlanJob(models.Model):
    """One planning run of a regency through the background worker queue, and what became of it.

    The page and ``linsek plan --queue/--all-regencies`` enqueue these; the worker runs them. The row is the
    status the page polls (queued → running → done | failed), the job's own timing (for the national
    benchmark's percentiles) and, when done, the plan version it wrote. A failed job wrote no plan.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Dalam antrean")
        RUNNING = "running", _("Sedang dihitung")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    batch = models.CharField(max_length=40, help_text=_("one enqueue call (a national run is one batch)"))
    scope = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="deploy_jobs")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    mode = models.CharField(max_length=8, default="auto")
    label = models.CharField(max_length=160, blank=True)
    patterns = models.JSONField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(max_length=120, blank=True)
    enqueued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True, help_text=_("the job's own time in the worker"))
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-enqueued_at", "-id"]
        indexes = [models.Index(fields=["scope", "status"]), models.Index(fields=["batch", "status"])]
        verbose_name = _("pekerjaan perencanaan")
        verbose_name_plural = _("pekerjaan perencanaan")

    def __str__(self) -> str:
        return f"{self.scope_id} {self.status} ({self.batch})"

    @property
    def open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
