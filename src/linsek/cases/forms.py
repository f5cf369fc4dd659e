"""Forms of the case pages: parsing only; the rules live in services and the rule set."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from linsek.cases.models import Case
from linsek.cases.rules import rule_set

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read in the deployment's zone (WIB for Jepara)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=DATETIME_FORMATS, **kwargs)


class CaseRegisterForm(forms.Form):
    origin = forms.ChoiceField(label=_("Asal"), choices=Case.Origin.choices)
    title = forms.CharField(label=_("Judul singkat"), max_length=200)
    summary = forms.CharField(label=_("Uraian"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    known_at = LocalDateTimeField(
        label=_("Waktu ditemukan/diketahui"), help_text=_("Menentukan batas registrasi (Pasal 454 ayat 5 dan 6).")
    )
    occurred_at = LocalDateTimeField(label=_("Waktu kejadian"), required=False)
    region = forms.ChoiceField(label=_("Tempat (kecamatan/desa)"))
    tps = forms.CharField(label=_("Kode TPS (bila ada)"), required=False, max_length=20)
    origin_reference = forms.CharField(label=_("Nomor temuan/laporan atau kode laporan"), required=False)
    report_uuid = forms.UUIDField(label=_("UUID laporan (modul insiden)"), required=False)
    articles = forms.MultipleChoiceField(label=_("Pasal yang disangkakan"), required=False)
    reporter = forms.CharField(label=_("Pelapor/penemu"), required=False, max_length=160)
    reported = forms.CharField(label=_("Terlapor"), required=False, max_length=160)
    can_change_result = forms.BooleanField(label=_("Dapat memengaruhi perolehan suara (Pasal 484)"), required=False)
    document = forms.FileField(label=_("Formulir temuan/laporan"), required=False)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = regions
        rs = rule_set()
        cast(forms.ChoiceField, self.fields["articles"]).choices = [
            (str(n), f"Pasal {n} — {a.name}") for n, a in sorted(rs.articles.items())
        ]
        self.fields["articles"].widget.attrs["size"] = 8


class CaseTransitionForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Tahap berikutnya"))
    at = LocalDateTimeField(
        label=_("Waktu terjadi"), required=False, help_text=_("Kosongkan untuk sekarang; boleh waktu lampau.")
    )
    note = forms.CharField(label=_("Catatan"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    document = forms.FileField(label=_("Dokumen"), required=False)
    existing_document = forms.TypedChoiceField(
        label=_("atau dokumen yang sudah ada"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self, *args: Any, targets: list[tuple[str, str]], documents: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to_stage"]).choices = targets
        cast(forms.ChoiceField, self.fields["existing_document"]).choices = [("", "—"), *documents]


class DeadlineCalculatorForm(forms.Form):
    rule = forms.ChoiceField(label=_("Aturan"))
    start = LocalDateTimeField(label=_("Mulai"))

    def __init__(self, *args: Any, rules: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["rule"]).choices = rules
