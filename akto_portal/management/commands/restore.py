"""`manage.py restore FILE`: replace the database's content by a backup (akto_portal/backups.py)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from akto_portal import backups


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde faite par `backup` : remplace tout le contenu de la base "
        "configurée (DATABASE_URL). À faire portail arrêté, avec la même version du portail."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="Sauvegarde à restaurer (.dump ou .sqlite3).")
        parser.add_argument(
            "--noinput", action="store_true", help="Ne pas demander de confirmation."
        )

    def handle(self, *args: Any, file: str, noinput: bool = False, **options: Any) -> None:
        name = connection.settings_dict["NAME"]
        if not noinput:
            answer = input(
                f"Tout le contenu de la base « {name} » sera remplacé par {file}. "
                "Tapez « oui » pour continuer : "
            )
            if answer.strip().lower() != "oui":
                raise CommandError("Restauration annulée.")
        try:
            backups.restore(file)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Base « {name} » restaurée depuis {file}."))
