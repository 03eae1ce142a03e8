"""Generate a national OPCO's volume of synthetic contracts, events and attendance."""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Min
from django.utils import timezone

from akto_portal import formats
from contracts.models import ContractCount
from demo import volume


class Command(BaseCommand):
    help = (
        "Génère des données synthétiques en volume (lignes de contrats agrégées comme un "
        "import, événements et participation), reproductibles, marquées « synthétiques »."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--years", type=int, default=10, help="nombre d'années (10)")
        parser.add_argument(
            "--last-year",
            type=int,
            help="dernière année générée (défaut : l'année avant la première année présente)",
        )
        parser.add_argument(
            "--lines-per-year", type=int, default=150_000, help="contrats par an (150 000)"
        )
        parser.add_argument("--seed", type=int, default=6, help="graine (6)")

    def handle(
        self,
        *args: Any,
        years: int,
        last_year: int | None,
        lines_per_year: int,
        seed: int,
        **options: Any,
    ) -> None:
        if years < 1 or lines_per_year < 1:
            raise CommandError("--years et --lines-per-year doivent être positifs.")
        if last_year is None:
            first = ContractCount.objects.aggregate(first=Min("year"))["first"]
            last_year = (first or timezone.localdate().year) - 1
        span = range(last_year - years + 1, last_year + 1)
        started = time.perf_counter()
        written, events, skipped = volume.generate(
            years=span, lines_per_year=lines_per_year, seed=seed
        )
        volume.analyze()
        self.stdout.write(
            self.style.SUCCESS(
                f"{_n(years * lines_per_year)} lignes de contrats ({span.start}-{span.stop - 1}) "
                f"agrégées en {_n(written)} chiffres, {_n(events)} événements, "
                f"{skipped} régions-années déjà présentes laissées intactes "
                f"({time.perf_counter() - started:.0f} s)."
            )
        )


def _n(value: int) -> str:
    return formats.number(value)
