"""Send what is due: alerts on a change of state, the digest of the week or the month,
and the retries of failed mails. Nothing is sent twice for the same period or change.

    python manage.py send_digests [--dry-run] [--date YYYY-MM-DD]
    python manage.py send_digests --loop --interval 3600   # the scheduler service
"""

import datetime
import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, transaction
from django.utils import timezone

from dashboards import alerts, digests, mail
from dashboards.models import Delivery

logger = logging.getLogger(__name__)


class DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Envoie les récapitulatifs et les alertes dus, et réessaie les envois en échec."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Dire ce qui partirait, sans rien envoyer."
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="Date des chiffres et de la période (AAAA-MM-JJ ; aujourd'hui par défaut).",
        )
        parser.add_argument(
            "--loop", action="store_true", help="Recommencer indéfiniment (service scheduler)."
        )
        parser.add_argument(
            "--interval", type=int, default=3600, help="Secondes entre deux passages (--loop)."
        )

    def handle(self, *args, dry_run=False, date=None, loop=False, interval=3600, **options):
        if loop and date:
            raise CommandError("--loop prend la date du jour à chaque passage : pas de --date.")
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

    def run(self, *, as_of, dry_run):
        if dry_run:
            try:
                with transaction.atomic():
                    queued = alerts.queue_alerts(as_of=as_of) + digests.queue_digests(as_of=as_of)
                    due = list(mail.due_deliveries().select_related("user"))
                    self._list(due, queued)
                    raise DryRun
            except DryRun:
                return
        queued = alerts.queue_alerts(as_of=as_of) + digests.queue_digests(as_of=as_of)
        outcome = mail.send_due()
        self.stdout.write(
            f"{as_of:%d/%m/%Y} : {len(queued)} mail(s) mis en file, {len(outcome.sent)} envoyé(s), "
            f"{len(outcome.failed)} en échec, {len(outcome.cancelled)} annulé(s)."
        )
        for delivery in outcome.failed:
            self.stderr.write(
                f"  échec : {delivery.user.email} — {delivery.subject} ({delivery.last_error})"
            )

    def _list(self, due: list[Delivery], queued: list[Delivery]) -> None:
        self.stdout.write(
            f"Simulation : {len(due)} mail(s) partiraient ({len(queued)} nouveau(x))."
        )
        for delivery in due:
            retry = " (nouvel essai)" if delivery.status == Delivery.Status.FAILED else ""
            self.stdout.write(f"  {delivery.user.email} : {delivery.subject}{retry}")
