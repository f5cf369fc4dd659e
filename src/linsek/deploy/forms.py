"""Forms of the plan pages: a new plan version with its patterns (seeded from the defaults)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linsek.deploy.patterns import PatternSet


class PlanGenerateForm(forms.Form):
    MODES = [
        ("auto", _("Otomatis (rancang ulang bila pola sama)")),
        ("full", _("Rancang penuh")),
        ("replan", _("Rancang ulang")),
    ]
    mode = forms.ChoiceField(label=_("Cara"), choices=MODES, initial="auto")
    label = forms.CharField(label=_("Keterangan"), required=False, max_length=160)
    duty_start = forms.DateField(label=_("Hari tugas mulai"), widget=forms.DateInput(attrs={"type": "date"}))
    duty_end = forms.DateField(label=_("Hari tugas selesai"), widget=forms.DateInput(attrs={"type": "date"}))
    reserve_share = forms.FloatField(label=_("Cadangan Polres (0–0,9)"), min_value=0, max_value=0.9)

    def __init__(self, *args: Any, patterns: PatternSet, raw: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = list(patterns.categories_by_rank())[::-1]
        self.fields["duty_start"].initial = raw.get("duty_start")
        self.fields["duty_end"].initial = raw.get("duty_end")
        self.fields["reserve_share"].initial = patterns.reserve_share
        for c in self.categories:
            p = patterns.pattern(c)
            # No min_value here: the pattern validation answers T ≤ 0 / P ≤ 0 with its own clear message.
            self.fields[f"{c}__police"] = forms.IntegerField(label=f"P {c}", initial=p.police)
            self.fields[f"{c}__tps"] = forms.IntegerField(label=f"T {c}", initial=p.tps)
            self.fields[f"{c}__linmas"] = forms.IntegerField(label=f"L {c}", initial=p.linmas)
            self.fields[f"{c}__tni"] = forms.IntegerField(label=f"TNI {c}", initial=p.tni)
            self.fields[f"{c}__radius_m"] = forms.FloatField(label=f"radius {c} (m)", initial=p.radius_m)

    def pattern_rows(self) -> list[tuple[str, list[Any]]]:
        return [
            (c, [self[f"{c}__{k}"] for k in ("police", "tps", "linmas", "tni", "radius_m")]) for c in self.categories
        ]

    def patterns_raw(self, base: dict[str, Any]) -> dict[str, Any]:
        """The pattern document of the form's values, on top of ``base`` (mixing, priority, source kept)."""
        data = self.cleaned_data
        items = []
        for p in base["patterns"]:
            c = p["category"]
            items.append({**p, **{k: data.get(f"{c}__{k}") for k in ("police", "tps", "linmas", "tni", "radius_m")}})
        return {
            **base,
            "patterns": items,
            "reserve_share": data["reserve_share"],
            "duty_start": data["duty_start"].isoformat(),
            "duty_end": data["duty_end"].isoformat(),
        }
