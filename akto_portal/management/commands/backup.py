"""`manage.py backup [--output FILE]`: a copy of the whole database (akto_portal/backups.py)."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from akto_portal import backups


class Command(BaseCommand):
    help = (
        "Sauvegarde toute la base : pg_dump au format custom (PostgreSQL) ou sauvegarde "
        "en ligne (SQLite). Par défaut dans backups/akto-<date>-<heure>.dump|.sqlite3."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--output", help="Fichier à écrire.")

    def handle(self, *args: Any, output: str | Path | None = None, **options: Any) -> None:
        if not output:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = settings.BASE_DIR / "backups" / f"akto-{stamp}{backups.default_extension()}"
        try:
            path = backups.backup(output)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite : {path}"))
