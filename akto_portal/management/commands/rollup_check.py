from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from akto_portal.rollups import CHECKS


class Command(BaseCommand):
    help = (
        "Compare chaque cumul (contrats : contracts_contractrollup, événements : "
        "events_eventrollup) avec un recalcul depuis les tables de base ; code de sortie 1 "
        "si l'un diffère."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, database: str, **options: Any) -> None:
        failed = []
        for label, differences in sorted(CHECKS.items()):
            lines = differences(database)
            if lines:
                for line in lines[:50]:
                    self.stderr.write(f"{label} : {line}")
                failed.append(f"{label} diffère du recalcul : {len(lines)} ligne(s)")
            else:
                self.stdout.write(f"{label} est égal à son recalcul.")
        if failed:
            raise CommandError(" ; ".join(failed) + ".")
