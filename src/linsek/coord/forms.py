"""Forms of the coordination pages: they parse and present; the rules live in the services.

Every form keeps what the person typed when the service refuses it (``problems_to_form``), so nothing entered
is lost on an error.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from linsek.agencies.models import Organisation, Person
from linsek.coord.models import ActionStatus, Invitation, Meeting
from linsek.coord.rules import task_catalogue
from linsek.core.errors import ValidationFailed
from linsek.regions.models import Region

LOCAL_INPUT = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def problems_to_form(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's field problems on the form's fields (or on the form when it has no such field)."""
    aliases = {"owner_person": "owner_person", "attendees": "people", "binds": "binds", "invited": "invited"}
    placed = False
    for p in exc.problems:
        name = aliases.get(p.field, p.field)
        if name in form.fields:
            form.add_error(name, p.message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def organisation_choices() -> Any:
    return Organisation.objects.filter(active=True).select_related("type").order_by("type__rank", "name")


class RegionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class EventForm(forms.Form):
    title = forms.CharField(label=_("Judul"), max_length=200)
    event_type = forms.ChoiceField(label=_("Jenis kegiatan"))
    starts_at = forms.DateTimeField(label=_("Waktu mulai"), widget=LocalDateTimeInput(), input_formats=LOCAL_INPUT)
    ends_at = forms.DateTimeField(label=_("Waktu selesai"), widget=LocalDateTimeInput(), input_formats=LOCAL_INPUT)
    region = RegionField(
        label=_("Wilayah"),
        queryset=Region.objects.filter(level__in=["regency", "district", "village"]).defer("boundary"),
        required=False,
    )
    place = forms.CharField(label=_("Tempat"), max_length=200, required=False)
    expected_crowd = forms.IntegerField(label=_("Perkiraan massa (orang)"), required=False)
    permit_number = forms.CharField(label=_("Nomor izin/STTP"), max_length=80, required=False)
    permit_issuer = forms.CharField(label=_("Penerbit izin"), max_length=120, required=False)
    units = forms.ModelMultipleChoiceField(
        label=_("Satuan bertugas"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    description = forms.CharField(label=_("Uraian"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, language: str = "id", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["event_type"]).choices = [
            (code, et.name(language)) for code, et in task_catalogue().event_types.items()
        ]
        units = self.fields["units"]
        assert isinstance(units, forms.ModelMultipleChoiceField)
        units.queryset = organisation_choices()


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Judul rapat"), max_length=200)
    kind = forms.ChoiceField(label=_("Jenis rapat"), choices=Meeting.Kind.choices, initial=Meeting.Kind.RAKOR)
    starts_at = forms.DateTimeField(label=_("Waktu mulai"), widget=LocalDateTimeInput(), input_formats=LOCAL_INPUT)
    ends_at = forms.DateTimeField(
        label=_("Waktu selesai"), widget=LocalDateTimeInput(), input_formats=LOCAL_INPUT, required=False
    )
    place = forms.CharField(label=_("Tempat"), max_length=200)
    region = RegionField(
        label=_("Wilayah"),
        queryset=Region.objects.filter(level__in=["province", "regency", "district"]).defer("boundary"),
    )
    organiser = forms.ModelChoiceField(label=_("Penyelenggara"), queryset=Organisation.objects.none())
    chair_name = forms.CharField(label=_("Pimpinan rapat"), max_length=160, required=False)
    invited = forms.ModelMultipleChoiceField(
        label=_("Instansi diundang"),
        queryset=Organisation.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    agenda = forms.CharField(
        label=_("Acara (satu per baris)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    summary = forms.CharField(label=_("Pokok bahasan"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("organiser", "invited"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = organisation_choices()


class AttendanceForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Instansi"), queryset=Organisation.objects.none())
    attendance = forms.ChoiceField(label=_("Kehadiran"), choices=Invitation.Attendance.choices)
    people = forms.ModelMultipleChoiceField(label=_("Personel hadir"), queryset=Person.objects.none(), required=False)
    names = forms.CharField(
        label=_("Nama hadir (satu per baris)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_ids = meeting.invitations.values("organisation_id")
        org = self.fields["organisation"]
        assert isinstance(org, forms.ModelChoiceField)
        org.queryset = Organisation.objects.filter(pk__in=org_ids).order_by("type__rank", "name")
        people = self.fields["people"]
        assert isinstance(people, forms.ModelMultipleChoiceField)
        people.queryset = Person.objects.filter(organisation_id__in=org_ids, active=True)


class AgendaForm(forms.Form):
    title = forms.CharField(label=_("Acara"), max_length=300)


class PresentationForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Instansi"), queryset=Organisation.objects.none())
    title = forms.CharField(label=_("Judul paparan"), max_length=200, required=False)
    file = forms.FileField(label=_("Berkas (PDF atau PPTX)"))

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = self.fields["organisation"]
        assert isinstance(org, forms.ModelChoiceField)
        org.queryset = organisations


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Notulen"), widget=forms.Textarea(attrs={"rows": 8}))


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Isi keputusan"), widget=forms.Textarea(attrs={"rows": 3}))
    binds = forms.ModelMultipleChoiceField(
        label=_("Mengikat instansi"),
        queryset=Organisation.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        required=False,
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        binds = self.fields["binds"]
        assert isinstance(binds, forms.ModelMultipleChoiceField)
        binds.queryset = Organisation.objects.filter(pk__in=meeting.invitations.values("organisation_id")).order_by(
            "type__rank", "name"
        )


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("Tindak lanjut"), max_length=300)
    owner_org = forms.ModelChoiceField(
        label=_("Instansi penanggung jawab"), queryset=Organisation.objects.none(), required=False
    )
    owner_person = forms.ModelChoiceField(label=_("PIC"), queryset=Person.objects.none(), required=False)
    due_date = forms.DateField(label=_("Tenggat"), widget=DateInput(), required=False)
    decision = forms.ChoiceField(label=_("Dari keputusan nomor"), required=False)
    description = forms.CharField(label=_("Uraian"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    report_ref = forms.CharField(label=_("Laporan terkait (mis. L123)"), max_length=64, required=False)
    case_ref = forms.CharField(label=_("Nomor perkara terkait"), max_length=64, required=False)
    plan_ref = forms.CharField(label=_("Rencana pengamanan terkait"), max_length=64, required=False)
    event = forms.ChoiceField(label=_("Agenda kalender terkait"), required=False)

    def __init__(self, *args: Any, meeting: Meeting, events: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner_org"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = organisation_choices()
        person = self.fields["owner_person"]
        assert isinstance(person, forms.ModelChoiceField)
        person.queryset = (
            Person.objects.filter(active=True)
            .select_related("organisation")
            .order_by("organisation__name", "full_name")
        )
        cast(forms.ChoiceField, self.fields["decision"]).choices = [("", "—")] + [
            (str(d.pk), f"{d.number}. {d.text[:60]}") for d in meeting.decisions.order_by("number")
        ]
        cast(forms.ChoiceField, self.fields["event"]).choices = [("", "—"), *events]


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status baru"), choices=ActionStatus.choices)
    evidence = forms.CharField(label=_("Bukti penyelesaian"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    reason = forms.CharField(label=_("Alasan pembatalan"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    note = forms.CharField(label=_("Catatan"), max_length=500, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Alasan pembatalan"), max_length=200)
