"""Load the demo data: every figure of the source documents, a synthetic set, demo users."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from akto_portal.models import Region, User
from demo import documents, synthetic
from notifications.models import Subscription
from notifications.services import subscription_save

DEMO_PASSWORD = "demo"
DEMO_USERS = [
    ("demo-admin", User.Role.ADMIN, None, "Administrateur"),
    ("demo-director", User.Role.DIRECTOR, "28", "Directeur régional Normandie"),
    ("demo-staff", User.Role.STAFF, "28", "Équipe régionale Normandie"),
]


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent) et crée les comptes de démo."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Charger même avec DEBUG désactivé (crée des comptes au mot de passe connu).",
        )
        parser.add_argument(
            "--no-synthetic",
            action="store_true",
            help="Ne charger que les chiffres des documents sources.",
        )

    def handle(
        self, *args: Any, force: bool = False, no_synthetic: bool = False, **options: Any
    ) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG est désactivé : seed_demo créerait des comptes au mot de passe connu. "
                "Relancez avec --force si c'est bien voulu."
            )
        with transaction.atomic():
            documents.load_all()
            if not no_synthetic:
                synthetic.load_all(today=timezone.localdate())
            self._users()
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        self.stdout.write("Comptes de démonstration (mot de passe « demo ») :")
        for username, _role, _code, label in DEMO_USERS:
            self.stdout.write(f"  {username:<14} {label}")

    def _users(self) -> None:
        for username, role, code, label in DEMO_USERS:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "role": role,
                    "region": Region.objects.get(code=code) if code else None,
                    "first_name": label,
                    "is_active": True,
                },
            )
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
            user.email = f"{username}@example.org"
            user.save()
        director = User.objects.get(username="demo-director")
        if not Subscription.objects.filter(user=director).exists():
            subscription_save(
                user=director,
                frequency=Subscription.Frequency.WEEKLY,
                regions=[Region.objects.get(code="28")],
            )
