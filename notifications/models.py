"""What the portal sends by mail: who subscribed to what, the alert state of each
followed region and indicator, and every mail it sent or tried to send (digests.py
composes, alerts.py decides, mail.py sends)."""

from typing import Any

from django.conf import settings
from django.db import models

ELLIPSIS = "…"
LABEL_LENGTH, DETAIL_LENGTH, SUBJECT_LENGTH = 300, 500, 250


def clip(text: str, length: int) -> str:
    """The text as stored in a field of `length` characters: cut with "…" when longer."""
    if len(text) <= length:
        return text
    return text[: length - 1] + ELLIPSIS


class Subscription(models.Model):
    """A user's digest frequency and what they follow for alerts. The digest covers the
    user's region (France for a national user); alerts cover the regions (and France) and
    the convention indicators followed."""

    class Frequency(models.TextChoices):
        NONE = "none", "Aucun envoi"
        WEEKLY = "weekly", "Chaque semaine"
        MONTHLY = "monthly", "Chaque mois"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.CASCADE,
        related_name="subscription",
    )
    frequency = models.CharField(
        "récapitulatif", max_length=10, choices=Frequency.choices, default=Frequency.NONE
    )
    france = models.BooleanField("alertes France entière", default=False)
    regions = models.ManyToManyField(
        "akto_portal.Region", verbose_name="régions suivies (alertes)", blank=True, related_name="+"
    )
    indicators = models.ManyToManyField(
        "conventions.Indicator",
        verbose_name="indicateurs suivis (alertes)",
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    unsubscribed_at = models.DateTimeField("désabonné le", null=True, blank=True)

    class Meta:
        db_table = "dashboards_subscription"  # the table kept its name when the model moved here
        verbose_name = "abonnement"
        verbose_name_plural = "abonnements"

    def __str__(self) -> str:
        return f"{self.user} — {self.get_frequency_display()}"


class AlertState(models.Model):
    """Where a followed subject ("region:28", "region:FR", "indicator:12") stood at the
    last check. An alert goes out when `behind` changes, never at every check; `changes`
    counts the changes, so each one is a mail of its own."""

    subject = models.CharField("sujet", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=LABEL_LENGTH)
    behind = models.BooleanField("en retard", default=False)
    changes = models.PositiveIntegerField("changements", default=0)
    detail = models.CharField("détail", max_length=DETAIL_LENGTH, blank=True)
    checked_on = models.DateField("vérifié le")
    changed_on = models.DateField("changé le", null=True, blank=True)

    class Meta:
        db_table = "dashboards_alertstate"  # the table kept its name when the model moved here
        ordering = ["subject"]
        verbose_name = "état d'alerte"
        verbose_name_plural = "états d'alerte"

    def __str__(self) -> str:
        return f"{self.label} : {'en retard' if self.behind else 'dans les temps'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A label comes from an indicator's name and its convention's title: any length.
        self.label = clip(self.label, LABEL_LENGTH)
        self.detail = clip(self.detail, DETAIL_LENGTH)
        super().save(*args, **kwargs)


class Delivery(models.Model):
    """One mail to one user, an outbox row: a digest for a period, an alert for one change
    of state, or a password-reset link. The key makes it unique (a second run finds it and
    queues nothing).

    At most once: a sender claims the row ("sending", claimed_at) and commits the claim
    before it talks to the mail server, then marks it sent. A crash between the two leaves
    the claim; once older than OUTBOX_CLAIM_TIMEOUT minutes it is marked "uncertain" and
    never sent again (the mail may or may not have left). A failed send (the server said
    no) is "failed" with its error and tried again by the next runs, up to
    DIGEST_MAX_ATTEMPTS attempts."""

    class Kind(models.TextChoices):
        DIGEST = "digest", "Récapitulatif"
        ALERT = "alert", "Alerte"
        PASSWORD_RESET = "reset", "Nouveau mot de passe"

    class Status(models.TextChoices):
        PENDING = "pending", "À envoyer"
        SENDING = "sending", "En cours d'envoi"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "En échec (sera réessayé)"
        UNCERTAIN = "uncertain", "Incertain (envoi interrompu, non renvoyé)"
        ABANDONED = "abandoned", "Abandonné après trop d'échecs"
        CANCELLED = "cancelled", "Annulé (désabonné)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="destinataire",
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    key = models.CharField("clé", max_length=100)
    as_of = models.DateField("arrêté au")
    since = models.DateField("depuis le", null=True, blank=True)
    subject = models.CharField("objet", max_length=SUBJECT_LENGTH)
    body = models.TextField("texte de l'alerte", blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    claimed_at = models.DateTimeField("pris en charge le", null=True, blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    class Meta:
        db_table = "dashboards_delivery"  # the table kept its name when the model moved here
        ordering = ["-created_at", "-pk"]
        verbose_name = "envoi"
        verbose_name_plural = "envois"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="delivery_unique_key"),
        ]
        indexes = [models.Index(fields=["status"], name="delivery_status")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.user}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.subject = clip(self.subject, SUBJECT_LENGTH)
        super().save(*args, **kwargs)
