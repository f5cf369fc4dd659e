"""Forms of the web UI."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# The formats the registry import reads; the suffix also tells the importer which reader to use.
IMPORT_SUFFIXES = (".csv", ".xlsx", ".geojson", ".json")

IMPORT_KIND_LABELS = {
    "regions": _("Wilayah (provinsi, kabupaten, kecamatan, desa)"),
    "tps": _("TPS (daftar KPU)"),
    "organisations": _("Instansi"),
    "people": _("Personel"),
    "boundaries": _("Batas wilayah (GeoJSON)"),
}


class RegistryImportForm(forms.Form):
    """Upload one file for ``registry_import``; a dry run only reports (on by default: look first)."""

    kind = forms.ChoiceField(label=_("Jenis data"))
    file = forms.FileField(
        label=_("Berkas"),
        help_text=_("CSV, XLSX atau GeoJSON; tata letak kolom seperti pada impor lewat baris perintah."),
    )
    dry_run = forms.BooleanField(
        label=_("Uji coba saja (periksa tanpa menyimpan)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: object, kinds: tuple[str, ...], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [(k, IMPORT_KIND_LABELS.get(k, k)) for k in kinds]  # type: ignore[attr-defined]

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in IMPORT_SUFFIXES:
            raise forms.ValidationError(
                _("Jenis berkas tidak didukung (%(suffix)s); gunakan %(allowed)s."),
                params={"suffix": suffix or "?", "allowed": ", ".join(IMPORT_SUFFIXES)},
            )
        if upload.size > settings.LINSEK_IMPORT_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(upload_too_large_message())
        return upload


def upload_too_large_message() -> str:
    return str(_("Berkas terlalu besar; batasnya %(limit)s.")) % {
        "limit": filesizeformat(settings.LINSEK_IMPORT_UPLOAD_MAX_BYTES)
    }
