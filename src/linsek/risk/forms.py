"""Forms of the risk pages: one TPS's indicators (built from the catalogue), the override, the import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linsek.risk.catalogue import Catalogue
from linsek.risk.models import Assessment


def indicator_fields(
    catalogue: Catalogue, *, prefix: str = "", initial: dict[str, int] | None = None, language: str = "id"
) -> dict[str, forms.Field]:
    """One field per indicator: a checkbox for yes/no, a bounded number for counts."""
    out: dict[str, forms.Field] = {}
    for ind in catalogue.indicators:
        name = prefix + ind.code.replace(".", "_")
        value = (initial or {}).get(ind.code, 0)
        if ind.kind == "bool":
            out[name] = forms.BooleanField(
                label=f"{ind.code} {ind.name(language)}", required=False, initial=bool(value)
            )
        else:
            out[name] = forms.IntegerField(
                label=f"{ind.code} {ind.name(language)}",
                required=False,
                min_value=ind.minimum,
                max_value=ind.maximum,
                initial=value,
                widget=forms.NumberInput(attrs={"min": ind.minimum, "max": ind.maximum, "inputmode": "numeric"}),
            )
    return out


def values_from(catalogue: Catalogue, cleaned: dict[str, Any], *, prefix: str = "") -> dict[str, Any]:
    return {ind.code: cleaned.get(prefix + ind.code.replace(".", "_")) or 0 for ind in catalogue.indicators}


class AssessmentForm(forms.Form):
    assessed_at = forms.DateTimeField(
        label=_("Waktu penilaian"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    assessor_role = forms.ChoiceField(label=_("Peran penilai"), choices=Assessment.AssessorRole.choices)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=255)

    def __init__(
        self,
        *args: Any,
        catalogue: Catalogue,
        initial_values: dict[str, int] | None = None,
        language: str = "id",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        self.fields.update(indicator_fields(catalogue, initial=initial_values, language=language))

    def indicator_groups(self) -> list[tuple[Any, list[Any]]]:
        """(variable, bound fields) for the template, variable by variable."""
        return [(var, [self[ind.code.replace(".", "_")] for ind in var.indicators]) for var in self.catalogue.variables]


class OverrideForm(forms.Form):
    category = forms.ChoiceField(label=_("Kategori"), required=False)
    reason = forms.CharField(label=_("Alasan (wajib)"), widget=forms.Textarea(attrs={"rows": 3}), min_length=10)

    def __init__(self, *args: Any, catalogue: Catalogue, language: str = "id", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("", _("— hapus penetapan manual —"))]
        choices += [(c.code, c.name(language)) for c in catalogue.categories]
        self.fields["category"].choices = choices  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Berkas CSV atau XLSX"))
    dry_run = forms.BooleanField(label=_("Periksa saja, jangan simpan"), required=False)
