"""What import_contracts and import_public_stats share: arguments, progress, output."""

from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from tqdm import tqdm

from contracts.imports.report import ImportReport


def fmt(value: int) -> str:
    return number_format(value, force_grouping=True)


class ImportCommand(BaseCommand):
    service: Callable[..., Any]  # a function of contracts.services

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="fichier CSV (UTF-8 ou Windows-1252, , ou ;) ou XLSX")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="tout vérifier et montrer ce qui serait écrit, sans rien écrire",
        )
        parser.add_argument("--no-progress", action="store_true", help="sans barre de progression")

    def handle(
        self, *args: Any, file: str, dry_run: bool, no_progress: bool, **options: Any
    ) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        bar = None
        if not no_progress:
            bar = tqdm(
                total=path.stat().st_size,
                unit="o",
                unit_scale=True,
                desc="Lecture",
                file=self.stderr._out,
                leave=False,
            )

        def progress(done: int, total: int) -> None:
            assert bar is not None
            bar.total = total
            bar.update(done - bar.n)

        try:
            report = type(self).service(
                path=path,
                file_name=path.name,
                dry_run=dry_run,
                progress=progress if bar is not None else None,
            )
        finally:
            if bar is not None:
                bar.close()
        self.show(report)
        if report.already_imported is not None:
            batch = report.already_imported
            self.stdout.write(
                self.style.WARNING(
                    f"Ce fichier a déjà été importé (import n° {batch.pk} du "
                    f"{batch.created_at:%d/%m/%Y}) : rien n'a changé."
                )
            )
            return
        if report.error_count:
            raise CommandError(
                f"{fmt(report.error_count)} erreur(s) : rien n'a été écrit. "
                "Corrigez le fichier et relancez."
            )
        if dry_run:
            self.stdout.write(self.style.WARNING("Simulation (--dry-run) : rien n'a été écrit."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Import n° {report.batch.pk} enregistré : {fmt(len(report.facts))} chiffre(s) "
                    f"écrit(s), {fmt(report.batch.rows_replaced)} remplacé(s)."
                )
            )

    def show(self, report: ImportReport) -> None:
        out = self.stdout.write
        if report.layout:
            out(f"Format : {report.layout_label} — {report.file_format}")
        if report.already_imported is None:
            out(f"Lignes lues : {fmt(report.rows_read)}")
        if report.rows_ignored:
            out(f"Lignes ignorées ({report.ignored_note}) : {fmt(report.rows_ignored)}")
        if report.ignored_columns:
            out(f"Colonnes ignorées : {', '.join(report.ignored_columns)}")
        for error in report.errors:
            self.stderr.write(f"  {error}")
        if report.errors_truncated:
            self.stderr.write(
                f"  … et {fmt(report.error_count - len(report.errors))} autre(s) erreur(s)"
            )
        if report.error_count or not report.facts:
            return
        out(f"Chiffres à écrire : {fmt(len(report.facts))}")
        for row in report.summary[:50]:
            label = row.get("contract_type") or row.get("period")
            out(f"  {row['region']} {row['year']} {label} : {fmt(row['count'])}")
        if len(report.summary) > 50:
            out(f"  … et {len(report.summary) - 50} autre(s)")
        out("Périmètre remplacé :")
        for line in report.scope_label.splitlines():
            out(f"  {line}")
        out(f"Chiffres existants remplacés dans ce périmètre : {fmt(report.rows_to_replace)}")
        if report.summary:
            return
        out(f"Chiffres qui changent : {fmt(report.change_count)}")
        for row in report.changes[:50]:
            before = "—" if row["before"] is None else fmt(row["before"])
            after = "—" if row["after"] is None else fmt(row["after"])
            out(f"  {row['zone']} {row['period']} ({row['detail']}) : {before} → {after}")
        if report.change_count > 50:
            out(f"  … et {fmt(report.change_count - 50)} autre(s)")
