from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contracts.rollup import rollup_differences


class Command(BaseCommand):
    help = (
        "Compare le cumul des contrats (contracts_contractrollup) avec un recalcul depuis "
        "les chiffres en vigueur ; code de sortie 1 s'il diffère."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, database: str, **options: Any) -> None:
        differences = rollup_differences(using=database)
        if differences:
            for line in differences[:50]:
                self.stderr.write(line)
            raise CommandError(
                f"Le cumul des contrats diffère du recalcul : {len(differences)} ligne(s)."
            )
        self.stdout.write("Le cumul des contrats est égal à son recalcul.")
