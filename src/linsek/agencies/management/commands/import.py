"""``linsek import regions|tps|organisations|people|boundaries FILE [--dry-run]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linsek.agencies.imports import IMPORT_KINDS, registry_import
from linsek.core.tabular import ImportReport

PROBLEMS_PRINTED = 200
PHASES = {"read": "Memeriksa baris", "write": "Menulis", "rollups": "Menghitung rekap"}


class Command(BaseCommand):
    help = "Import regions, TPS, organisations, people (CSV/XLSX) or boundaries (GeoJSON), validated first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=IMPORT_KINDS, help="what the file holds")
        parser.add_argument("file", type=Path, help="CSV or XLSX file (GeoJSON for boundaries)")
        parser.add_argument("--dry-run", action="store_true", help="validate and report only; write nothing")
        parser.add_argument("--user", default="", help="username recorded as the actor in the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = _user(options["user"])
        if self.stdout.isatty() and options["verbosity"] > 0:
            report = self._with_progress(options["kind"], path, actor, options["dry_run"])
        else:
            report = registry_import(kind=options["kind"], path=path, actor=actor, dry_run=options["dry_run"])
        self._print(report)
        if report.rejected:
            raise CommandError(
                f"{report.problems_total:,} problem(s) in {report.file}: nothing was written.", returncode=1
            )

    def _with_progress(self, kind: str, path: Path, actor: Any, dry_run: bool) -> ImportReport:
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

        columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task(PHASES["read"], total=1)

            def progress(phase: str, done: int, total: int) -> None:
                bar.update(task, description=PHASES.get(phase, phase), completed=done, total=max(total, 1))

            return registry_import(kind=kind, path=path, actor=actor, dry_run=dry_run, progress=progress)

    def _print(self, report: ImportReport) -> None:
        w = self.stdout.write
        if report.written:
            w(self.style.SUCCESS(f"{report.kind}: {report.file} imported in {report.seconds:.1f} s"))
        elif report.dry_run and not report.rejected:
            w(self.style.SUCCESS(f"{report.kind}: {report.file} is valid (dry run: nothing written)"))
        else:
            w(self.style.ERROR(f"{report.kind}: {report.file} rejected: nothing written"))
        w(f"  rows       {report.rows:>10,}")
        if report.written:
            w(f"  created    {report.created:>10,}")
            w(f"  updated    {report.updated:>10,}")
            w(f"  unchanged  {report.unchanged:>10,}")
        if report.problems:
            self._problems(report)

    def _problems(self, report: ImportReport) -> None:
        from rich.console import Console
        from rich.table import Table

        table = Table("file", "row", "column", "value", "reason", show_lines=False, expand=False)
        for p in report.problems[:PROBLEMS_PRINTED]:
            table.add_row(p.file, "" if p.row is None else str(p.row), p.column or "", p.value or "", p.reason)
        tty = self.stdout.isatty()
        console = Console(file=self.stdout._out, force_terminal=tty, width=None if tty else 200)  # type: ignore[arg-type]
        console.print(table)
        shown = min(len(report.problems), PROBLEMS_PRINTED)
        if report.problems_total > shown:
            self.stdout.write(f"  … and {report.problems_total - shown:,} more problem(s) (first {shown} shown)")


def _user(username: str) -> Any:
    if not username:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    return user
