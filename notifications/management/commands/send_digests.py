"""Send what is due: alerts on a change of state, the digest of the week or the month,
the password-reset mails, and the retries of failed mails. Nothing is sent twice: each
mail is claimed before it is sent (notifications/mail.py).

    python manage.py send_digests [--dry-run] [--date YYYY-MM-DD]
    python manage.py send_digests --loop --interval 3600   # the scheduler service
    python manage.py send_digests --outbox-only --loop --interval 30   # the outbox only

Exit code 0 whenever it could run: a subject, a user or a mail that fails is reported
(stderr, the log, the delivery's error) and the others go on; 1 only when no step ran.
"""

import datetime
import logging
import time
from argparse import ArgumentParser
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, transaction
from django.utils import timezone

from notifications import alerts, digests, mail
from notifications.models import Delivery

logger = logging.getLogger(__name__)


class DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Envoie les récapitulatifs et les alertes dus, et réessaie les envois en échec."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Dire ce qui partirait, sans rien envoyer."
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="Date des chiffres et de la période (AAAA-MM-JJ ; aujourd'hui par défaut).",
        )
        parser.add_argument(
            "--outbox-only",
            action="store_true",
            help="Envoyer les mails en file (mots de passe, réessais) sans calculer d'alertes "
            "ni de récapitulatifs.",
        )
        parser.add_argument(
            "--loop", action="store_true", help="Recommencer indéfiniment (service scheduler)."
        )
        parser.add_argument(
            "--interval", type=int, default=3600, help="Secondes entre deux passages (--loop)."
        )

    def handle(
        self,
        *args: Any,
        dry_run: bool = False,
        date: datetime.date | None = None,
        loop: bool = False,
        interval: int = 3600,
        outbox_only: bool = False,
        **options: Any,
    ) -> None:
        if loop and date:
            raise CommandError("--loop prend la date du jour à chaque passage : pas de --date.")
        self.outbox_only = outbox_only
        if not loop:
            self.run(as_of=date or timezone.localdate(), dry_run=dry_run)
            return
        self.stdout.write(f"Envois toutes les {interval} s (Ctrl-C pour arrêter).")
        while True:
            close_old_connections()
            try:
                self.run(as_of=timezone.localdate(), dry_run=dry_run)
            except Exception:  # one bad pass must not stop the scheduler
                logger.exception("send_digests : passage en échec")
            close_old_connections()
            time.sleep(interval)

    def run(self, *, as_of: datetime.date, dry_run: bool) -> None:
        if dry_run:
            try:
                with transaction.atomic():
                    queued = (
                        []
                        if self.outbox_only
                        else alerts.queue_alerts(as_of=as_of) + digests.queue_digests(as_of=as_of)
                    )
                    due = list(mail.due_deliveries().select_related("user"))
                    self._list(due, queued)
                    raise DryRun
            except DryRun:
                return
        errors: list[str] = []
        queued = []
        steps: list[tuple[str, Callable[[], object]]] = []
        if not self.outbox_only:
            steps += [
                ("alertes", lambda: queued.extend(alerts.queue_alerts(as_of=as_of, errors=errors))),
                ("récapitulatifs", lambda: queued.extend(digests.queue_digests(as_of=as_of))),
            ]
        outcome = mail.Outcome()

        def send() -> None:
            nonlocal outcome
            outcome = mail.send_due()

        steps.append(("envois", send))
        failed_steps = 0
        for name, step in steps:
            try:
                step()
            except Exception as exc:  # the next step runs all the same
                logger.exception("send_digests : étape %s en échec", name)
                errors.append(f"étape {name} : {type(exc).__name__}: {exc}")
                failed_steps += 1
        self.stdout.write(
            f"{as_of:%d/%m/%Y} : {len(queued)} mail(s) mis en file, {len(outcome.sent)} envoyé(s), "
            f"{len(outcome.failed)} en échec, {len(outcome.cancelled)} annulé(s), "
            f"{len(outcome.uncertain)} incertain(s)."
        )
        for delivery in outcome.failed:
            self.stderr.write(
                f"  échec : {delivery.user.email} — {delivery.subject} ({delivery.last_error})"
            )
        for delivery in outcome.uncertain:
            self.stderr.write(
                f"  incertain, non renvoyé : {delivery.user.email} — {delivery.subject} "
                f"({delivery.last_error})"
            )
        for error in errors:
            self.stderr.write(f"  erreur : {error}")
        if failed_steps == len(steps):
            raise CommandError("Aucune étape n'a pu s'exécuter (voir le journal).")

    def _list(self, due: list[Delivery], queued: list[Delivery]) -> None:
        self.stdout.write(
            f"Simulation : {len(due)} mail(s) partiraient ({len(queued)} nouveau(x))."
        )
        for delivery in due:
            retry = " (nouvel essai)" if delivery.status == Delivery.Status.FAILED else ""
            self.stdout.write(f"  {delivery.user.email} : {delivery.subject}{retry}")
