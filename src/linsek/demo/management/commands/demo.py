"""``linsek demo load`` (the Jepara scenario) and ``linsek demo national`` (synthetic country import files)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from linsek.accounts.policy import policy
from linsek.demo.jepara import DemoError, DemoSummary, demo_load


class Command(BaseCommand):
    help = "Load the Jepara demo (load) or write a synthetic national data set as import files (national)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load,national}")
        load = sub.add_parser("load", help="create or update the Jepara demo; loading twice changes nothing")
        load.add_argument(
            "--districts",
            default="",
            help="comma-separated kecamatan codes to load only those, e.g. 33.20.04,33.20.10 (default: all 16)",
        )
        national = sub.add_parser("national", help="write a synthetic country of the real size as import files")
        national.add_argument("--out", default="", help="output folder (default: $LINSEK_VAR/national)")
        national.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
        national.add_argument("--scale", type=float, default=1.0, help="fraction of the real size (default 1.0)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self._load(options["districts"])
        else:
            self._national(options["out"], options["seed"], options["scale"])

    def _load(self, districts_arg: str) -> None:
        districts = [d.strip() for d in districts_arg.split(",") if d.strip()] or None
        started = time.perf_counter()
        try:
            summary = demo_load(districts=districts)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self._print_summary(summary, time.perf_counter() - started)
        if districts is None:
            from linsek.demo.scenarios import GAKKUMDU_DEMO_LOGINS, demo_scenarios_load

            self.stdout.write("")
            self.stdout.write("Scenarios:")
            demo_scenarios_load(say=self.stdout.write)
            self.stdout.write("")
            self.stdout.write(
                "Gakkumdu logins (DEMO ONLY): " + ", ".join(f"{u} / {p}" for u, p, _, _ in GAKKUMDU_DEMO_LOGINS)
            )

    def _print_summary(self, s: DemoSummary, seconds: float) -> None:
        w = self.stdout.write
        w(self.style.SUCCESS(f"Jepara demo loaded in {seconds:.1f} s"))
        w(f"  districts        {s.districts:>9,}")
        w(f"  villages         {s.villages:>9,}")
        w(f"  TPS              {s.tps:>9,}")
        w(f"  voters (DPT)     {s.voters_total:>9,}  (male {s.voters_male:,} / female {s.voters_female:,})")
        w(f"  organisations    {s.organisations:>9,}")
        sectors = ", ".join(f"{k} {v:,}" for k, v in sorted(s.people_by_sector.items()))
        w(f"  people           {s.people:>9,}  ({sectors})")
        w(f"  rows created {s.rows_created:,}, updated {s.rows_updated:,}")
        w("")
        w("Demo logins (DEMO ONLY: public passwords, set when a user is first created):")
        header = ("username", "password", "role", "organisation")
        rows = [
            (x.username, x.password if x.created else f"{x.password} (unless changed)", x.role, x.organisation)
            for x in s.logins
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        w(("  " + "  ".join(h.ljust(widths[i]) for i, h in enumerate(header))).rstrip())
        w("  " + "  ".join("-" * widths[i] for i in range(len(header))))
        for r in rows:
            w(("  " + "  ".join(c.ljust(widths[i]) for i, c in enumerate(r))).rstrip())
        two_factor = sorted(set(policy().two_factor_roles) & {x.role for x in s.logins})
        if settings.LINSEK_REQUIRE_2FA and two_factor:
            w("")
            w(
                f"Roles {', '.join(two_factor)} must enrol a TOTP device at first login "
                "(run with LINSEK_REQUIRE_2FA=0 for a demo without two-factor authentication)."
            )

    def _national(self, out: str, seed: int, scale: float) -> None:
        # Imported here: the generator is heavy and only this subcommand needs it.
        from linsek.demo.national import national_generate

        out_dir = Path(out) if out else Path(settings.VAR_DIR) / "national"
        started = time.perf_counter()
        try:
            files = national_generate(out_dir=out_dir, seed=seed, scale=scale)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Synthetic national data written in {time.perf_counter() - started:.1f} s:")
        )
        for name, path in files.items():
            self.stdout.write(f"  {name:<12} {path}")
        self.stdout.write("Import them with:")
        for name in ("regions", "tps"):
            if name in files:
                self.stdout.write(f"  linsek import {name} {files[name]}")
