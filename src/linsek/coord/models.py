"""The coordination room: calendar, meetings with attendance and presentations, decisions, action items,
and the responsibilities matrix.

Times are stored in UTC. An all-day calendar entry runs from local midnight of its first day to local
midnight after its last day (the end is exclusive, as in iCalendar), so "what happens on 14 Feb" is one
range query. Action items carry a due *date* (local), because that is how a meeting sets them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CalendarSet(models.Model):
    """A versioned calendar loaded from ``coord/rules/calendar_<code>.json`` (e.g. Pemilu 2024)."""

    code = models.SlugField(max_length=40, unique=True)
    name_id = models.CharField(max_length=160)
    name_en = models.CharField(max_length=160)
    version = models.CharField(max_length=40)
    source = models.TextField()
    time_zone = models.CharField(max_length=40)
    document_sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("kalender")
        verbose_name_plural = _("kalender")

    def __str__(self) -> str:
        return f"{self.name_id} ({self.version})"


class CalendarEvent(models.Model):
    """A stage of a calendar, or an agency's event (a rally, a debate viewing, a logistics run, a recap)."""

    class Kind(models.TextChoices):
        OPERATION = "operasi", _("Operasi")
        STAGE = "tahapan", _("Tahapan pemilu")
        LOGISTICS = "logistik", _("Logistik")
        AGENCY = "instansi", _("Kegiatan instansi")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    calendar = models.ForeignKey(CalendarSet, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    code = models.SlugField(max_length=48, blank=True, default="", help_text=_("kode tahapan dalam kalendernya"))
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    event_type = models.CharField(_("jenis kegiatan"), max_length=32, blank=True, default="")
    title = models.CharField(_("judul"), max_length=200)
    description = models.TextField(_("uraian"), blank=True, default="")
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"))
    all_day = models.BooleanField(_("sepanjang hari"), default=False)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah")
    )
    place = models.CharField(_("tempat"), max_length=200, blank=True, default="")
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    expected_crowd = models.PositiveIntegerField(_("perkiraan massa"), null=True, blank=True)
    permit_number = models.CharField(_("nomor izin/STTP"), max_length=80, blank=True, default="")
    permit_issuer = models.CharField(_("penerbit izin"), max_length=120, blank=True, default="")
    organiser = models.ForeignKey(
        "agencies.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("instansi pencatat"),
    )
    units = models.ManyToManyField(
        "agencies.Organisation", blank=True, related_name="coord_events_assigned", verbose_name=_("satuan bertugas")
    )
    security_tasks = models.JSONField(default=list, blank=True)
    source = models.TextField(_("sumber"), blank=True, default="")
    version = models.CharField(max_length=40, blank=True, default="")
    derived = models.BooleanField(default=False, help_text=_("tanggal diturunkan, tidak dinyatakan langsung sumber"))
    note = models.TextField(blank=True, default="")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "ends_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="coord_event_ends_after_start"),
            models.UniqueConstraint(
                fields=["calendar", "code"], condition=~Q(code=""), name="coord_event_code_once_per_calendar"
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at", "ends_at"], name="coord_event_range"),
            models.Index(fields=["region", "starts_at"], name="coord_event_region_start"),
        ]
        verbose_name = _("agenda kalender")
        verbose_name_plural = _("agenda kalender")

    def __str__(self) -> str:
        return self.title

    @property
    def is_stage(self) -> bool:
        return self.kind != self.Kind.AGENCY


class Meeting(models.Model):
    """A cross-sector meeting (Rakor Lintas Sektoral and others). ``series`` links the meetings whose open
    action items carry over from one to the next (e.g. the Rakor Linsek of one regency)."""

    class Kind(models.TextChoices):
        RAKOR = "rakor_linsek", _("Rakor Lintas Sektoral")
        GAKKUMDU = "gakkumdu", _("Rapat Sentra Gakkumdu")
        FORKOPIMDA = "forkopimda", _("Rapat Forkopimda")
        TECHNICAL = "teknis", _("Rapat teknis")
        OTHER = "lainnya", _("Rapat lain")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Dijadwalkan")
        HELD = "held", _("Terlaksana")
        CANCELLED = "cancelled", _("Dibatalkan")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    series = models.SlugField(_("seri"), max_length=80)
    kind = models.CharField(_("jenis rapat"), max_length=16, choices=Kind.choices, default=Kind.RAKOR)
    title = models.CharField(_("judul"), max_length=200)
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    place = models.CharField(_("tempat"), max_length=200)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah"))
    organiser = models.ForeignKey(
        "agencies.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("penyelenggara")
    )
    chair_person = models.ForeignKey(
        "agencies.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("pimpinan")
    )
    chair_name = models.CharField(_("pimpinan rapat"), max_length=160, blank=True, default="")
    chair_organisation = models.ForeignKey(
        "agencies.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    summary = models.TextField(_("pokok bahasan"), blank=True, default="")
    minutes = models.TextField(_("notulen"), blank=True, default="")
    minutes_recorded_at = models.DateTimeField(null=True, blank=True)
    minutes_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                name="coord_meeting_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["series", "starts_at"], name="coord_meeting_series_start")]
        verbose_name = _("rapat")
        verbose_name_plural = _("rapat")

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """An organisation invited to a meeting, and who came for it."""

    class Attendance(models.TextChoices):
        INVITED = "invited", _("Diundang")
        PRESENT = "present", _("Hadir")
        REPRESENTED = "represented", _("Diwakilkan")
        ABSENT = "absent", _("Tidak hadir")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey("agencies.Organisation", on_delete=models.PROTECT, related_name="+")
    attendance = models.CharField(max_length=12, choices=Attendance.choices, default=Attendance.INVITED)
    attendees = models.ManyToManyField("agencies.Person", blank=True, related_name="+")
    attendee_names = models.TextField(
        _("nama hadir lain"), blank=True, default="", help_text=_("satu nama per baris, bila tidak ada di registri")
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organisation__type__rank", "organisation__code"]
        constraints = [models.UniqueConstraint(fields=["meeting", "organisation"], name="coord_invitation_once")]
        verbose_name = _("undangan")
        verbose_name_plural = _("undangan")

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.organisation_id} {self.attendance}"


class AgendaItem(models.Model):
    """One line of a meeting's agenda; carried-over action items are lines too (``action_item`` set)."""

    class Kind(models.TextChoices):
        TOPIC = "topic", _("Pokok bahasan")
        PRESENTATION = "presentation", _("Paparan instansi")
        CARRIED = "carried", _("Tindak lanjut rapat sebelumnya")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TOPIC)
    title = models.CharField(max_length=300)
    organisation = models.ForeignKey(
        "agencies.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action_item = models.ForeignKey(
        "ActionItem", null=True, blank=True, on_delete=models.CASCADE, related_name="carried_into"
    )
    overdue = models.BooleanField(default=False, help_text=_("lewat tenggat saat dibawa ke rapat ini"))

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "action_item"],
                condition=Q(action_item__isnull=False),
                name="coord_agenda_carry_once",
            ),
        ]
        verbose_name = _("acara rapat")
        verbose_name_plural = _("acara rapat")

    def __str__(self) -> str:
        return self.title


def presentation_path(instance: Presentation, filename: str) -> str:
    # Never the uploader's file name on disk: a generated name with the extension of the detected type.
    return f"coord/presentations/{instance.meeting.uuid}/{instance.uuid}{instance.extension}"


class Presentation(models.Model):
    """An agency's presentation for a meeting (PDF or PPTX); its type is read from its bytes."""

    EXTENSIONS = {
        "application/pdf": ".pdf",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    }

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="presentations")
    organisation = models.ForeignKey("agencies.Organisation", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("judul"), max_length=200)
    file = models.FileField(upload_to=presentation_path, max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(null=True, blank=True, help_text=_("halaman (PDF) atau slide (PPTX)"))
    original_name = models.CharField(max_length=200, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting", "organisation__type__rank", "uploaded_at", "id"]
        verbose_name = _("paparan")
        verbose_name_plural = _("paparan")

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, ".bin")

    @property
    def format_label(self) -> str:
        return self.extension.lstrip(".").upper()


class Decision(models.Model):
    """A numbered decision of a meeting and the agencies it binds."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveSmallIntegerField(_("nomor"))
    text = models.TextField(_("isi keputusan"))
    binds = models.ManyToManyField("agencies.Organisation", related_name="+", verbose_name=_("mengikat"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="coord_decision_number_once")]
        verbose_name = _("keputusan")
        verbose_name_plural = _("keputusan")

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Terbuka")
    IN_PROGRESS = "in_progress", _("Dikerjakan")
    DONE = "done", _("Selesai")
    DROPPED = "dropped", _("Dibatalkan")


UNRESOLVED = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionItem(models.Model):
    """A task a meeting gave to one organisation (and a person in it), with a due date.

    Done needs evidence, dropped needs a reason (checked in the service and by constraints). It may link to
    a field report, a case, a deployment plan or a calendar entry; reports, cases and plans belong to other
    domains and are linked by their public reference, not by a foreign key.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="action_items")
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items")
    number = models.PositiveSmallIntegerField(_("nomor"))
    title = models.CharField(_("tindak lanjut"), max_length=300)
    description = models.TextField(_("uraian"), blank=True, default="")
    owner_org = models.ForeignKey(
        "agencies.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("instansi penanggung jawab")
    )
    owner_person = models.ForeignKey(
        "agencies.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("PIC")
    )
    due_date = models.DateField(_("tenggat"))
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    evidence = models.TextField(_("bukti penyelesaian"), blank=True, default="")
    drop_reason = models.TextField(_("alasan pembatalan"), blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True)
    event = models.ForeignKey(
        CalendarEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    report_ref = models.CharField(_("laporan terkait"), max_length=64, blank=True, default="")
    case_ref = models.CharField(_("perkara terkait"), max_length=64, blank=True, default="")
    plan_ref = models.CharField(_("rencana pengamanan terkait"), max_length=64, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="coord_action_number_once"),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(evidence=""), name="coord_action_done_evidence"),
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(drop_reason=""), name="coord_action_dropped_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="coord_action_status_due"),
            models.Index(fields=["owner_org", "status"], name="coord_action_owner_status"),
        ]
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")

    def __str__(self) -> str:
        return self.title

    @property
    def is_unresolved(self) -> bool:
        return self.status in UNRESOLVED

    @property
    def reference(self) -> str:
        return f"TL-{self.meeting_id}.{self.number}"


class ActionItemEvent(models.Model):
    """One line of an action item's history: who changed what, when, with what note."""

    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=150, blank=True, default="")
    from_status = models.CharField(max_length=12, blank=True, default="")
    to_status = models.CharField(max_length=12, blank=True, default="")
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action_item_id} {self.from_status}->{self.to_status}"


class Responsibility(models.Model):
    """A line of the responsibilities matrix: for a stage or an event type, an organisation type leads or
    supports. Seeded from ``coord/rules/responsibilities.json``; editable by an administrator."""

    class SubjectKind(models.TextChoices):
        STAGE = "stage", _("Tahapan")
        EVENT_TYPE = "event_type", _("Jenis kegiatan")

    class Role(models.TextChoices):
        LEAD = "lead", _("Memimpin")
        SUPPORT = "support", _("Mendukung")

    subject_kind = models.CharField(max_length=12, choices=SubjectKind.choices)
    subject_code = models.CharField(max_length=48)
    organisation_type = models.ForeignKey("agencies.OrganisationType", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=8, choices=Role.choices)
    note = models.CharField(max_length=300, blank=True, default="")
    source = models.CharField(max_length=300, blank=True, default="")
    version = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["subject_kind", "subject_code", "role", "organisation_type__rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_code", "organisation_type"], name="coord_responsibility_once"
            ),
            models.UniqueConstraint(
                fields=["subject_kind", "subject_code"], condition=Q(role="lead"), name="coord_responsibility_one_lead"
            ),
        ]
        verbose_name = _("matriks tanggung jawab")
        verbose_name_plural = _("matriks tanggung jawab")

    def __str__(self) -> str:
        return f"{self.subject_kind}:{self.subject_code} {self.role} {self.organisation_type_id}"
